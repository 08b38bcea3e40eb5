package dev.ringfence.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidSignalException;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestTest {

  private static final EndpointAttributes HOST = Fixtures.WINDOWS;

  private ManualClock clock;
  private RolloutStore store;
  private RolloutEngine engine;
  private Rollout rollout;
  private final AtomicReference<GateContext> seen = new AtomicReference<>();
  private List<String> exposed;
  private List<String> others;

  @BeforeEach
  void setUp() {
    clock = ManualClock.at("2026-11-23T10:00:00Z");
    store = RolloutStores.inMemory();
    engine = engine(store);
    rollout = engine.createRollout(Fixtures.spec("r", Fixtures.fourRings()));
    rollout.start();
    List<String> fleet = IntStream.range(0, 20_000).mapToObj(i -> "host-" + i).collect(Collectors.toList());
    exposed = new ArrayList<>();
    others = new ArrayList<>();
    for (String id : fleet) {
      (rollout.decide(id, HOST, 41).kind() == Decision.Kind.OFFER ? exposed : others).add(id);
    }
    assertThat(exposed).hasSize(50);
  }

  /** The scripted gate records what it saw and answers INCONCLUSIVE, so the rollout stays put. */
  private RolloutEngine engine(RolloutStore s) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(s)
        .heartbeatInterval(Duration.ofMinutes(1))
        .gate("scripted", spec -> context -> {
          seen.set(context);
          return Verdict.inconclusive("seen", "recording", Map.of());
        }).build());
  }

  private ArmStats candidate() {
    engine.tick();
    return seen.get().candidate();
  }

  private ArmStats control() {
    engine.tick();
    return seen.get().control();
  }

  @Test
  void heartbeatOnCandidate_fromExposedEndpoint_countsHealthyOnce() {
    String id = exposed.get(0);
    assertThat(rollout.ingest(new Heartbeat(id, 1, 1, 42, 0))).isEqualTo(IngestResult.ACCEPTED);
    assertThat(rollout.ingest(new Heartbeat(id, 1, 2, 42, 0))).isEqualTo(IngestResult.ACCEPTED);
    assertThat(candidate()).isEqualTo(new ArmStats(1, 0, 0, 0, 0));
    assertThat(seen.get().candidateInRing()).isEqualTo(new ArmStats(1, 0, 0, 0, 0));
  }

  @Test
  void crashAfterHealthy_movesTheEndpointToCrashed_andAFailureIsFinal() {
    String id = exposed.get(0);
    rollout.ingest(new ApplyResult(id, 1, 1, 42, ApplyOutcome.ACTIVATED, ""));
    rollout.ingest(new Heartbeat(id, 2, 0, 42, 2));
    rollout.ingest(new Heartbeat(id, 3, 0, 42, 0)); // healthy again later: the crash still counts
    assertThat(candidate()).isEqualTo(new ArmStats(0, 1, 0, 0, 0));
  }

  @Test
  void activation_provesNothing_theDeadlineStillRuns() {
    String id = exposed.get(0);
    assertThat(rollout.ingest(new ApplyResult(id, 1, 1, 42, ApplyOutcome.ACTIVATED, "staged")))
        .isEqualTo(IngestResult.ACCEPTED);
    assertThat(candidate()).as("activated, then crashed on load: still pending").isEqualTo(new ArmStats(0, 0, 0, 0, 0));
    rollout.ingest(new Heartbeat(id, 1, 2, 42, 0));
    assertThat(candidate()).isEqualTo(new ArmStats(1, 0, 0, 0, 0));
  }

  @Test
  void applyOutcomes_countAsTheirKindOfFailure() {
    rollout.ingest(new ApplyResult(exposed.get(0), 1, 1, 42, ApplyOutcome.VALIDATION_FAILED, "21 fields, 20 given"));
    rollout.ingest(new ApplyResult(exposed.get(1), 1, 1, 42, ApplyOutcome.CRASHED, "read out of bounds"));
    rollout.ingest(new ApplyResult(exposed.get(2), 1, 1, 42, ApplyOutcome.REVERTED_BY_AGENT, "3 failed starts"));
    rollout.ingest(new ProbeReading(exposed.get(3), 1, 1, 42, "cpu", 0.3));
    assertThat(candidate()).isEqualTo(new ArmStats(1, 1, 1, 0, 1));
  }

  @Test
  void duplicatesAndReplays_areIgnoredAndCounted_newBootIsAccepted() {
    String id = exposed.get(0);
    assertThat(rollout.ingest(new Heartbeat(id, 5, 10, 42, 0))).isEqualTo(IngestResult.ACCEPTED);
    assertThat(rollout.ingest(new Heartbeat(id, 5, 10, 42, 3))).isEqualTo(IngestResult.DUPLICATE);
    assertThat(rollout.ingest(new Heartbeat(id, 5, 9, 42, 3))).isEqualTo(IngestResult.DUPLICATE);
    assertThat(rollout.ingest(new Heartbeat(id, 4, 99, 42, 3))).isEqualTo(IngestResult.DUPLICATE);
    assertThat(candidate()).isEqualTo(new ArmStats(1, 0, 0, 0, 0));
    assertThat(rollout.ingest(new Heartbeat(id, 6, 0, 42, 1))).isEqualTo(IngestResult.ACCEPTED);
    assertThat(candidate()).isEqualTo(new ArmStats(0, 1, 0, 0, 0));
  }

  @Test
  void baselineReports_fromEndpointsNeverAdmitted_formTheControlArm() {
    rollout.ingest(new Heartbeat(others.get(0), 1, 1, 41, 0));
    rollout.ingest(new Heartbeat(others.get(1), 1, 1, 41, 1));
    rollout.ingest(new Heartbeat(others.get(2), 1, 1, 41, 0));
    assertThat(rollout.ingest(new Heartbeat(others.get(2), 1, 1, 41, 0))).isEqualTo(IngestResult.DUPLICATE);
    assertThat(control()).isEqualTo(new ArmStats(2, 1, 0, 0, 0));
    assertThat(seen.get().candidate()).isEqualTo(ArmStats.EMPTY);
  }

  @Test
  void candidateClaimedWithoutAnOffer_isAnAnomaly_andExcludedFromVerdicts() {
    assertThat(rollout.ingest(new Heartbeat(others.get(0), 1, 1, 42, 5))).isEqualTo(IngestResult.ANOMALY);
    assertThat(rollout.ingest(new Heartbeat(exposed.get(0), 1, 1, 17, 0))).isEqualTo(IngestResult.ANOMALY);
    assertThat(candidate()).isEqualTo(ArmStats.EMPTY);
    assertThat(seen.get().control()).isEqualTo(ArmStats.EMPTY);
  }

  @Test
  void silence_pastTheDeadline_countsAsFailure_reportsInTimeDoNot() {
    clock.advance(Duration.ofMinutes(1));
    rollout.ingest(new Heartbeat(exposed.get(0), 1, 1, 42, 0));
    clock.advance(Duration.ofMinutes(1).plusSeconds(59));
    assertThat(candidate().silent()).isZero();
    clock.advance(Duration.ofSeconds(1)); // 3 heartbeat intervals after the offer
    ArmStats stats = candidate();
    assertThat(stats.silent()).isEqualTo(49);
    assertThat(stats.healthy()).isEqualTo(1);
    // A late heartbeat brings its endpoint back to the arm at risk; its silence stays counted as a failure.
    rollout.ingest(new Heartbeat(exposed.get(1), 1, 1, 42, 0));
    assertThat(candidate().silent()).isEqualTo(48);
    assertThat(rollout.metrics().silentFailures()).isEqualTo(49);
    // The endpoint that reported at minute 1 goes quiet too, three intervals after its report.
    clock.advance(Duration.ofMinutes(1));
    assertThat(candidate().silent()).isEqualTo(49);
    assertThat(candidate().healthy()).isEqualTo(1);
  }

  @Test
  void restart_givesExposedEndpointsAFreshDeadline_insteadOfCountingThemSilentAtOnce() {
    clock.advance(Duration.ofMinutes(10));
    RolloutEngine restarted = engine(store);
    restarted.tick();
    assertThat(seen.get().candidate().silent()).isZero();
    clock.advance(Duration.ofMinutes(3));
    restarted.tick();
    assertThat(seen.get().candidate().silent()).isEqualTo(50);
  }

  @Test
  void baselineHeartbeats_fromExposedEndpoints_finishTheRollback() {
    rollout.halt("candidate crashes");
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    for (String id : exposed) {
      rollout.ingest(new Heartbeat(id, 2, 1, 41, 0));
    }
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void signals_badFields_getTypedExceptionsNamingTheField() {
    assertThatThrownBy(() -> new Heartbeat(" ", 1, 1, 1, 0)).isInstanceOf(InvalidSignalException.class)
        .extracting(e -> ((InvalidSignalException) e).field()).isEqualTo("endpointId");
    assertThatThrownBy(() -> new Heartbeat("h", -1, 1, 1, 0)).hasMessageContaining("bootId");
    assertThatThrownBy(() -> new Heartbeat("h", 1, 1L << 32, 1, 0)).hasMessageContaining("sequence");
    assertThatThrownBy(() -> new Heartbeat("h", 1, 1, -2, 0)).hasMessageContaining("version");
    assertThatThrownBy(() -> new Heartbeat("h", 1, 1, 1, -1)).hasMessageContaining("failedStarts");
    assertThatThrownBy(() -> new ApplyResult("h", 1, 1, 1, null, "")).hasMessageContaining("outcome");
    assertThatThrownBy(() -> new ApplyResult("h", 1, 1, 1, ApplyOutcome.CRASHED, "x".repeat(1001)))
        .hasMessageContaining("reason");
    assertThatThrownBy(() -> new ProbeReading("h", 1, 1, 1, "", 1)).hasMessageContaining("metric");
    assertThatThrownBy(() -> new ProbeReading("h", 1, 1, 1, "cpu", Double.NaN)).hasMessageContaining("value");
    assertThatThrownBy(() -> rollout.ingest(null)).isInstanceOf(InvalidSignalException.class);
  }

  @Test
  void controlEndpointThatIsLaterAdmitted_keepsItsBaselineOutcome_andStartsAfreshOnTheCandidate() {
    Rollout second = engine.createRollout(Fixtures.spec("second", Fixtures.fourRings()));
    Cohort cohort = Cohort.withSalt(second.spec().salt());
    String inCohort = IntStream.range(0, 20_000).mapToObj(i -> "late-" + i).filter(id -> cohort.bucket(id) < 100)
        .findFirst().orElseThrow();
    second.start();
    assertThat(second.ingest(new Heartbeat(inCohort, 1, 1, 41, 2))).isEqualTo(IngestResult.ACCEPTED);
    engine.tick();
    assertThat(seen.get().rolloutId()).isEqualTo("second"); // judged after r
    assertThat(seen.get().control()).isEqualTo(new ArmStats(0, 1, 0, 0, 0));
    assertThat(second.decide(inCohort, HOST, 41).kind()).isEqualTo(Decision.Kind.OFFER);
    second.ingest(new Heartbeat(inCohort, 1, 2, 42, 0));
    engine.tick();
    assertThat(seen.get().rolloutId()).isEqualTo("second");
    assertThat(seen.get().control()).isEqualTo(new ArmStats(0, 1, 0, 0, 0)); // observed on the baseline
    assertThat(seen.get().candidate()).isEqualTo(new ArmStats(1, 0, 0, 0, 0));
  }

  @Test
  void candidateHeartbeatAfterCompletion_fromAnEndpointNeverAdmitted_isAccepted() {
    RolloutEngine plain = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).build());
    Rollout done = plain.createRollout(Fixtures.spec("done", dev.ringfence.core.plan.Plan.builder("one")
        .ring(dev.ringfence.core.plan.Ring.named("all").share(100).cap(10).bakeTime(Duration.ZERO)
            .gate(dev.ringfence.core.plan.GateSpec.timeAndSample()).build())
        .build()));
    done.start();
    plain.tick();
    assertThat(done.state()).isEqualTo(RolloutState.COMPLETED);
    Cohort cohort = Cohort.withSalt(done.spec().salt());
    String late = IntStream.range(0, 20_000).mapToObj(i -> "late-" + i).filter(id -> cohort.bucket(id) < 100)
        .findFirst().orElseThrow();
    assertThat(done.decide(late, HOST, 41).kind()).isEqualTo(Decision.Kind.OFFER);
    assertThat(done.ingest(new Heartbeat(late, 1, 0, 42, 0))).isEqualTo(IngestResult.ACCEPTED);
  }

  @Test
  void cohortOfExposedEndpoints_isWhatTheSignalsAreCountedAgainst() {
    Cohort cohort = Cohort.withSalt(rollout.spec().salt());
    assertThat(exposed).allSatisfy(id -> assertThat(cohort.bucket(id)).isLessThan(100));
  }
}
