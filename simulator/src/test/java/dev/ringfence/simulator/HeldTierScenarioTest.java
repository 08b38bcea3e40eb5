package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.plan.Ring;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Scenario {@code held-tier-crash}: the candidate crashes only the critical tier, which the plan holds. Before held
 * tiers were canaried the whole tier took the candidate when the last ring opened, and about 40% of it had crashed
 * by the halt (at these six seeds and 10,000 endpoints: 381 to 422 hosts; docs/scenarios.md). Now the tier's canary
 * ring takes it first, so no more hosts crash than that ring's cap (measured: 7 to 16).
 */
class HeldTierScenarioTest {

  private static final int ENDPOINTS = 10_000;

  @Test
  void heldTierCrash_haltsInTheTiersCanary_withNoMoreCrashedThanItsCap_overSixSeeds() {
    ScenarioReader.Loaded loaded = ScenarioReader.load("held-tier-crash");
    List<Ring> rings = loaded.plan().allRings();
    Ring canary = rings.get(loaded.plan().rings().size());
    assertThat(canary.name()).isEqualTo("held:critical:canary");
    long cap = canary.cap();
    assertThat(cap).isEqualTo(20);

    List<SimulationReport.Run> runs = LongStream.rangeClosed(1, 6).mapToObj(seed -> FleetSimulator
        .simulateWithRingfence(loaded, seed, ENDPOINTS, FleetSimulator.ProgressListener.NONE)).toList();

    for (int i = 0; i < runs.size(); i++) {
      SimulationReport.Run run = runs.get(i);
      assertThat(run.outcome()).as("seed %d", i + 1).isEqualTo("ROLLED_BACK");
      assertThat(run.crashedOnCandidate()).as("seed %d: crashed critical hosts", i + 1).isBetween(1, (int) cap);
      SimulationReport.Transition halt = run.transitions().stream().filter(t -> t.to().equals("HALTED"))
          .findFirst().orElseThrow();
      assertThat(halt.ring()).as("seed %d", i + 1).isEqualTo("held:critical:canary");
      assertThat(run.ringOpenings()).extracting(SimulationReport.RingOpening::ring)
          .containsExactly("canary", "early", "everyone", "held:critical:canary");
      assertThat(run.failuresByAttribute()).as("seed %d", i + 1).first()
          .satisfies(f -> assertThat(f.value()).isEqualTo("critical"));
    }
  }
}
