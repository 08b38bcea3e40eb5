package dev.ringfence.core;

import static dev.ringfence.core.testing.Properties.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.plan.Attribute;
import dev.ringfence.core.plan.Condition;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.plan.Selector;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md invariants 1, 2, 3 and 5 as properties over random plans, random fleets and random
 * call orders. Each try is generated from one seed, and those seeds come from a fixed root seed
 * ({@link dev.ringfence.core.testing.Properties#forAll}), so every run checks the same cases.
 */
class InvariantPropertiesTest {

  private static final String[] OS = {"windows", "linux", "macos"};
  private static final String[] TIERS = {"standard", "internal", "critical"};
  /** Fewest of the 60 tries that must fill some ring to its cap (measured: 6). */
  private static final int CAP_TRIES = 3;
  /** Fewest of the 60 tries that must halt (measured: 39). */
  private static final int HALTED_TRIES = 20;

  /** Invariant 1: no endpoint gets the candidate outside the open ring's cohort; caps always hold. */
  @Test
  void offers_stayInsideCohortsAndCaps() {
    // Without tries that fill a ring to its cap, the cap half of the check would be vacuous.
    forSixtyTries("offers_stayInsideCohortsAndCaps", InvariantPropertiesTest::checkOffersStayInsideCohortsAndCaps,
        "tries in which some ring reached its cap", CAP_TRIES);
  }

  /**
   * Checks {@code check} on 60 seeded tries, of which at least {@code enough} must return true: the tries that
   * exercise what the check is about ({@code counted}).
   */
  private static void forSixtyTries(String name, Predicate<Long> check, String counted, int enough) {
    int[] count = new int[1];
    forAll(name, 20240719L, 60, c -> {
      if (check.test(c.anyLong("seed"))) {
        count[0]++;
      }
    });
    assertThat(count[0]).as(counted).isGreaterThanOrEqualTo(enough);
  }

  /** Returns whether some ring reached its cap. */
  private static boolean checkOffersStayInsideCohortsAndCaps(long seed) {
    Run run = new Run(seed);
    run.play();
    Plan plan = run.rollout.spec().plan();
    Cohort cohort = Cohort.withSalt(run.rollout.spec().salt());
    for (Step step : run.steps) {
      if (step.decision.kind() != Kind.OFFER || step.state == RolloutState.COMPLETED) {
        continue;
      }
      int admittedIn = step.decision.ringIndex();
      assertThat(admittedIn).isBetween(0, step.ringAtCall);
      boolean inCohort = false;
      // A held tier's rings come after the plan's; its endpoints must still be in a cohort of the plan's rings.
      for (int j = 0; j <= Math.min(admittedIn, plan.rings().size() - 1); j++) {
        Ring ring = plan.rings().get(j);
        if (ring.selector().matches(step.attributes) && cohort.bucket(step.endpointId) < ring.share()) {
          inCohort = true;
        }
      }
      assertThat(inCohort).as("seed %d: %s offered outside its cohort", seed, step.endpointId).isTrue();
      if (plan.heldTiers().contains(step.attributes.tier())) {
        assertThat(admittedIn).as("seed %d: held %s admitted in one of the plan's rings", seed, step.endpointId)
            .isGreaterThanOrEqualTo(plan.rings().size());
      }
    }
    List<Long> exposed = run.rollout.status().exposedPerRing();
    for (int i = 0; i < exposed.size(); i++) {
      assertThat(exposed.get(i)).as("seed %d ring %d", seed, i).isLessThanOrEqualTo(plan.allRings().get(i).cap());
    }
    long distinctOffered = run.steps.stream().filter(s -> s.decision.kind() == Kind.OFFER
        && s.state != RolloutState.COMPLETED).map(s -> s.endpointId).distinct().count();
    assertThat(distinctOffered).isLessThanOrEqualTo(run.rollout.status().exposedTotal());
    return IntStreamHelper.anyCapReached(plan, exposed);
  }

  /** Invariants 2 and 3: once halted, never an offer, never an advance; rollback starts at once; restarts agree. */
  @Test
  void halted_neverOffersNorAdvances_andRollsBackAtOnce() {
    // Tries that never halt check nothing here; enough of them must halt.
    forSixtyTries("halted_neverOffersNorAdvances_andRollsBackAtOnce",
        InvariantPropertiesTest::checkHaltedNeverOffersNorAdvances, "tries that halted", HALTED_TRIES);
  }

  /** Returns whether the run halted. */
  private static boolean checkHaltedNeverOffersNorAdvances(long seed) {
    Run run = new Run(seed);
    run.play();
    List<JournalEntry.Transitioned> transitions = run.transitions();
    int haltAt = -1;
    for (int i = 0; i < transitions.size(); i++) {
      if (transitions.get(i).to() == RolloutState.HALTED) {
        haltAt = i;
        break;
      }
    }
    if (haltAt < 0) {
      return false;
    }
    JournalEntry.Transitioned halt = transitions.get(haltAt);
    for (JournalEntry.Transitioned later : transitions.subList(haltAt + 1, transitions.size())) {
      assertThat(later.trigger()).isIn(Trigger.BEGIN_ROLLBACK, Trigger.FINISH_ROLLBACK);
      assertThat(later.ringIndex()).isEqualTo(halt.ringIndex());
    }
    assertThat(transitions.size()).isGreaterThan(haltAt + 1);
    JournalEntry.Transitioned rollback = transitions.get(haltAt + 1);
    assertThat(rollback.trigger()).isEqualTo(Trigger.BEGIN_ROLLBACK);
    assertThat(rollback.at()).as("rollback waits for nothing").isEqualTo(halt.at());
    for (Step step : run.steps) {
      if (step.state.isHalted()) {
        assertThat(step.decision.kind()).as("seed %d", seed).isNotEqualTo(Kind.OFFER);
      }
    }
    // Invariant 2 across a restart: a new engine over the same store never offers the candidate.
    RolloutEngine restarted = Fixtures.engine(run.clock, run.store, run.gate);
    Rollout again = restarted.rollout("prop");
    // The journaled state is the same; the current verdict is what this replica's own ticks saw since.
    assertThat(again.status()).usingRecursiveComparison().ignoringFields("currentVerdict", "currentVerdictAt")
        .isEqualTo(run.rollout.status());
    for (int i = 0; i < run.fleet.size(); i++) {
      assertThat(again.decide("e" + i, run.fleet.get(i), 41).kind()).isNotEqualTo(Kind.OFFER);
    }
    return true;
  }

  /** Invariant 5: same plan, same calls, same clock give the same decisions and the same journal. */
  @Test
  void sameInputs_giveSameDecisionsAndSameJournal() {
    forAll("sameInputs_giveSameDecisionsAndSameJournal", 20240719L, 40, c -> {
      long seed = c.anyLong("seed");
      Run first = new Run(seed);
      first.play();
      Run second = new Run(seed);
      second.play();
      assertThat(second.steps.stream().map(Step::describe).collect(Collectors.toList()))
          .isEqualTo(first.steps.stream().map(Step::describe).collect(Collectors.toList()));
      assertThat(second.store.read("prop")).isEqualTo(first.store.read("prop"));
    });
  }

  /** One decision observed during a run. */
  private static final class Step {
    final String endpointId;
    final EndpointAttributes attributes;
    final Decision decision;
    final RolloutState state;
    final int ringAtCall;

    Step(String endpointId, EndpointAttributes attributes, Decision decision, RolloutState state, int ringAtCall) {
      this.endpointId = endpointId;
      this.attributes = attributes;
      this.decision = decision;
      this.state = state;
      this.ringAtCall = ringAtCall;
    }

    String describe() {
      return endpointId + " " + state + " " + decision;
    }
  }

  /** A random plan, fleet and call order, all drawn from one seed. */
  private static final class Run {
    final Random random;
    final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    final RolloutStore store = RolloutStores.inMemory();
    final ScriptedGate gate = new ScriptedGate();
    final RolloutEngine engine;
    final Rollout rollout;
    final List<EndpointAttributes> fleet = new ArrayList<>();
    final List<Step> steps = new ArrayList<>();

    Run(long seed) {
      random = new Random(seed);
      engine = Fixtures.engine(clock, store, gate);
      rollout = engine.createRollout(Fixtures.spec("prop", randomPlan()));
      int size = 2000 + random.nextInt(4000);
      for (int i = 0; i < size; i++) {
        fleet.add(EndpointAttributes.builder().os(OS[random.nextInt(OS.length)])
            .tier(TIERS[random.nextInt(10) < 8 ? 0 : 1 + random.nextInt(2)]).build());
      }
    }

    private Plan randomPlan() {
      // Lint-clean by construction: first ring <= 1% and capped, each step grows 2 to 10 times.
      List<Integer> shares = new ArrayList<>();
      shares.add(20 + random.nextInt(81));
      int rings = 2 + random.nextInt(3);
      while (shares.size() < rings && shares.get(shares.size() - 1) < 10_000) {
        shares.add(Math.min(10_000, shares.get(shares.size() - 1) * (2 + random.nextInt(9))));
      }
      Plan.Builder plan = Plan.builder("random");
      for (int i = 0; i < shares.size(); i++) {
        boolean last = i == shares.size() - 1;
        Ring.Builder ring = Ring.named("ring-" + i).share(shares.get(i))
            .bakeTime(Duration.ofMinutes(last && random.nextBoolean() ? 0 : 5 + random.nextInt(60)))
            .gate(GateSpec.of(ScriptedGate.TYPE));
        if (i == 0 || random.nextBoolean()) {
          int cap = 1 + random.nextInt(i == 0 || random.nextBoolean() ? 30 : 400);
          ring.cap(cap).minSample(random.nextInt(Math.min(cap, 20) + 1));
        }
        if (random.nextInt(3) == 0) {
          ring.selector(Selector.allOf(Condition.in(Attribute.OS, OS[random.nextInt(OS.length)],
              OS[random.nextInt(OS.length)])));
        }
        plan.ring(ring.build());
      }
      if (random.nextBoolean()) {
        plan.heldTiers("critical");
      }
      return plan.build();
    }

    void play() {
      int actions = 30 + random.nextInt(50);
      for (int a = 0; a < actions; a++) {
        int kind = random.nextInt(100);
        if (kind < 45) {
          decideSome();
        } else if (kind < 65) {
          clock.advance(Duration.ofMinutes(1 + random.nextInt(40)));
        } else if (kind < 80) {
          engine.tick();
        } else if (kind < 90) {
          int g = random.nextInt(10);
          gate.answer(g < 6 ? Outcome.PASS : g < 9 ? Outcome.INCONCLUSIVE : Outcome.FAIL);
        } else {
          command(random.nextInt(5));
        }
      }
    }

    private void decideSome() {
      int from = random.nextInt(fleet.size());
      int count = 1 + random.nextInt(400);
      for (int i = 0; i < count; i++) {
        int index = (from + i) % fleet.size();
        String id = "e" + index;
        RolloutState state = rollout.state();
        int ring = rollout.status().ringIndex();
        Decision decision = rollout.decide(id, fleet.get(index), 41);
        steps.add(new Step(id, fleet.get(index), decision, state, ring));
      }
    }

    private void command(int which) {
      try {
        switch (which) {
          case 0:
            rollout.start();
            break;
          case 1:
            rollout.pause("random pause");
            break;
          case 2:
            rollout.resume("random resume");
            break;
          case 3:
            rollout.halt("random halt");
            break;
          default:
            if (random.nextInt(4) == 0) {
              rollout.abort("random abort");
            } else {
              rollout.start();
            }
            break;
        }
      } catch (IllegalStateTransitionException expected) {
        // Refused commands change nothing; the other properties check that.
      }
    }

    List<JournalEntry.Transitioned> transitions() {
      return store.read("prop").stream().filter(e -> e instanceof JournalEntry.Transitioned)
          .map(e -> (JournalEntry.Transitioned) e).collect(Collectors.toList());
    }
  }

  private static final class IntStreamHelper {
    static boolean anyCapReached(Plan plan, List<Long> exposed) {
      for (int i = 0; i < exposed.size(); i++) {
        if (plan.allRings().get(i).hasCap() && exposed.get(i) == plan.allRings().get(i).cap()) {
          return true;
        }
      }
      return false;
    }
  }
}
