package dev.ringfence.core;

import static dev.ringfence.core.testing.Fixtures.WINDOWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.RolloutMetrics.Arm;
import dev.ringfence.core.RolloutMetrics.SignalKind;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.FreezeWindow;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.PlanLintException;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.RingfenceException;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RolloutEngineTest extends EngineFixture {

  private static final int FLEET = 20_000;

  private final Rollout rollout = engine.createRollout(Fixtures.spec("r1", Fixtures.fourRings()));

  private List<String> fleet() {
    return IntStream.range(0, FLEET).mapToObj(i -> "host-" + i).collect(Collectors.toList());
  }

  private List<String> offered(Rollout r, List<String> ids) {
    List<String> result = new ArrayList<>();
    for (String id : ids) {
      if (r.decide(id, WINDOWS, 41).kind() == Kind.OFFER) {
        result.add(id);
      }
    }
    return result;
  }

  /** Starts the rollout and has the whole fleet ask once. @return the endpoints offered the candidate */
  private List<String> startAndAsk() {
    rollout.start();
    return offered(rollout, fleet());
  }

  private void passRing() {
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
  }

  @Test
  void decide_beforeStart_staysForEveryone() {
    for (String id : fleet().subList(0, 100)) {
      assertThat(rollout.decide(id, WINDOWS, 41).kind()).isEqualTo(Kind.STAY);
    }
    assertThat(rollout.status().exposedTotal()).isZero();
  }

  @Test
  void decide_firstRing_offersOnlyTheCohortUpToTheCap() {
    rollout.start();
    Cohort cohort = Cohort.withSalt(rollout.spec().salt());
    List<String> offered = offered(rollout, fleet());

    assertThat(offered).hasSize(50);
    assertThat(offered).allSatisfy(id -> assertThat(cohort.bucket(id)).isLessThan(100));
    long inCohort = fleet().stream().filter(id -> cohort.bucket(id) < 100).count();
    assertThat(inCohort).isGreaterThan(50);
    // The rest of the cohort is told to hold, the others to stay.
    String heldBack = fleet().stream().filter(id -> cohort.bucket(id) < 100 && !offered.contains(id)).findFirst()
        .orElseThrow();
    assertThat(rollout.decide(heldBack, WINDOWS, 41).kind()).isEqualTo(Kind.HOLD);
    String outside = fleet().stream().filter(id -> cohort.bucket(id) >= 100).findFirst().orElseThrow();
    Decision stay = rollout.decide(outside, WINDOWS, 41);
    assertThat(stay.kind()).isEqualTo(Kind.STAY);
    assertThat(stay.version()).isEqualTo(41);
  }

  @Test
  void decide_admittedEndpoint_isStickyAcrossCallsAndRings() {
    List<String> first = startAndAsk();
    passRing();
    assertThat(rollout.status().ringIndex()).isEqualTo(1);
    for (String id : first) {
      Decision d = rollout.decide(id, WINDOWS, 42);
      assertThat(d.kind()).isEqualTo(Kind.OFFER);
      assertThat(d.ringIndex()).isZero();
      assertThat(d.version()).isEqualTo(42);
    }
    List<String> second = offered(rollout, fleet());
    assertThat(second).containsAll(first).hasSize(50 + 500);
  }

  @Test
  void tick_beforeBakeTime_neverAdvancesEvenWhenTheGatePasses() {
    startAndAsk();
    clock.advance(Duration.ofMinutes(29));
    engine.tick();
    assertThat(rollout.status().ringIndex()).isZero();
    assertThat(gate.evaluations()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
    assertThat(rollout.status().ringIndex()).isEqualTo(1);
  }

  @Test
  void tick_belowMinimumSample_neverAdvances() {
    rollout.start();
    offered(rollout, fleet().subList(0, 200)); // a few of the cohort only
    assertThat(rollout.status().exposedPerRing().get(0)).isLessThan(10);
    passRing();
    assertThat(rollout.status().ringIndex()).isZero();
  }

  @Test
  void status_currentVerdict_hasTheLatestNumbers_whileTheJournaledOneKeepsItsMoment() {
    rollout.start();
    gate.answer(Outcome.INCONCLUSIVE);
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
    String first = rollout.status().currentVerdict().reason();
    assertThat(first).contains("with 0 exposed");
    int exposed = offered(rollout, fleet()).size();
    assertThat(exposed).isPositive();
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
    RolloutStatus status = rollout.status();
    assertThat(status.lastVerdict().reason()).as("journaled once, when the outcome was new").isEqualTo(first);
    assertThat(status.currentVerdict().reason()).as("this tick's numbers").contains("with " + exposed + " exposed");
    assertThat(status.currentVerdictAt()).isEqualTo(clock.instant());
  }

  @Test
  void tick_inconclusive_neverOpensTheNextRing() {
    startAndAsk();
    gate.answer(Outcome.INCONCLUSIVE);
    for (int i = 0; i < 4; i++) {
      passRing(); // 124 minutes: within bake time (30) plus the inconclusive limit (120)
    }
    assertThat(rollout.status().ringIndex()).isZero();
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(rollout.status().lastVerdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);

    passRing(); // 155 minutes: past the limit, the rollout pauses and says why
    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(rollout.status().ringIndex()).isZero();
    JournalEntry.Transitioned pause = lastTransition("r1");
    assertThat(pause.trigger()).isEqualTo(Trigger.INCONCLUSIVE_LIMIT);
    assertThat(pause.cause()).contains("still INCONCLUSIVE").contains("scripted INCONCLUSIVE");
  }

  @Test
  void dryRunGate_isJudgedAndRecorded_butNeverActs() {
    Plan plan = Fixtures.twoRings("dry", new GateSpec("scripted", java.util.Map.of("dryRun", true))).build();
    Rollout dry = engine.createRollout(Fixtures.spec("dry", plan));
    dry.start();
    offered(dry, fleet());
    gate.answer(Outcome.FAIL);
    engine.tick();
    assertThat(dry.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(dry.status().lastVerdict().outcome()).isEqualTo(Outcome.FAIL); // recorded
    clock.advance(Duration.ofMinutes(30));
    engine.tick();
    assertThat(dry.status().ringIndex()).isEqualTo(1); // time and sample alone decided
    assertThat(lastTransition("dry").cause()).contains("runs dry");
  }

  /**
   * {@code "onFail": "pause"} (issue 17, Argo Rollouts users' request): a FAIL pauses instead of halting, exposed
   * endpoints keep the candidate (no REVERT), a resume judges again (and pauses again on the next FAIL), and a halt
   * then rolls back. The journal says which it was, so a restart comes back PAUSED.
   */
  @Test
  void onFailPause_failPausesInsteadOfHalting_resumeJudgesAgain_haltRollsBack() {
    Plan plan = Fixtures.twoRings("careful", new GateSpec("scripted", java.util.Map.of("onFail", "pause"))).build();
    Rollout careful = engine.createRollout(Fixtures.spec("careful", plan));
    careful.start();
    List<String> exposed = offered(careful, fleet());
    assertThat(exposed).isNotEmpty();

    gate.answer(Outcome.FAIL);
    engine.tick();

    assertThat(careful.state()).isEqualTo(RolloutState.PAUSED);
    JournalEntry.Transitioned paused = lastTransition("careful");
    assertThat(paused.trigger()).isEqualTo(Trigger.GATE_FAIL_PAUSE);
    assertThat(paused.cause()).contains("failed its gate").contains("onFail: pause");
    assertThat(careful.decide(exposed.get(0), WINDOWS, 41).kind())
        .as("an exposed endpoint keeps the candidate: no rollback").isEqualTo(Kind.OFFER);
    engine.tick();
    assertThat(careful.state()).as("paused once, it stays paused").isEqualTo(RolloutState.PAUSED);

    careful.resume("looked at the dashboards");
    engine.tick();
    assertThat(careful.state()).as("resumed, the gate is judged again").isEqualTo(RolloutState.PAUSED);
    careful.halt("the regression is real");
    assertThat(careful.state().isHalted()).isTrue();
  }

  @Test
  void onFailParameter_thatIsNotRollbackOrPause_isRefusedWithThePath() {
    Plan plan = Fixtures.twoRings("careful", new GateSpec("scripted", java.util.Map.of("onFail", "ignore"))).build();
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("careful", plan)))
        .isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("rings[0].gate.params.onFail: must be \"rollback\" (the default) or \"pause\", found ignore");
  }

  @Test
  void dryRunParameter_thatIsNotABoolean_isRefusedWithThePath() {
    Plan plan = Fixtures.twoRings("dry", new GateSpec("scripted", java.util.Map.of("dryRun", "yes"))).build();
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("dry", plan)))
        .isInstanceOf(InvalidPlanException.class).hasMessageContaining("rings[0].gate.params.dryRun");
  }

  @Test
  void tick_allRingsPass_completesAndReleasesToEveryone() {
    rollout.start();
    for (int ring = 0; ring < 4; ring++) {
      offered(rollout, fleet());
      passRing();
    }
    assertThat(rollout.state()).isEqualTo(RolloutState.COMPLETED);
    assertThat(offered(rollout, fleet())).hasSize(FLEET);
  }

  @Test
  void gateFail_halts_rollsBackAtOnce_andRevertsOnlyExposedEndpoints() {
    List<String> exposed = startAndAsk();
    gate.answer(Outcome.FAIL);
    clock.advance(Duration.ofMinutes(1)); // long before the 30 minute bake time
    engine.tick();

    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    List<JournalEntry.Transitioned> transitions = transitions("r1");
    JournalEntry.Transitioned halt = transitions.get(transitions.size() - 2);
    JournalEntry.Transitioned rollback = transitions.get(transitions.size() - 1);
    assertThat(halt.trigger()).isEqualTo(Trigger.GATE_FAIL);
    assertThat(halt.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(halt.cause()).contains("canary").contains("scripted FAIL");
    assertThat(rollback.trigger()).isEqualTo(Trigger.BEGIN_ROLLBACK);
    assertThat(rollback.at()).isEqualTo(halt.at());

    for (String id : fleet()) {
      Decision d = rollout.decide(id, WINDOWS, exposed.contains(id) ? 42 : 41);
      assertThat(d.kind()).isEqualTo(exposed.contains(id) ? Kind.REVERT : Kind.STAY);
      assertThat(d.kind()).isNotEqualTo(Kind.OFFER);
    }
    // An endpoint that runs the candidate without having been admitted is told to revert too.
    String stranger = fleet().stream().filter(id -> !exposed.contains(id)).findFirst().orElseThrow();
    assertThat(rollout.decide(stranger, WINDOWS, 42).kind()).isEqualTo(Kind.REVERT);
  }

  @Test
  void rollback_allExposedBackOnBaseline_finishesRolledBack() {
    List<String> exposed = startAndAsk();
    rollout.halt("bad content seen in the lab");
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    for (String id : exposed.subList(0, exposed.size() - 1)) {
      assertThat(rollout.decide(id, WINDOWS, 41).kind()).isEqualTo(Kind.REVERT);
    }
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(rollout.stragglers()).containsExactly(exposed.get(exposed.size() - 1));

    rollout.decide(exposed.get(exposed.size() - 1), WINDOWS, 41);
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(rollout.status().revertedCount()).isEqualTo(exposed.size());
    assertThat(lastTransition("r1").cause()).contains("all " + exposed.size() + " exposed endpoints");
  }

  @Test
  void rollback_deadlinePassed_finishesAndListsStragglers() {
    List<String> exposed = startAndAsk();
    rollout.halt("crash reports from the field");
    rollout.decide(exposed.get(0), WINDOWS, 41);
    clock.advance(Duration.ofMinutes(59));
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLED_BACK);
    List<String> stragglers = rollout.stragglers();
    assertThat(stragglers).hasSize(exposed.size() - 1).doesNotContain(exposed.get(0)).isSorted();
    assertThat(lastTransition("r1").cause()).contains((exposed.size() - 1) + " of " + exposed.size())
        .contains(stragglers.get(0));
  }

  @Test
  void afterAHalt_theControlArmIsNoLongerObserved_itsSignalsCountForNoArm() {
    rollout.start();
    List<String> hosts = fleet().subList(0, 2000);
    List<String> exposed = offered(rollout, hosts);
    List<String> control = hosts.stream().filter(id -> !exposed.contains(id)).limit(3).toList();
    RolloutMetrics metrics = rollout.metrics();
    assertThat(rollout.ingest(new Heartbeat(control.get(0), 1, 1, 41, 0))).isEqualTo(IngestResult.ACCEPTED);
    assertThat(metrics.signals(SignalKind.HEARTBEAT, Arm.CONTROL, IngestResult.ACCEPTED)).isEqualTo(1);

    rollout.halt("crash reports from the field");
    for (String id : control) {
      assertThat(rollout.ingest(new Heartbeat(id, 1, 2, 41, 0))).isEqualTo(IngestResult.ACCEPTED);
    }
    // Nothing is judged once the candidate stopped: the baseline's reports are counted, for no arm.
    assertThat(metrics.signals(SignalKind.HEARTBEAT, Arm.CONTROL, IngestResult.ACCEPTED)).isEqualTo(1);
    assertThat(metrics.signals(SignalKind.HEARTBEAT, Arm.NONE, IngestResult.ACCEPTED)).isEqualTo(3);
    // The exposed are still heard: they come back to the baseline, which ends the rollback.
    assertThat(rollout.ingest(new Heartbeat(exposed.get(0), 1, 1, 42, 0))).isEqualTo(IngestResult.ACCEPTED);
    assertThat(metrics.signals(SignalKind.HEARTBEAT, Arm.CANDIDATE, IngestResult.ACCEPTED)).isEqualTo(1);
  }

  @Test
  void aFleetBeyondTheSampleThreshold_isObservedThroughOneBucketInEightAndTheWholeHoldback_earlierTracksKeptUp() {
    rollout.start();
    int salt = rollout.spec().salt();
    int holdbackFrom = Cohort.BUCKETS - RolloutEngineConfig.DEFAULT_CONTROL_HOLDBACK; // the last ring's control
    // Enough baseline endpoints that the control arm fills up: every one of them is observed.
    int fill = 135_000; // more than 131,072: a few of them are admitted (the first ring is capped)
    String early = null;
    for (int i = 0; i < fill; i++) {
      String id = "fill-" + i;
      int bucket = Cohort.bucket(id, salt);
      if (rollout.decide(id, WINDOWS, 41).kind() == Kind.STAY && early == null && bucket % SAMPLE_STRIDE != 0
          && bucket < holdbackFrom) {
        early = id; // outside the later sample, but tracked before it began
      }
    }
    String sampled = null;
    String holdback = null;
    String outside = null;
    for (int i = 0; sampled == null || holdback == null || outside == null; i++) {
      String id = "late-" + i;
      if (rollout.decide(id, WINDOWS, 41).kind() != Kind.STAY) {
        continue;
      }
      int bucket = Cohort.bucket(id, salt);
      if (bucket >= holdbackFrom && bucket % SAMPLE_STRIDE != 0) {
        holdback = holdback == null ? id : holdback;
      } else if (bucket % SAMPLE_STRIDE == 0) {
        sampled = sampled == null ? id : sampled;
      } else {
        outside = outside == null ? id : outside;
      }
    }
    RolloutMetrics metrics = rollout.metrics();
    rollout.ingest(new Heartbeat(sampled, 1, 1, 41, 0));
    rollout.ingest(new Heartbeat(holdback, 1, 1, 41, 0));
    rollout.ingest(new Heartbeat(early, 1, 1, 41, 0));
    assertThat(metrics.signals(SignalKind.HEARTBEAT, Arm.CONTROL, IngestResult.ACCEPTED)).isEqualTo(3);
    assertThat(rollout.ingest(new Heartbeat(early, 1, 1, 41, 0))).as("tracked: its repeat is told apart")
        .isEqualTo(IngestResult.DUPLICATE);
    assertThat(rollout.ingest(new Heartbeat(holdback, 1, 1, 41, 0))).as("the holdback is tracked whole")
        .isEqualTo(IngestResult.DUPLICATE);
    rollout.ingest(new Heartbeat(outside, 1, 1, 41, 0));
    assertThat(metrics.signals(SignalKind.HEARTBEAT, Arm.NONE, IngestResult.ACCEPTED)).isEqualTo(1);
    assertThat(metrics.signals(SignalKind.HEARTBEAT, Arm.CONTROL, IngestResult.ACCEPTED)).isEqualTo(3);
  }

  /** One cohort bucket in this many is in a big fleet's control sample (HealthTracker.CONTROL_SAMPLE_STRIDE). */
  private static final int SAMPLE_STRIDE = 8;

  @Test
  void halted_neverOffersAgain_evenAfterTimePassesAndTicks() {
    startAndAsk();
    rollout.halt("operator saw crashes");
    for (int i = 0; i < 5; i++) {
      passRing();
      assertThat(offered(rollout, fleet())).isEmpty();
    }
    assertThat(rollout.status().ringIndex()).isZero();
  }

  @Test
  void pause_holdsNewEndpoints_keepsExposedOnes_resumeContinues() {
    rollout.start();
    List<String> exposed = offered(rollout, fleet().subList(0, 2000));
    rollout.pause("investigating a support ticket");
    assertThat(exposed).allSatisfy(id -> assertThat(rollout.decide(id, WINDOWS, 42).kind()).isEqualTo(Kind.OFFER));
    Cohort cohort = Cohort.withSalt(rollout.spec().salt());
    String newcomer = fleet().subList(2000, FLEET).stream().filter(id -> cohort.bucket(id) < 100).findFirst()
        .orElseThrow();
    assertThat(rollout.decide(newcomer, WINDOWS, 41).kind()).isEqualTo(Kind.HOLD);
    passRing();
    assertThat(rollout.status().ringIndex()).isZero(); // paused rollouts never advance

    rollout.resume("ticket was unrelated");
    assertThat(rollout.decide(newcomer, WINDOWS, 41).kind()).isEqualTo(Kind.OFFER);
  }

  @Test
  void pausedRollout_gateFail_stillHalts() {
    startAndAsk();
    rollout.pause("weekend");
    gate.answer(Outcome.FAIL);
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void gateThrows_pausesWithAnErrorVerdict() {
    startAndAsk();
    gate.throwOnEvaluate(new IllegalStateException("metrics backend down"));
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    JournalEntry.Transitioned t = lastTransition("r1");
    assertThat(t.trigger()).isEqualTo(Trigger.GATE_ERROR);
    assertThat(t.verdict().outcome()).isEqualTo(Outcome.ERROR);
    assertThat(t.cause()).contains("metrics backend down");
  }

  @Test
  void freezeWindow_refusesStart_andDefersAdvanceUntilItEnds() {
    Instant from = Instant.parse("2026-11-23T10:15:00Z");
    FreezeWindow window = new FreezeWindow(from, from.plus(Duration.ofHours(2)), "year-end change freeze");
    Plan plan = Fixtures.twoRings("frozen", GateSpec.of("scripted")).freezeWindow(window).build();
    Rollout frozen = engine.createRollout(Fixtures.spec("frozen", plan));
    frozen.start(); // 10:00, before the window
    offered(frozen, fleet());
    passRing(); // 10:31, inside the window: the gate passes but nothing opens
    assertThat(frozen.status().ringIndex()).isZero();
    clock.set(from.plus(Duration.ofHours(2)));
    engine.tick();
    assertThat(frozen.status().ringIndex()).isEqualTo(1);

    Rollout late = engine.createRollout(Fixtures.spec("late", plan));
    clock.set(from.plus(Duration.ofMinutes(1)));
    assertThatThrownBy(late::start).isInstanceOf(FreezeWindowException.class)
        .hasMessageContaining("year-end change freeze").hasMessageContaining("2026-11-23T12:15:00Z");
    assertThat(late.state()).isEqualTo(RolloutState.PLANNED);
  }

  @Test
  void heldTier_staysThroughTheLastRing_untilItsOwnCanaryRingOpens() {
    Plan plan = Fixtures.twoRings("held", GateSpec.of(ScriptedGate.TYPE), 10_000).heldTiers("critical").build();
    Rollout held = engine.createRollout(Fixtures.spec("held", plan));
    EndpointAttributes critical = EndpointAttributes.builder().os("windows").tier("critical").build();
    held.start();
    Cohort cohort = Cohort.withSalt(held.spec().salt());
    String hospital = fleet().stream().filter(id -> cohort.bucket(id) < 100).findFirst().orElseThrow();
    Decision d = held.decide(hospital, critical, 41);
    assertThat(d.kind()).isEqualTo(Kind.STAY);
    assertThat(d.reason()).contains("held");
    assertThat(held.decide(hospital, WINDOWS, 41).kind()).isEqualTo(Kind.OFFER); // same bucket, other tier
    String otherHospital = fleet().stream().filter(id -> cohort.bucket(id) < 100 && !id.equals(hospital))
        .findFirst().orElseThrow();
    held.decide(otherHospital, WINDOWS, 41);
    gate.answer(Outcome.PASS);
    clock.advance(Duration.ofMinutes(30));
    engine.tick();
    assertThat(held.status().ringIndex()).isEqualTo(1);
    String lastRingHospital = fleet().stream().filter(id -> cohort.bucket(id) >= 100 && cohort.bucket(id) < 1000)
        .findFirst().orElseThrow();
    assertThat(held.decide(lastRingHospital, critical, 41).kind()).isEqualTo(Kind.STAY);
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
    assertThat(held.status().ringName()).isEqualTo("held:critical:canary");
    assertThat(held.decide(lastRingHospital, critical, 41).reason()).contains("outside its canary");
    String canaryHospital = fleet().stream().filter(id -> cohort.bucket(id) < 100 && !id.equals(hospital)
        && !id.equals(otherHospital)).findFirst().orElseThrow();
    assertThat(held.decide(canaryHospital, critical, 41).kind()).isEqualTo(Kind.OFFER);
  }

  @Test
  void velocityLimit_holdsPastTheHourlyBudget_andRefillsWithTime() {
    Plan plan = Fixtures.twoRings("slow", GateSpec.of(ScriptedGate.TYPE), 1000).maxNewExposuresPerHour(60).build();
    Rollout slow = engine.createRollout(Fixtures.spec("slow", plan));
    slow.start();
    List<String> ids = fleet();
    assertThat(offered(slow, ids)).hasSize(60);
    Cohort cohort = Cohort.withSalt(slow.spec().salt());
    String waiting = ids.stream().filter(id -> cohort.bucket(id) < 100)
        .filter(id -> slow.decide(id, WINDOWS, 41).kind() == Kind.HOLD).findFirst().orElseThrow();
    assertThat(slow.decide(waiting, WINDOWS, 41).reason()).contains("velocity");
    clock.advance(Duration.ofMinutes(1)); // one more token
    assertThat(slow.decide(waiting, WINDOWS, 41).kind()).isEqualTo(Kind.OFFER);
    assertThat(slow.status().exposedTotal()).isEqualTo(61);
  }

  @Test
  void abort_beforeStart_closesTheRollout_afterStart_rollsBack() {
    rollout.abort("wrong content file attached");
    assertThat(rollout.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(rollout.decide("host-1", WINDOWS, 41).kind()).isEqualTo(Kind.STAY);

    Rollout second = engine.createRollout(Fixtures.spec("r2", Fixtures.fourRings()));
    second.start();
    offered(second, fleet());
    second.abort("customer asked to stop");
    assertThat(second.state()).isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void manualCommands_recordTheirReasonInTheJournal() {
    rollout.start();
    rollout.pause("waiting for the incident review");
    assertThat(lastTransition("r1").cause()).isEqualTo("paused by operator: waiting for the incident review");
    assertThatThrownBy(() -> rollout.resume(" ")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("reason");
    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
  }

  @Test
  void commandsBy_anActor_recordWhoAndWhy() {
    rollout.by("alice@example.org").start();
    assertThat(lastTransition("r1").cause()).startsWith("started by alice@example.org;");
    rollout.by("bob").halt("crash reports from the field");
    JournalEntry.Transitioned halt = transitions("r1").get(1);
    assertThat(halt.cause()).isEqualTo("halted by bob: crash reports from the field");
    assertThatThrownBy(() -> rollout.by(" ")).isInstanceOf(InvalidInputException.class).hasMessageContaining("actor");
  }

  @Test
  void slowGate_neverBlocksHalt_andItsLateVerdictIsDropped() throws Exception {
    java.util.concurrent.CountDownLatch inGate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    RolloutEngine slowEngine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(ScriptedGate.TYPE, spec -> context -> {
          inGate.countDown();
          try {
            release.await(); // a gate stuck on a slow metrics backend
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return dev.ringfence.core.gate.Verdict.pass("slow", "finally answered", java.util.Map.of());
        }).build());
    Rollout slow = slowEngine.createRollout(Fixtures.spec("slow", Fixtures.fourRings()));
    slow.start();
    offered(slow, fleet());
    clock.advance(Duration.ofMinutes(31));
    java.util.concurrent.ExecutorService ticker = java.util.concurrent.Executors.newSingleThreadExecutor();
    java.util.concurrent.Future<?> tick = ticker.submit(slowEngine::tick);
    assertThat(inGate.await(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
    slow.halt("halting while the gate hangs"); // must not wait for the gate
    assertThat(slow.state()).isEqualTo(RolloutState.ROLLING_BACK);
    release.countDown();
    tick.get(1, java.util.concurrent.TimeUnit.MINUTES);
    ticker.shutdown();
    assertThat(slow.state()).isEqualTo(RolloutState.ROLLING_BACK); // the late PASS opened nothing
    assertThat(slow.status().ringIndex()).isZero();
  }

  @Test
  void decisionsWhileAHaltIsBeingWritten_holdInsteadOfOffering() {
    List<String> exposed = startAndAsk();
    List<Decision.Kind> duringWrite = new ArrayList<>();
    store.refuse(e -> {
      if (e instanceof JournalEntry.Transitioned && ((JournalEntry.Transitioned) e).trigger() == Trigger.HALT) {
        duringWrite.add(rollout.decide(exposed.get(0), WINDOWS, 42).kind()); // another thread, in effect
      }
      return false;
    });
    rollout.halt("bad content");
    assertThat(duringWrite).containsExactly(Kind.HOLD);
    assertThat(rollout.decide(exposed.get(0), WINDOWS, 42).kind()).isEqualTo(Kind.REVERT);
  }

  @Test
  void restart_doesNotAdvanceBeforeEveryEarlierEndpointCouldReportAgain() {
    startAndAsk();
    clock.advance(Duration.ofMinutes(40)); // bake time over, but no tick before the "crash"
    RolloutEngine restarted = restarted();
    restarted.tick();
    assertThat(restarted.rollout("r1").status().ringIndex()).isZero(); // health counts are empty right now
    clock.advance(Duration.ofMinutes(3)); // every endpoint admitted before the restart reported or went silent
    restarted.tick();
    assertThat(restarted.rollout("r1").status().ringIndex()).isEqualTo(1);
  }

  @Test
  void illegalTransition_throws_andLeavesStateAndStoreUnchanged() {
    List<JournalEntry> before = store.read("r1");
    assertThatThrownBy(() -> rollout.resume("nothing to resume")).isInstanceOf(IllegalStateTransitionException.class)
        .hasMessageContaining("PLANNED").hasMessageContaining("RESUME");
    assertThat(store.read("r1")).isEqualTo(before);
    assertThat(rollout.state()).isEqualTo(RolloutState.PLANNED);

    rollout.start();
    rollout.halt("bad");
    before = store.read("r1");
    assertThatThrownBy(rollout::start).isInstanceOf(IllegalStateTransitionException.class);
    assertThatThrownBy(() -> rollout.halt("again")).isInstanceOf(IllegalStateTransitionException.class);
    assertThatThrownBy(() -> rollout.resume("undo")).isInstanceOf(IllegalStateTransitionException.class);
    assertThat(store.read("r1")).isEqualTo(before);
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void storeRefusesTransition_nothingChanges_andTheNextTickRetries() {
    startAndAsk();
    List<JournalEntry> before = store.read("r1");
    store.refuse(e -> e instanceof JournalEntry.Transitioned);
    assertThatThrownBy(() -> rollout.halt("disk full test")).isInstanceOf(StoreException.class);
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(store.read("r1")).isEqualTo(before);

    // A refused advance is retried, not lost.
    passRing();
    assertThat(rollout.status().ringIndex()).isZero();
    store.heal();
    engine.tick();
    assertThat(rollout.status().ringIndex()).isEqualTo(1);
  }

  @Test
  void storeRefusesRollbackStart_haltStands_andTickStartsTheRollback() {
    startAndAsk();
    store.refuse(e -> e instanceof JournalEntry.Transitioned
        && ((JournalEntry.Transitioned) e).trigger() == Trigger.BEGIN_ROLLBACK);
    rollout.halt("halt while the store hiccups");
    assertThat(rollout.state()).isEqualTo(RolloutState.HALTED);
    assertThat(offered(rollout, fleet())).isEmpty();
    store.heal();
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void storeRefusesAdmission_answersHold_andAdmitsNothing() {
    rollout.start();
    store.refuse(e -> e instanceof JournalEntry.Admitted);
    List<String> offered = offered(rollout, fleet());
    assertThat(offered).isEmpty();
    assertThat(rollout.status().exposedTotal()).isZero();
    store.heal();
    assertThat(offered(rollout, fleet())).hasSize(50);
  }

  @Test
  void restart_rebuildsStateAdmissionsAndDecisionsFromTheStore() {
    List<String> exposed = startAndAsk();
    passRing();
    List<String> exposedRing1 = offered(rollout, fleet());

    RolloutEngine restarted = restarted();
    Rollout again = restarted.rollout("r1");
    assertThat(again.status()).isEqualTo(rollout.status());
    assertThat(offered(again, fleet())).isEqualTo(exposedRing1).containsAll(exposed);
    // Caps were rebuilt too: nothing new is admitted in ring 1 after the restart.
    assertThat(again.status().exposedPerRing()).containsExactly(50L, 500L, 0L, 0L);
  }

  @Test
  void restart_afterHalt_neverOffersTheCandidateAgain() {
    List<String> exposed = startAndAsk();
    gate.answer(Outcome.FAIL);
    engine.tick();

    RolloutEngine restarted = restarted();
    Rollout again = restarted.rollout("r1");
    assertThat(again.state()).isEqualTo(RolloutState.ROLLING_BACK);
    gate.answer(Outcome.PASS);
    restarted.tick();
    for (String id : fleet()) {
      assertThat(again.decide(id, WINDOWS, 41).kind()).isNotEqualTo(Kind.OFFER);
    }
    assertThat(again.decide(exposed.get(0), WINDOWS, 42).kind()).isEqualTo(Kind.REVERT);
  }

  @Test
  void restart_withAnUnregisteredGateType_failsWithAClearError() {
    RolloutEngineConfig withoutGate = RolloutEngineConfig.custom().clock(clock).store(store).build();
    assertThatThrownBy(() -> RolloutEngine.create(withoutGate)).isInstanceOf(RingfenceException.class)
        .hasMessageContaining("r1").hasMessageContaining("'scripted' is not registered");
  }

  @Test
  void events_deliverTransitionsVerdictsAndExposures_andIsolateThrowingListeners() {
    List<Trigger> triggers = new ArrayList<>();
    List<String> exposures = new ArrayList<>();
    List<Outcome> verdicts = new ArrayList<>();
    engine.events().onTransition(t -> {
      throw new IllegalStateException("a broken listener");
    });
    engine.events().onTransition(t -> triggers.add(t.trigger()));
    RolloutEvents.Registration exposureRegistration = engine.events().onExposure(a -> exposures.add(a.endpointId()));
    engine.events().onVerdict(v -> verdicts.add(v.verdict().outcome()));

    List<String> offered = startAndAsk();
    exposureRegistration.close();
    passRing();
    offered(rollout, fleet());
    gate.answer(Outcome.FAIL);
    engine.tick();

    assertThat(triggers).containsExactly(Trigger.START, Trigger.ADVANCE, Trigger.GATE_FAIL, Trigger.BEGIN_ROLLBACK);
    assertThat(exposures).isEqualTo(offered);
    assertThat(verdicts).containsExactly(Outcome.PASS, Outcome.FAIL);
  }

  @Test
  void createRollout_refusesLintFindings_recordsOverridesWithTheirReasons() {
    Plan bigBang = Plan.builder("big-bang")
        .ring(Ring.named("everyone").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.of("scripted")).build())
        .build();
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("bang", bigBang)))
        .isInstanceOf(PlanLintException.class).hasMessageContaining("FIRST_RING_TOO_LARGE")
        .hasMessageContaining("FIRST_RING_UNCAPPED").hasMessageContaining("everyone");
    assertThat(store.rolloutIds()).containsExactly("r1");

    Plan overridden = Fixtures.oneLargeRing("lab-only", Ring.named("everyone").share(10_000).bakeTime(Duration.ZERO)
        .gate(GateSpec.of("scripted")).build(), "lab fleet of 12 machines only");
    engine.createRollout(Fixtures.spec("lab", overridden));
    JournalEntry.Created created = (JournalEntry.Created) store.read("lab").get(0);
    assertThat(created.acceptedLintFindings()).extracting(f -> f.rule())
        .containsExactly(LintRule.FIRST_RING_TOO_LARGE, LintRule.FIRST_RING_UNCAPPED);
    assertThat(created.acceptedLintFindings()).allSatisfy(f ->
        assertThat(f.overrideReason()).isEqualTo("lab fleet of 12 machines only"));
  }

  @Test
  void createRollout_unknownGateType_isRefusedWithThePath() {
    Plan plan = Fixtures.twoRings("unknown-gate", GateSpec.of("kayenta")).build();
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("g", plan))).isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("rings[0].gate.type: 'kayenta' is not registered");
    assertThat(store.rolloutIds()).containsExactly("r1");
  }

  @Test
  void createRollout_duplicateId_isRefused() {
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("r1", Fixtures.fourRings())))
        .isInstanceOf(DuplicateRolloutException.class).hasMessageContaining("'r1'");
  }

  @Test
  void decide_badInput_getsTypedExceptionsNamingTheField() {
    rollout.start();
    assertThatThrownBy(() -> rollout.decide(null, WINDOWS, 41)).isInstanceOf(InvalidInputException.class)
        .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("endpointId");
    // Blank is every char whitespace, of any width: the decision path skips the scan only for a visible first char.
    for (String blank : new String[] {"", "  ", "\t\n", "\u001F", "\u3000\u2003", " \u2028"}) {
      assertThatThrownBy(() -> rollout.decide(blank, WINDOWS, 41)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("endpointId");
    }
    assertThatThrownBy(() -> rollout.decide("host-1", null, 41)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("attributes");
    assertThatThrownBy(() -> rollout.decide("host-1", WINDOWS, -1)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("currentVersion");
    assertThatThrownBy(() -> rollout.decide("host-1", WINDOWS, 43)).isInstanceOf(UnknownVersionException.class)
        .hasMessageContaining("43").hasMessageContaining("candidate 42");
    assertThatThrownBy(() -> engine.decide("nope", "host-1", WINDOWS, 41)).isInstanceOf(UnknownRolloutException.class)
        .hasMessageContaining("'nope'");
    assertThat(rollout.status().exposedTotal()).isZero();
    for (String notBlank : new String[] {" host-1", "\u3000host-2", "\u2003\u00E9"}) {
      assertThat(rollout.decide(notBlank, WINDOWS, 41).kind()).as("'%s'", notBlank).isNotNull();
    }
  }

  @Test
  void spec_badInput_getsTypedExceptionsNamingTheField() {
    Plan plan = Fixtures.fourRings();
    assertThatThrownBy(() -> RolloutSpec.builder("a b").channel("c").baseline(1).candidate(2).plan(plan).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("id");
    assertThatThrownBy(() -> RolloutSpec.builder("x").channel(" ").baseline(1).candidate(2).plan(plan).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("channel");
    assertThatThrownBy(() -> RolloutSpec.builder("x").channel("c").baseline(5).candidate(5).plan(plan).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("candidateVersion");
    assertThatThrownBy(() -> RolloutSpec.builder("x").channel("c").baseline(-1).candidate(5).plan(plan).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("baselineVersion");
    assertThatThrownBy(() -> RolloutSpec.builder("x").channel("c").baseline(1).candidate(5).build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("plan");
  }

  @Test
  void config_badInput_isRefusedAtOnce() {
    // Programmer errors, by role (issue 20): null is NullPointerException, out of range IllegalArgumentException.
    assertThatThrownBy(() -> RolloutEngineConfig.custom().clock(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("clock: is null");
    assertThatThrownBy(() -> RolloutEngineConfig.custom().gate(" ", s -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type: is blank");
    assertThatThrownBy(() -> RolloutEngineConfig.custom().store(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("store: is null");
    assertThatThrownBy(() -> RolloutEngineConfig.custom().controlHoldback(1_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("controlHoldback: 1001 is outside 0..1000 cohort buckets (0..10%)");
    RolloutEngineConfig base = RolloutEngineConfig.custom().clock(clock).build();
    assertThat(RolloutEngineConfig.from(base).build().clock()).isSameAs(clock);
  }

  @Test
  void clockNearTheEndOfTime_doesNotOverflowBakeOrRollbackArithmetic() {
    ManualClock far = new ManualClock(Instant.MAX.minus(Duration.ofDays(400)));
    RolloutEngine e = Fixtures.engine(far, RolloutStores.inMemory(), gate);
    Rollout r = e.createRollout(Fixtures.spec("far", Fixtures.fourRings()));
    r.start();
    offered(r, fleet());
    far.advance(Duration.ofMinutes(31));
    e.tick();
    assertThat(r.status().ringIndex()).isEqualTo(1);
    r.halt("test");
    far.advance(Duration.ofHours(2));
    e.tick();
    assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void clockJumpsBackwards_noRingOpensEarly() {
    startAndAsk();
    clock.advance(Duration.ofMinutes(-120));
    engine.tick();
    clock.advance(Duration.ofMinutes(140)); // 20 minutes after the ring opened
    engine.tick();
    assertThat(rollout.status().ringIndex()).isZero();
  }

  private List<JournalEntry.Transitioned> transitions(String id) {
    return store.read(id).stream().filter(e -> e instanceof JournalEntry.Transitioned)
        .map(e -> (JournalEntry.Transitioned) e).collect(Collectors.toList());
  }

  private JournalEntry.Transitioned lastTransition(String id) {
    List<JournalEntry.Transitioned> all = transitions(id);
    return all.get(all.size() - 1);
  }
}
