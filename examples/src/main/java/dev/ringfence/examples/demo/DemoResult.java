package dev.ringfence.examples.demo;

import dev.ringfence.core.RolloutState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param badCrashed endpoints that crashed while running the bad candidate
 * @param badReverted exposed endpoints that reported the baseline again
 * @param canaryCap the cap of the first ring
 * @param haltCause cause of the bad rollout's halt, empty if it never halted
 * @param haltTest the judge's test that halted it ({@code catastrophe} or {@code sprt}), empty if none
 * @param haltEvidence the numbers behind the halting verdict by name, empty if none
 */
public record DemoResult(long seed, int fleetSize, int windowsHosts, RolloutState goodState, int goodOnCandidate,
    RolloutState badState, long badExposed, List<Long> badExposedPerRing, long badCrashed, long badReverted,
    long canaryCap, String haltCause, String haltTest, Map<String, Double> haltEvidence) {

  /** Copies the collections. */
  public DemoResult {
    badExposedPerRing = List.copyOf(badExposedPerRing);
    haltEvidence = Collections.unmodifiableMap(new LinkedHashMap<>(haltEvidence));
  }
}
