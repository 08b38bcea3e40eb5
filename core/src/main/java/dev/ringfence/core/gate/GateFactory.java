package dev.ringfence.core.gate;

import dev.ringfence.core.plan.GateSpec;

/**
 * Makes a {@link Gate} from a plan's {@link GateSpec}. Registered with the engine under the spec's
 * type; it should refuse bad parameters with {@link dev.ringfence.core.plan.InvalidPlanException}.
 */
@FunctionalInterface
public interface GateFactory {

  /**
   * Makes the gate of one ring.
   *
   * @param spec the ring's gate spec
   * @return the gate
   */
  Gate create(GateSpec spec);
}
