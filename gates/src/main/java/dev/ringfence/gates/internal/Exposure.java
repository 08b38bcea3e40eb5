package dev.ringfence.gates.internal;

import dev.ringfence.core.gate.GateContext;

/**
 * How many endpoints had the candidate at the tick that started a measurement, copied from the {@link
 * GateContext} on the tick thread.
 *
 * @param inRing endpoints admitted while the judged ring was open
 * @param total endpoints admitted over the whole rollout
 */
public record Exposure(long inRing, long total) {

  /**
   * @param context the context of the tick
   * @return its exposure counts
   */
  public static Exposure of(GateContext context) {
    return new Exposure(context.exposedInRing(), context.exposedTotal());
  }
}
