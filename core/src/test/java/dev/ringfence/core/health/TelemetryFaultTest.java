package dev.ringfence.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Both arms are observed alike, so hosts that go quiet for reasons that are not the release pause the
 * rollout instead of halting it, and it resumes by itself; silence in the candidate alone still halts.
 */
class TelemetryFaultTest {

  private static final int FLEET = 4_000;

  private final ManualClock clock = ManualClock.at("2026-12-02T10:00:00Z");
  private final RolloutStore store = RolloutStores.inMemory();
  private final RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
      .heartbeatInterval(Duration.ofMinutes(1)).build());
  private final Map<String, Long> sequence = new HashMap<>();
  private final List<String> exposed = new ArrayList<>();
  private final List<String> fleet = new ArrayList<>();
  private Rollout rollout;

  private static EndpointAttributes region(int i) {
    return EndpointAttributes.builder().os("windows").region(i % 2 == 0 ? "us-east" : "eu-west").build();
  }

  private void start() {
    Plan plan = Plan.builder("telemetry")
        .ring(Ring.named("canary").share(500).cap(400).bakeTime(Duration.ofHours(3)).minSample(20).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ofMinutes(30)).build())
        .override(new LintOverride(LintRule.FIRST_RING_TOO_LARGE, "canary", "a small test fleet"))
        .override(new LintOverride(LintRule.STEP_TOO_LARGE, "all", "a small test fleet"))
        .build();
    rollout = engine.createRollout(RolloutSpec.builder("t").channel("c").baseline(1).candidate(2).plan(plan)
        .salt(7).build());
    rollout.start();
    for (int i = 0; i < FLEET; i++) {
      String id = "host-" + i;
      fleet.add(id);
      if (rollout.decide(id, region(i), 1).kind() == Decision.Kind.OFFER) {
        exposed.add(id);
      }
    }
    assertThat(exposed).hasSizeBetween(150, 250);
  }

  /** One minute: every host for which {@code reports} holds sends its heartbeat; then the engine ticks. */
  private void minute(IntPredicate reports) {
    advance(Duration.ofMinutes(1), reports);
  }

  private void advance(Duration by, IntPredicate reports) {
    clock.advance(by);
    for (int i = 0; i < FLEET; i++) {
      String id = fleet.get(i);
      if (reports.test(i)) {
        long version = exposed.contains(id) ? 2 : 1;
        rollout.ingest(new Heartbeat(id, 1, sequence.merge(id, 1L, Long::sum), version, 0));
      }
    }
    engine.tick();
  }

  private List<JournalEntry.Transitioned> transitions() {
    return store.read("t").stream().filter(e -> e instanceof JournalEntry.Transitioned)
        .map(e -> (JournalEntry.Transitioned) e).collect(Collectors.toList());
  }

  @Test
  void regionOutageInBothArms_pausesWithTheRegionNamed_andResumesByItself_neverHalts() {
    start();
    for (int m = 0; m < 10; m++) {
      minute(i -> true);
    }
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    for (int m = 0; m < 10; m++) {
      minute(i -> i % 2 == 1); // us-east is offline: neither arm hears from it
    }
    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    JournalEntry.Transitioned pause = transitions().get(transitions().size() - 1);
    assertThat(pause.trigger()).isEqualTo(Trigger.TELEMETRY_PAUSE);
    assertThat(pause.cause()).startsWith("reports from region=us-east fell 100% in both arms (candidate ")
        .contains("a telemetry fault, not a regression");
    for (int m = 0; m < 5; m++) {
      minute(i -> true);
    }
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(transitions()).extracting(JournalEntry.Transitioned::trigger)
        .containsExactly(Trigger.START, Trigger.TELEMETRY_PAUSE, Trigger.TELEMETRY_RESUME);
    assertThat(transitions().get(2).cause()).contains("resumed by itself");
  }

  /**
   * A candidate restarts after install, so its reporting times differ from the control's: a regional
   * outage can silence the candidate's last reports a whole interval before the control's, and their
   * silence deadlines come first. Those silences must not be counted as the candidate's failures before
   * the control's show that the region went quiet.
   */
  @Test
  void regionOutageThatReachesTheCandidateAnIntervalEarlier_pausesAndCountsNoSilence() {
    start();
    AtomicReference<Boolean> outage = new AtomicReference<>(false);
    long[] outageStart = new long[1];
    long[] step = new long[1];
    // Every host reports once a minute, half of them on the half minute; 30-second ticks.
    IntPredicate reports = i -> {
      boolean due = ((i / 2) + step[0]) % 2 == 0;
      if (!outage.get() || i % 2 == 1) {
        return due;
      }
      boolean candidate = exposed.contains(fleet.get(i));
      long since = step[0] - outageStart[0];
      return due && !candidate && since < 2; // us-east: the candidate is cut off a minute before the control
    };
    for (int s = 0; s < 20; s++) {
      halfMinute(reports, step);
    }
    outage.set(true);
    outageStart[0] = step[0];
    for (int s = 0; s < 20; s++) {
      halfMinute(reports, step);
      assertThat(rollout.state().isHalted()).as("halted at step %d", step[0]).isFalse();
    }
    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(transitions().get(1).cause()).startsWith("reports from region=us-east fell 100% in both arms");
    outage.set(false);
    for (int s = 0; s < 10; s++) {
      halfMinute(reports, step);
    }
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(transitions()).extracting(JournalEntry.Transitioned::trigger)
        .containsExactly(Trigger.START, Trigger.TELEMETRY_PAUSE, Trigger.TELEMETRY_RESUME);
  }

  private void halfMinute(IntPredicate reports, long[] step) {
    advance(Duration.ofSeconds(30), reports);
    step[0]++;
  }

  @Test
  void candidateAloneGoesQuiet_haltsWithoutAPause() {
    start();
    for (int m = 0; m < 10; m++) {
      minute(i -> true);
    }
    for (int m = 0; m < 10 && !rollout.state().isHalted(); m++) {
      minute(i -> !exposed.contains(fleet.get(i))); // the candidate crash-loops before its network is up
    }
    assertThat(rollout.state().isHalted()).isTrue();
    assertThat(transitions()).extracting(JournalEntry.Transitioned::trigger)
        .containsExactly(Trigger.START, Trigger.GATE_FAIL, Trigger.BEGIN_ROLLBACK);
    assertThat(transitions().get(1).verdict().test()).isIn(HealthGate.HAZARD_TEST, "catastrophe");
  }

  @Test
  void controlHostThatGoesQuietAfterReporting_isSilentInTheControl_likeACandidate() {
    AtomicReference<GateContext> seen = new AtomicReference<>();
    RolloutEngine scripted = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .heartbeatInterval(Duration.ofMinutes(1)).gate("scripted", spec -> context -> {
          seen.set(context);
          return Verdict.inconclusive("seen", "recording", Map.of());
        }).build());
    Plan plan = Plan.builder("p").ring(Ring.named("canary").share(100).cap(10).bakeTime(Duration.ofHours(1))
        .gate(GateSpec.of("scripted")).build()).build();
    Rollout r = scripted.createRollout(RolloutSpec.builder("q").channel("c").baseline(1).candidate(2).plan(plan)
        .build());
    r.start();
    String control = null;
    String candidate = null;
    int controls = 0;
    int[] controlsPerRegion = new int[2];
    int candidateRegion = -1;
    for (int i = 0; control == null || candidate == null; i++) {
      if (r.decide("c-" + i, region(i), 1).kind() != Decision.Kind.OFFER) {
        control = control == null ? "c-" + i : control;
        controls++;
        controlsPerRegion[i % 2]++;
      } else if (candidate == null) {
        candidate = "c-" + i;
        candidateRegion = i % 2;
      }
    }
    r.ingest(new Heartbeat(control, 1, 1, 1, 0));
    clock.advance(Duration.ofMinutes(2));
    scripted.tick();
    assertThat(seen.get().control().healthy()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1)); // three intervals since its report
    scripted.tick();
    assertThat(seen.get().control().silent()).isEqualTo(controls); // it, and the polled ones never heard of
    assertThat(seen.get().control().healthy()).isZero();
    r.ingest(new Heartbeat(control, 1, 2, 1, 0)); // back: at risk again, its silence still counted
    scripted.tick();
    assertThat(seen.get().control().healthy()).isEqualTo(1);
    // Every control endpoint went quiet at the same deadline: this one after its report, the others (polled,
    // never reported) without one. All count, as they would in the candidate arm; the hazard test weighs
    // those of the candidate's stratum (its region), where the candidate is at risk too.
    assertThat(seen.get().hazard(2, 0.01).controlFailures()).isEqualTo(controlsPerRegion[candidateRegion]);
    assertThat(seen.get().control().silent()).isEqualTo(controls - 1L); // the others stay unheard
  }

  @Test
  void holdback_staysOnTheBaselineWhileTheRolloutRuns_andGetsTheCandidateWhenItCompletes() {
    Plan plan = Fixtures.oneLargeRing("p", Ring.named("everyone").share(10_000).gate(GateSpec.timeAndSample()).build(),
        "only the holdback is tested");
    Rollout r = engine.createRollout(RolloutSpec.builder("h").channel("c").baseline(1).candidate(2).plan(plan)
        .salt(3).build());
    r.start();
    Cohort cohort = Cohort.withSalt(3);
    String held = null;
    String other = null;
    for (int i = 0; held == null || other == null; i++) {
      String id = "h-" + i;
      if (cohort.bucket(id) >= Cohort.BUCKETS - RolloutEngineConfig.DEFAULT_CONTROL_HOLDBACK) {
        held = held == null ? id : held;
      } else {
        other = other == null ? id : other;
      }
    }
    Decision heldDecision = r.decide(held, region(0), 1);
    assertThat(heldDecision.kind()).isEqualTo(Decision.Kind.STAY);
    assertThat(heldDecision.reason()).contains("holdback");
    assertThat(r.decide(other, region(0), 1).kind()).isEqualTo(Decision.Kind.OFFER);
    engine.tick();
    assertThat(r.state()).isEqualTo(RolloutState.COMPLETED);
    assertThat(r.decide(held, region(0), 1).kind()).isEqualTo(Decision.Kind.OFFER);
  }

  @Test
  void ringNamed_defaultsToTheHealthJudge() {
    assertThat(Ring.named("r").share(100).build().gate().type()).isEqualTo(HealthGate.TYPE);
  }
}
