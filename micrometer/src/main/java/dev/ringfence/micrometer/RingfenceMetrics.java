package dev.ringfence.micrometer;

import static java.util.Objects.requireNonNull;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.micrometer.internal.EngineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer metrics of a {@link RolloutEngine}'s live rollouts, tagged {@code rollout} and {@code channel}:
 *
 * <ul>
 *   <li>{@code ringfence.rollout.state} (gauge, one per state, 1 for the current one, tag {@code state})
 *   <li>{@code ringfence.rollout.ring} (gauge: index of the open ring, -1 before start)
 *   <li>{@code ringfence.rollout.exposed} (gauge, endpoints admitted)
 *   <li>{@code ringfence.signals} (counter, tags {@code type}, {@code arm}, {@code outcome})
 *   <li>{@code ringfence.signals.silent} (counter, endpoints that went silent after an offer)
 *   <li>{@code ringfence.verdicts} (counter of gate evaluations, tag {@code outcome})
 *   <li>{@code ringfence.halts} (counter)
 * </ul>
 *
 * <p>A rollout has meters only while it is live. {@link #bindTo} registers the meters of every rollout
 * that has not ended and subscribes to the engine's transitions: a rollout created later gets its meters at
 * its first transition, and a rollout that reaches a {@link RolloutState#isTerminal() terminal state}
 * ({@code COMPLETED}, {@code ROLLED_BACK}, {@code ABORTED}) has its meters removed from the registry at
 * that transition, so that a registry living as long as the process neither grows with every rollout ever
 * run nor keeps an ended rollout reachable. A scrape after the end no longer shows the rollout; its outcome
 * stays in the engine's journal.
 *
 * <p>The binder keeps the ids of the meters it registered, per registry and rollout, and no reference to a
 * rollout. {@link #close()} unsubscribes from the engine and removes every meter it registered; the host
 * calls it when it stops measuring the engine, or binds through a framework that closes
 * {@link AutoCloseable} binders. Thread-safe; each registry is bound at most once.
 *
 * <pre>{@code
 * try (RingfenceMetrics metrics = RingfenceMetrics.of(engine)) {
 *   metrics.bindTo(registry);
 *   ... // serve
 * }
 * }</pre>
 */
public interface RingfenceMetrics extends MeterBinder, AutoCloseable {

  /**
   * A binder for an engine's metrics; nothing is registered until {@link #bindTo}.
   *
   * @param engine the engine whose rollouts are measured
   * @return the binder, open
   * @throws NullPointerException if {@code engine} is null
   */
  static RingfenceMetrics of(RolloutEngine engine) {
    return new EngineMetrics(requireNonNull(engine, "engine"));
  }

  /**
   * Registers the meters of the engine's live rollouts in {@code registry} and keeps them current as
   * rollouts start and end. Binding a registry a second time does nothing.
   *
   * @param registry the registry
   * @throws NullPointerException if {@code registry} is null
   * @throws IllegalStateException if the binder was closed
   */
  @Override
  void bindTo(MeterRegistry registry);

  /**
   * Unsubscribes from the engine and removes every meter this binder registered, from every registry it
   * was bound to; afterwards the binder holds neither the engine nor a registry. Idempotent.
   */
  @Override
  void close();
}
