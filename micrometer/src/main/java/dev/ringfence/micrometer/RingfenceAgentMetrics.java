package dev.ringfence.micrometer;

import static java.util.Objects.requireNonNull;

import dev.ringfence.agent.AgentEvent;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.micrometer.internal.AgentMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Consumer;

/**
 * Micrometer metrics of an endpoint's {@link RolloutAgent}, counted from its {@link AgentEvent}s:
 *
 * <ul>
 *   <li>{@code ringfence.agent.starts} (counter: process starts decided by {@code onStart()})
 *   <li>{@code ringfence.agent.activations} (counter: versions verified, validated and activated on trial)
 *   <li>{@code ringfence.agent.confirmations} (counter: versions confirmed healthy)
 *   <li>{@code ringfence.agent.reverts} (counter: reverts, by the agent itself or asked by the server)
 *   <li>{@code ringfence.agent.recoveries} (counter: damaged state or slots recovered)
 *   <li>{@code ringfence.agent.refusals} (counter, tag {@code reason}: offered releases refused, by the
 *       check that failed: the refusal's {@link dev.ringfence.agent.ContentRefusedException.Reason} in lower
 *       case, e.g. {@code bad_signature}, {@code expired}, {@code stale_version}, {@code timestamp_expired},
 *       or {@code malformed_envelope}; a reason's counter appears at its first refusal)
 *   <li>{@code ringfence.agent.version} (gauge: the version the agent runs, -1 when it runs no content; only
 *       once an agent is {@link #track tracked})
 * </ul>
 *
 * <p>The agent takes one event listener, when it is built, so the binder is created first and its
 * {@link #listener()} handed to the builder; it counts from the first event, whether it is bound to a
 * registry yet or not:
 *
 * <pre>{@code
 * RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create(Tags.of("channel", "content"));
 * RolloutAgent agent = RolloutAgent.builder()...onEvent(metrics.listener()).build();
 * metrics.track(agent);
 * metrics.bindTo(registry);
 * agent.onStart();
 * }</pre>
 *
 * <p>The binder keeps the ids of the meters it registered; {@link #close()} removes them from every registry
 * and turns the listener into a no-op (the agent has no way to drop a listener). It holds the tracked agent
 * weakly. It lives in {@code ringfence-micrometer}, which depends on the agent optionally, so that the agent
 * itself never depends on Micrometer. Thread-safe.
 */
public interface RingfenceAgentMetrics extends MeterBinder, AutoCloseable {

  /**
   * A binder whose meters carry no tags of their own (add common tags on the registry).
   *
   * @return the binder, open
   */
  static RingfenceAgentMetrics create() {
    return create(Tags.empty());
  }

  /**
   * A binder whose meters all carry {@code tags}, e.g. the channel.
   *
   * @param tags the tags
   * @return the binder, open
   * @throws NullPointerException if {@code tags} is null
   */
  static RingfenceAgentMetrics create(Iterable<Tag> tags) {
    return new AgentMetrics(Tags.of(requireNonNull(tags, "tags")));
  }

  /**
   * The listener to hand to {@link RolloutAgent.Builder#onEvent}; combine it with one of your own with
   * {@link Consumer#andThen}. It only counts, and does nothing once the binder is closed.
   *
   * @return the listener
   */
  Consumer<AgentEvent> listener();

  /**
   * Adds the {@code ringfence.agent.version} gauge for {@code agent}, the agent built with
   * {@link #listener()}. The gauge is updated from {@link RolloutAgent#activeContent()} at every event that
   * can change what runs, on the thread that made the step; a scrape never waits for the agent.
   *
   * @param agent the agent
   * @throws NullPointerException if {@code agent} is null
   * @throws IllegalStateException if the binder is closed, or tracks another agent already
   */
  void track(RolloutAgent agent);

  /**
   * Registers the agent's meters in {@code registry}. Binding a registry a second time does nothing.
   *
   * @param registry the registry
   * @throws NullPointerException if {@code registry} is null
   * @throws IllegalStateException if the binder was closed
   */
  @Override
  void bindTo(MeterRegistry registry);

  /** Removes every meter this binder registered from every registry, and stops counting. Idempotent. */
  @Override
  void close();
}
