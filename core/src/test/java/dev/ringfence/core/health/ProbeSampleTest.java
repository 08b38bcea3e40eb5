package dev.ringfence.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the probe judge is given: one value per endpoint and arm (its second reading on the arm's version),
 * each with the window it came in.
 */
class ProbeSampleTest {

  private final ManualClock clock = ManualClock.at("2026-12-02T10:00:00Z");
  private final AtomicReference<GateContext> seen = new AtomicReference<>();
  private final RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock)
      .store(RolloutStores.inMemory()).heartbeatInterval(Duration.ofMinutes(1)).gate("scripted", spec -> c -> {
        seen.set(c);
        return Verdict.inconclusive("seen", "recording", Map.of());
      }).build());
  private final List<String> candidates = new ArrayList<>();
  private final List<String> controls = new ArrayList<>();
  private long sequence;

  private Rollout start() {
    Plan plan = Fixtures.oneLargeRing("p", Ring.named("canary").share(2_000).bakeTime(Duration.ofHours(1))
        .gate(GateSpec.of("scripted")).build(), "a small test fleet");
    Rollout r = engine.createRollout(RolloutSpec.builder("r").channel("c").baseline(1).candidate(2).plan(plan)
        .salt(5).build());
    r.start();
    for (int i = 0; candidates.size() < 30 || controls.size() < 30; i++) {
      String id = "e-" + i;
      (r.decide(id, EndpointAttributes.UNKNOWN, 1).kind() == Decision.Kind.OFFER ? candidates : controls).add(id);
    }
    return r;
  }

  private void read(Rollout r, List<String> ids, long version, double value) {
    for (String id : ids) {
      r.ingest(new ProbeReading(id, 1, ++sequence, version, "cpu", value));
    }
  }

  private ProbeSamples samples() {
    engine.tick();
    return seen.get().probeSamples("cpu");
  }

  @Test
  void firstReadingAfterARestartIsLeftOut_theNextThreeAreAveraged_laterOnesAddNothing() {
    Rollout r = start();
    read(r, candidates, 2, 95); // start-up transient right after install
    read(r, controls, 1, 90);
    read(r, candidates, 2, 20);
    read(r, controls, 1, 19);
    read(r, candidates, 2, 22);
    read(r, controls, 1, 20);
    assertThat(samples().candidate()).isEmpty(); // two of the three readings so far
    read(r, candidates, 2, 24);
    read(r, controls, 1, 21);
    read(r, candidates, 2, 500); // the endpoint already gave its value
    ProbeSamples s = samples();
    assertThat(s.candidate()).hasSize(candidates.size()).containsOnly(22.0);
    assertThat(s.control()).hasSize(controls.size()).containsOnly(20.0);
    assertThat(Arrays.stream(s.candidateWindows()).distinct().count()).isEqualTo(1);
    assertThat(s.controlWindows()).containsOnly(s.candidateWindows()[0]);
  }

  @Test
  void valuesCarryTheWindowTheyWereCompleteIn_theSilenceDeadlineWide() {
    Rollout r = start();
    List<String> early = candidates.subList(0, 10);
    List<String> late = candidates.subList(10, 20);
    for (int i = 0; i < 3; i++) {
      read(r, candidates, 2, 50);
    }
    read(r, early, 2, 1);
    clock.advance(Duration.ofMinutes(3)); // the silence deadline: 3 heartbeat intervals
    read(r, late, 2, 2);
    ProbeSamples s = samples();
    assertThat(s.candidate()).hasSize(20);
    int[] windows = s.candidateWindows();
    assertThat(Arrays.stream(windows).distinct().count()).isEqualTo(2);
    int first = Arrays.stream(windows).min().orElseThrow();
    for (int i = 0; i < windows.length; i++) { // early: (50 + 50 + 1) / 3, late: (50 + 50 + 2) / 3
      assertThat(windows[i]).isEqualTo(s.candidate()[i] < 33.8 ? first : first + 1);
    }
  }
}
