package dev.ringfence.micrometer;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.micrometer.internal.EngineMetrics;
import dev.ringfence.protocol.InvalidInputException;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer metrics of a {@link RolloutEngine}, tagged {@code rollout} and {@code channel}:
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
 * Rollouts created after binding get their meters at their first transition.
 */
public final class RingfenceMetrics {

  private RingfenceMetrics() {}

  /**
   * A binder for an engine's metrics: {@code RingfenceMetrics.of(engine).bindTo(registry)}.
   *
   * @param engine the engine
   * @return the binder
   */
  public static MeterBinder of(RolloutEngine engine) {
    if (engine == null) {
      throw new InvalidInputException("engine", "is null");
    }
    return new EngineMetrics(engine);
  }
}
