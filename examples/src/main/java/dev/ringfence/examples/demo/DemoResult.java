package dev.ringfence.examples.demo;

import dev.ringfence.core.RolloutState;
import java.util.List;

/**
 * What one run of the {@link CanaryDemo} ended with.
 *
 * @param seed the seed of the run
 * @param fleetSize endpoints in the fleet
 * @param windowsHosts windows endpoints in the fleet: the blast radius without rings
 * @param goodState final state of the good rollout
 * @param goodOnCandidate endpoints on the good candidate at the end
 * @param badState final state of the bad rollout
 * @param badExposed endpoints ever admitted to the bad rollout
 * @param badExposedPerRing of those, per ring
 * @param badCrashed endpoints that crashed on the bad candidate
 * @param badReverted exposed endpoints that reported the baseline again
 * @param canaryCap the cap of the first ring
 * @param haltCause cause of the bad rollout's halt, empty if it never halted
 */
public record DemoResult(long seed, int fleetSize, int windowsHosts, RolloutState goodState, int goodOnCandidate,
    RolloutState badState, long badExposed, List<Long> badExposedPerRing, long badCrashed, long badReverted,
    long canaryCap, String haltCause) {

  /** Copies the list. */
  public DemoResult {
    badExposedPerRing = List.copyOf(badExposedPerRing);
  }
}
