package dev.ringfence.core;

import static dev.ringfence.core.testing.Fixtures.WINDOWS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.ArmStats;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.core.testing.FlakyStore;
import dev.ringfence.core.testing.SharedStore;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The server's clock jumps backwards and forwards, in every state of a rollout. The semantics these tests pin
 * down are documented in docs/engine.md ("Time") and docs/reliability.md:
 *
 * <ul>
 *   <li>Bake time is measured on the clock from the ring's journaled opening: a backward jump makes the ring wait
 *       longer by the size of the jump, never shorter; a forward jump counts as elapsed time, so it may open
 *       the ring, but only when bake time and minimum sample are met and the gate passes.
 *   <li>Silence deadlines run on the engine's timeline, which removes backward steps: a backward jump neither
 *       delays nor hastens silence detection; a forward jump counts as time without reports, so the endpoints
 *       that had not reported become silent failures, exactly those, and the gate sees them in the same tick,
 *       before it could open a ring.
 *   <li>The velocity limit refills only when the clock passes its highest reading: backward jumps refill
 *       nothing, a forward jump refills at most one hour's budget.
 *   <li>A replica whose clock went back behind its last catch-up holds until it catches up again.
 * </ul>
 */
class ClockJumpTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration SILENCE = RolloutEngineConfig.DEFAULT_HEARTBEAT_INTERVAL
      .multipliedBy(RolloutEngineConfig.DEFAULT_SILENCE_INTERVALS);
  private static final List<String> FLEET =
      IntStream.range(0, 20_000).mapToObj(i -> "host-" + i).collect(Collectors.toList());

  /** The jumps tried in every state. */
  private enum Jump {
    BACK_ONE_HOUR, FORWARD_ONE_DAY, BACK_PAST_THE_START
  }

  /** A gate that answers PASS and keeps what it saw of the candidate arm. */
  private static final class RecordingGate implements Gate {
    volatile Verdict.Outcome outcome = Verdict.Outcome.PASS;
    final List<ArmStats> seen = new ArrayList<>();

    @Override
    public synchronized Verdict evaluate(GateContext context) {
      seen.add(context.candidate());
      return new Verdict(outcome, "recording", "recorded", Map.of());
    }

    synchronized ArmStats last() {
      return seen.get(seen.size() - 1);
    }
  }

  private final ManualClock clock = new ManualClock(T0);
  private final RecordingGate gate = new RecordingGate();

  private RolloutEngine engine(RolloutStore store) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate("recording", spec -> gate).build());
  }

  /** @return rollout {@code id} of {@code plan}, created on {@code engine} and started */
  private static Rollout started(RolloutEngine engine, String id, Plan plan) {
    Rollout rollout = engine.createRollout(Fixtures.spec(id, plan));
    rollout.start();
    return rollout;
  }

  private static Plan plan() {
    GateSpec g = GateSpec.of("recording");
    return Plan.builder("clock")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10).gate(g).build())
        .ring(Ring.named("early").share(1000).cap(500).bakeTime(Duration.ofMinutes(30)).minSample(10).gate(g).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ofMinutes(30)).gate(g).build())
        .build();
  }

  private static List<String> offered(Rollout r) {
    List<String> result = new ArrayList<>();
    for (String id : FLEET) {
      if (r.decide(id, WINDOWS, 41).kind() == Kind.OFFER) {
        result.add(id);
      }
    }
    return result;
  }

  private static void heartbeat(Rollout r, String id, long sequence) {
    r.ingest(new Heartbeat(id, 1, sequence, 42, 0));
  }

  private void jump(Jump jump) {
    switch (jump) {
      case BACK_ONE_HOUR:
        clock.advance(Duration.ofHours(-1));
        break;
      case FORWARD_ONE_DAY:
        clock.advance(Duration.ofDays(1));
        break;
      case BACK_PAST_THE_START:
        clock.set(T0.minus(Duration.ofDays(1)));
        break;
      default:
        throw new AssertionError(jump);
    }
  }

  // ---------------------------------------------------------------- bake time

  @Test
  void backwardJump_lengthensTheRemainingBakeByTheJump_neverShortensIt() {
    RolloutEngine engine = engine(RolloutStores.inMemory());
    Rollout r = started(engine, "r", plan());
    List<String> canaries = offered(r);
    canaries.forEach(id -> heartbeat(r, id, 1));
    clock.advance(Duration.ofMinutes(20)); // 10 minutes of bake left
    clock.advance(Duration.ofHours(-1)); // the clock now reads 40 minutes before the ring opened
    for (int minute = 0; minute < 70; minute++) { // 70 real minutes: the 10 left plus the hour the clock lost
      engine.tick();
      assertThat(r.status().ringIndex()).as("ring 0 still baking after %d real minutes", minute).isZero();
      clock.advance(Duration.ofMinutes(1));
    }
    engine.tick(); // the clock is back at opening + bake time
    assertThat(r.status().ringIndex()).isEqualTo(1);
  }

  @Test
  void forwardJump_opensARing_onlyWithBakeAndMinimumSample_andOneRingPerBake() {
    RolloutEngine engine = engine(RolloutStores.inMemory());
    Rollout full = started(engine, "full", plan());
    offered(full).forEach(id -> heartbeat(full, id, 1)); // the canary cap: 50
    Rollout few = started(engine, "few", plan());
    int admitted = 0;
    for (String id : FLEET) { // only five endpoints ever ask: below the minimum sample of 10
      if (admitted < 5 && few.decide(id, WINDOWS, 41).kind() == Kind.OFFER) {
        heartbeat(few, id, 1);
        admitted++;
      }
    }
    assertThat(few.status().exposedTotal()).isEqualTo(5);

    clock.advance(Duration.ofDays(1));
    engine.tick();
    assertThat(few.status().ringIndex()).as("5 admitted, minimum sample 10: no ring opens").isZero();
    assertThat(full.status().ringIndex()).as("bake and sample met, gate passes: one ring opens").isEqualTo(1);
    engine.tick();
    assertThat(full.status().ringIndex()).as("the next ring bakes from its own opening").isEqualTo(1);
  }

  // ---------------------------------------------------------------- silence

  @Test
  void backwardJump_doesNotDelaySilenceDetection() {
    RolloutEngine engine = engine(RolloutStores.inMemory());
    Rollout r = started(engine, "r", plan());
    List<String> canaries = offered(r); // they crash on load and never report (Channel File 291)
    assertThat(canaries).hasSize(50);
    clock.advance(Duration.ofHours(-1));
    engine.tick(); // the host ticks on its schedule: the engine sees the step back
    clock.advance(SILENCE.plusSeconds(1)); // real time past every deadline
    engine.tick();
    assertThat(gate.last().silent()).isEqualTo(50);
  }

  @Test
  void admissionsAfterABackwardJump_goSilentOnTime_evenBehindEarlierAdmissions() {
    RolloutEngine engine = engine(RolloutStores.inMemory());
    Rollout r = started(engine, "r", plan());
    List<String> cohort = FLEET.stream().filter(id -> Cohort.withSalt(r.spec().salt()).bucket(id) < 100)
        .collect(Collectors.toList());
    List<String> first = new ArrayList<>();
    for (String id : cohort.subList(0, 10)) {
      assertThat(r.decide(id, WINDOWS, 41).kind()).isEqualTo(Kind.OFFER);
      heartbeat(r, id, 1);
      first.add(id);
    }
    clock.advance(Duration.ofMinutes(2));
    clock.advance(Duration.ofHours(-1));
    for (String id : cohort.subList(10, 20)) {
      assertThat(r.decide(id, WINDOWS, 41).kind()).isEqualTo(Kind.OFFER); // never report
    }
    clock.advance(SILENCE.plusSeconds(1));
    first.forEach(id -> heartbeat(r, id, 2)); // the first ten still run and say so
    engine.tick();
    assertThat(gate.last().healthy()).isEqualTo(10);
    assertThat(gate.last().silent()).isEqualTo(10);
  }

  @Test
  void forwardJump_makesExactlyTheEndpointsNotSeenSinceSilent_andTheGateSeesThemBeforeAnyRingOpens() {
    RolloutEngine engine = engine(RolloutStores.inMemory());
    Rollout r = started(engine, "r", plan());
    List<String> canaries = offered(r);
    canaries.subList(0, 30).forEach(id -> heartbeat(r, id, 1));
    gate.outcome = Verdict.Outcome.FAIL; // a health gate fails 20 silent of 50
    clock.advance(Duration.ofDays(1));
    canaries.subList(0, 30).forEach(id -> heartbeat(r, id, 2)); // reported after the jump: seen
    engine.tick();
    assertThat(gate.seen).hasSize(1);
    assertThat(gate.last().silent()).isEqualTo(20);
    assertThat(gate.last().healthy()).isEqualTo(30);
    assertThat(r.state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(r.status().ringIndex()).isZero();
  }

  @Test
  void restartWithTheClockBehindTheJournal_silenceDeadlinesRunFromTheRestart() {
    RolloutStore store = RolloutStores.inMemory();
    Rollout r = engine(store).createRollout(Fixtures.spec("r", plan()));
    r.start();
    assertThat(offered(r)).hasSize(50); // admitted at T0, never report
    clock.set(T0.minus(Duration.ofDays(1))); // the server restarts with its clock a day behind the journal
    RolloutEngine restarted = engine(store);
    restarted.tick();
    clock.advance(SILENCE.plusSeconds(1));
    restarted.tick();
    assertThat(gate.last().silent()).isEqualTo(50);
  }

  // ---------------------------------------------------------------- velocity

  @Test
  void velocityLimit_backwardJumpsRefillNothing_aForwardJumpAtMostOneHour() {
    Plan plan = Plan.builder("slow")
        .ring(Ring.named("canary").share(100).cap(10_000).bakeTime(Duration.ofMinutes(30))
            .gate(GateSpec.of("recording")).build())
        .ring(Ring.named("early").share(1000).bakeTime(Duration.ZERO).gate(GateSpec.of("recording")).build())
        .maxNewExposuresPerHour(60).build();
    RolloutEngine engine = engine(RolloutStores.inMemory());
    Rollout r = started(engine, "slow", plan);
    offered(r);
    assertThat(r.status().exposedTotal()).isEqualTo(60);
    clock.advance(Duration.ofHours(-1));
    offered(r);
    assertThat(r.status().exposedTotal()).as("back one hour").isEqualTo(60);
    clock.advance(Duration.ofMinutes(59));
    offered(r);
    assertThat(r.status().exposedTotal()).as("59 real minutes on, still behind the highest reading").isEqualTo(60);
    clock.advance(Duration.ofDays(1));
    offered(r);
    assertThat(r.status().exposedTotal()).as("forward a day: one hour's budget").isEqualTo(120);
    clock.advance(Duration.ofDays(-1));
    offered(r);
    clock.advance(Duration.ofDays(1)); // back to the same highest reading
    offered(r);
    assertThat(r.status().exposedTotal()).isEqualTo(120);
  }

  // ---------------------------------------------------------------- replicas

  @Test
  void replicaWhoseClockWentBackBehindItsLastCatchUp_holdsUntilItCatchesUpAgain() {
    SharedStore store = new SharedStore();
    RolloutEngine a = engine(store);
    Rollout r = a.createRollout(Fixtures.spec("r", plan()));
    r.start();
    List<String> canaries = offered(r);
    store.down(true); // from here this replica cannot learn whether another one halted the rollout
    clock.advance(Duration.ofHours(-1));
    for (String id : canaries) {
      assertThat(r.decide(id, WINDOWS, 42).kind()).isEqualTo(Kind.HOLD);
    }
    a.tick(); // cannot catch up: still holds
    assertThat(r.decide(canaries.get(0), WINDOWS, 42).kind()).isEqualTo(Kind.HOLD);
    store.down(false);
    a.tick();
    assertThat(r.decide(canaries.get(0), WINDOWS, 42).kind()).isEqualTo(Kind.OFFER);
  }

  // ---------------------------------------------------------------- every state, every jump

  @Test
  void everyJumpInEveryState_opensNoRingEarly_offersNothingOutsideTheCohort_andSilenceStaysExact() {
    int trials = 0;
    for (RolloutState state : RolloutState.values()) {
      for (Jump jump : Jump.values()) {
        clock.set(T0);
        trials++;
        jumpIn(state, jump);
      }
    }
    assertThat(trials).isEqualTo(RolloutState.values().length * Jump.values().length);
  }

  /** Drives a fresh rollout into {@code state}, jumps, ticks, and checks what may and may not change. */
  private void jumpIn(RolloutState state, Jump jump) {
    FlakyStore store = FlakyStore.inMemory();
    RolloutEngine engine = engine(store);
    Rollout r = engine.createRollout(Fixtures.spec("r", plan()));
    String label = state + " " + jump;
    List<String> canaries = List.of();
    if (state != RolloutState.PLANNED && state != RolloutState.ABORTED) {
      r.start();
      canaries = offered(r);
      canaries.subList(0, 30).forEach(id -> heartbeat(r, id, 1)); // 20 never report
    }
    switch (state) {
      case PAUSED:
        r.pause("looking at a dashboard");
        break;
      case HALTED:
        // HALTED goes on to ROLLING_BACK at once; a store that refuses the rollback start keeps it HALTED.
        store.refuse(e -> e instanceof JournalEntry.Transitioned
            && ((JournalEntry.Transitioned) e).trigger() == Trigger.BEGIN_ROLLBACK);
        r.halt("bad content");
        break;
      case ROLLING_BACK:
        r.halt("bad content");
        break;
      case ROLLED_BACK:
        r.halt("bad content");
        clock.advance(Duration.ofDays(2)); // past the rollback timeout
        engine.tick();
        break;
      case COMPLETED:
        for (int i = 0; i < 3; i++) {
          clock.advance(Duration.ofMinutes(31));
          offered(r).forEach(id -> heartbeat(r, id, 2));
          engine.tick();
        }
        break;
      case ABORTED:
        r.abort("wrong file");
        break;
      default:
        break;
    }
    assertThat(r.state()).as(label).isEqualTo(state);
    RolloutState before = r.state();
    int ringBefore = r.status().ringIndex();
    List<Long> exposedBefore = r.status().exposedPerRing();
    long transitionsBefore = transitions(store);
    int evaluationsBefore = gate.seen.size();

    jump(jump);
    if (!canaries.isEmpty()) {
      canaries.subList(0, 30).forEach(id -> heartbeat(r, id, 10)); // the 30 still run and say so
    }
    engine.tick();
    List<String> offeredAfter = offered(r);

    // A backward jump changes no state: no ring opens, nothing pauses, nothing finishes.
    if (jump != Jump.FORWARD_ONE_DAY) {
      assertThat(r.state()).as(label).isEqualTo(before);
      assertThat(r.status().ringIndex()).as(label).isEqualTo(ringBefore);
      assertThat(transitions(store)).as(label).isEqualTo(transitionsBefore);
    } else {
      // A forward jump is elapsed time: at most one ring opens, with bake and sample met and a passing gate.
      assertThat(r.status().ringIndex()).as(label).isBetween(ringBefore, ringBefore + 1);
      if (r.status().ringIndex() > ringBefore) {
        assertThat(before).as(label).isEqualTo(RolloutState.RUNNING);
        assertThat(exposedBefore.get(ringBefore)).as(label).isGreaterThanOrEqualTo(10L);
      }
    }
    // Exposure: the cap of every ring, and no offer in a halted or finished state.
    List<Long> exposed = r.status().exposedPerRing();
    assertThat(exposed.get(0)).as(label).isLessThanOrEqualTo(50L);
    assertThat(exposed.get(1)).as(label).isLessThanOrEqualTo(500L);
    if (before.isHalted() || before == RolloutState.PLANNED || before == RolloutState.ABORTED) {
      assertThat(offeredAfter).as(label).isEmpty();
    }
    if (before == RolloutState.PAUSED) {
      assertThat(offeredAfter).as(label).containsExactlyInAnyOrderElementsOf(canaries);
    }
    // Silence: a forward day is a day without reports for the 20 that never reported, and for nobody else.
    if (before == RolloutState.RUNNING || before == RolloutState.PAUSED) {
      assertThat(gate.seen.size()).as(label).isGreaterThan(evaluationsBefore);
      ArmStats seen = gate.seen.get(evaluationsBefore);
      assertThat(seen.silent()).as(label).isEqualTo(jump == Jump.FORWARD_ONE_DAY ? 20 : 0);
      assertThat(seen.healthy()).as(label).isEqualTo(30);
      if (jump != Jump.FORWARD_ONE_DAY) {
        clock.advance(SILENCE.plusSeconds(1)); // real time past the deadlines: detection is not delayed
        canaries.subList(0, 30).forEach(id -> heartbeat(r, id, 11));
        engine.tick();
        assertThat(gate.last().silent()).as(label).isEqualTo(20);
      }
    }
  }

  private static long transitions(RolloutStore store) {
    return store.read("r").stream().filter(e -> e instanceof JournalEntry.Transitioned).count();
  }
}
