package dev.ringfence.micrometer.internal;

import static java.util.Objects.requireNonNull;

import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.AgentEvent;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.MalformedEnvelopeException;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.micrometer.RingfenceAgentMetrics;
import dev.ringfence.protocol.RingfenceException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The {@link RingfenceAgentMetrics} binder: counts in adders, exposes them as function counters. */
public final class AgentMetrics implements RingfenceAgentMetrics {

  /** The counter of each event type but REFUSED, which has one counter per reason. */
  private static final Map<AgentEvent.Type, CounterSpec> COUNTERS = new EnumMap<>(Map.of(
      AgentEvent.Type.STARTED, new CounterSpec("ringfence.agent.starts", "starts",
          "process starts decided by the agent's onStart()"),
      AgentEvent.Type.ACTIVATED, new CounterSpec("ringfence.agent.activations", "activations",
          "versions verified, validated and activated on trial"),
      AgentEvent.Type.CONFIRMED, new CounterSpec("ringfence.agent.confirmations", "confirmations",
          "versions on trial confirmed healthy"),
      AgentEvent.Type.REVERTED, new CounterSpec("ringfence.agent.reverts", "reverts",
          "reverts, by the agent after failed starts or asked by the update server"),
      AgentEvent.Type.RECOVERED, new CounterSpec("ringfence.agent.recoveries", "recoveries",
          "damaged state or slots recovered to the last-known-good")));

  private static final String REFUSALS = "ringfence.agent.refusals";
  private static final String VERSION = "ringfence.agent.version";

  private final Tags tags;
  private final Map<AgentEvent.Type, LongAdder> counts = new EnumMap<>(AgentEvent.Type.class);
  /** Reason tag to count; the reasons are a set fixed by code ({@link #reason}), not by what is sent. */
  private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
  private final Consumer<AgentEvent> listener = this::record;
  /** Registry to the ids of the meters registered in it. */
  private final Map<MeterRegistry, List<Meter.Id>> bound = new IdentityHashMap<>();
  /** Weak: the meters must not keep the agent reachable (the agent holds this binder through its listener). */
  private volatile @Nullable WeakReference<RolloutAgent> agent;
  private volatile double runningVersion = Double.NaN;
  private volatile boolean closed;

  /**
   * Creates the binder; use {@link RingfenceAgentMetrics#create(Iterable)}.
   *
   * @param tags the tags of every meter
   */
  public AgentMetrics(Tags tags) {
    this.tags = requireNonNull(tags, "tags");
    for (AgentEvent.Type type : COUNTERS.keySet()) {
      counts.put(type, new LongAdder());
    }
  }

  @Override
  public Consumer<AgentEvent> listener() {
    return listener;
  }

  private void record(AgentEvent event) {
    if (closed) {
      return;
    }
    if (event.type() == AgentEvent.Type.REFUSED) {
      countRefusal(reason(event.refusal()));
      return;
    }
    LongAdder count = counts.get(event.type());
    if (count != null) {
      count.increment();
    }
    if (event.type() != AgentEvent.Type.CONFIRMED) {
      refreshVersion();
    }
  }

  private void countRefusal(String reason) {
    LongAdder count = refusals.get(reason);
    if (count == null) {
      synchronized (this) {
        count = refusals.get(reason);
        if (count == null) {
          count = new LongAdder();
          refusals.put(reason, count);
          for (Map.Entry<MeterRegistry, List<Meter.Id>> binding : bound.entrySet()) {
            binding.getValue().add(registerRefusals(binding.getKey(), reason, count));
          }
        }
      }
    }
    count.increment();
  }

  /** Runs on the agent's thread, inside its step (the agent's lock is re-entrant), never on a scrape. */
  private void refreshVersion() {
    WeakReference<RolloutAgent> ref = agent;
    RolloutAgent tracked = ref == null ? null : ref.get();
    if (tracked == null) {
      return;
    }
    try {
      runningVersion = tracked.activeContent().map(ActiveContent::version).orElse(-1L);
    } catch (IllegalStateException e) {
      runningVersion = Double.NaN; // before onStart(): nothing is decided yet
    }
  }

  @Override
  public void track(RolloutAgent tracked) {
    requireNonNull(tracked, "agent");
    synchronized (this) {
      checkOpen();
      WeakReference<RolloutAgent> ref = agent;
      RolloutAgent current = ref == null ? null : ref.get();
      if (current == tracked) {
        return;
      }
      if (current != null) {
        throw new IllegalStateException("the binder tracks another agent already; create one binder per agent");
      }
      agent = new WeakReference<>(tracked);
      for (Map.Entry<MeterRegistry, List<Meter.Id>> binding : bound.entrySet()) {
        binding.getValue().add(registerVersion(binding.getKey()));
      }
    }
    // Outside this binder's lock: the agent's step holds the agent's lock and may take this one (a refusal
    // of a new type), so this one is never held while waiting for the agent's.
    refreshVersion();
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    checkOpen();
    if (bound.containsKey(registry)) {
      return;
    }
    List<Meter.Id> ids = new ArrayList<>();
    COUNTERS.forEach((type, spec) -> ids.add(FunctionCounter.builder(spec.name(), counts.get(type), LongAdder::sum)
        .tags(tags).baseUnit(spec.baseUnit()).description(spec.description()).register(registry).getId()));
    refusals.forEach((reason, count) -> ids.add(registerRefusals(registry, reason, count)));
    if (agent != null) {
      ids.add(registerVersion(registry));
    }
    bound.put(registry, ids);
  }

  private Meter.Id registerRefusals(MeterRegistry registry, String reason, LongAdder count) {
    return FunctionCounter.builder(REFUSALS, count, LongAdder::sum).tags(tags).tag("reason", reason)
        .baseUnit("refusals").description("offered releases the agent refused, by the check that failed")
        .register(registry).getId();
  }

  private Meter.Id registerVersion(MeterRegistry registry) {
    return Gauge.builder(VERSION, this, m -> m.runningVersion).tags(tags)
        .description("the content version the agent runs, -1 when it runs none").register(registry).getId();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the binder was closed; create a new one with RingfenceAgentMetrics.create()");
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    bound.forEach((registry, ids) -> ids.forEach(registry::remove));
    bound.clear();
    agent = null;
  }

  /**
   * A refusal's reason tag: its {@link ContentRefusedException.Reason} in lower case ({@code bad_signature},
   * {@code stale_version}, {@code timestamp_expired}, ...), {@code malformed_envelope} for an envelope that
   * does not parse, {@code unknown} for anything else. A fixed set, whatever a server sends.
   *
   * @param refusal the event's refusal
   * @return the tag value
   */
  static String reason(@Nullable RingfenceException refusal) {
    if (refusal instanceof ContentRefusedException) {
      return ((ContentRefusedException) refusal).reason().name().toLowerCase(Locale.ROOT);
    }
    return refusal instanceof MalformedEnvelopeException ? "malformed_envelope" : "unknown";
  }

  private record CounterSpec(String name, String baseUnit, String description) {}
}
