package dev.ringfence.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.plan.Attribute;
import dev.ringfence.core.plan.Condition;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.plan.Selector;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The judge compares like with like: a canary drawn from the internal tier (dogfooding first, as most
 * vendors do) is judged against internal control endpoints, not against a fleet of standard ones whose
 * background failure rate is ten times lower. Pooled over the fleet, the healthy candidate's failure rate
 * looks six times the control's and the rollout halts in nearly every run; within strata it does not, and
 * a real regression inside the tier is still caught.
 */
class StratifiedJudgeTest {

  private static final EndpointAttributes INTERNAL = EndpointAttributes.builder().os("windows").region("eu-west")
      .tier("internal").build();
  private static final EndpointAttributes STANDARD = EndpointAttributes.builder().os("windows").region("eu-west")
      .tier("standard").build();
  private static final int INTERNAL_HOSTS = 2_000;
  private static final int STANDARD_HOSTS = 18_000;
  /** Chance that a host fails within the hour, whatever it runs: dev machines crash more. */
  private static final double INTERNAL_BACKGROUND = 0.10;
  private static final double STANDARD_BACKGROUND = 0.01;
  /** Seeded runs per test. */
  private static final int RUNS = 50;

  /**
   * One hour of a canary of 400 internal endpoints, the engine ticking every minute.
   *
   * @param candidateFactor how many times its tier's background rate the candidate fails
   * @return whether the rollout halted
   */
  private static boolean halts(long seed, double candidateFactor) {
    ManualClock clock = ManualClock.at("2026-12-04T10:00:00Z");
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock)
        .store(RolloutStores.inMemory()).heartbeatInterval(Duration.ofMinutes(1))
        .silenceDeadline(Duration.ofHours(2)).build());
    Plan plan = Plan.builder("dogfood-first")
        .ring(Ring.named("internal").selector(Selector.allOf(Condition.equalTo(Attribute.TIER, "internal")))
            .share(2_500).cap(400).bakeTime(Duration.ofHours(2)).minSample(20).gate(GateSpec.of(HealthGate.TYPE))
            .build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.of(HealthGate.TYPE)).build())
        .override(new LintOverride(LintRule.FIRST_RING_TOO_LARGE, "internal", "capped at 400 dogfood hosts"))
        .override(new LintOverride(LintRule.STEP_TOO_LARGE, "all", "a test of the first ring's judge"))
        .build();
    Rollout rollout = engine.createRollout(RolloutSpec.builder("r").channel("c").baseline(1).candidate(2)
        .plan(plan).salt((int) seed).build());
    rollout.start();
    SplittableRandom random = new SplittableRandom(seed);
    List<long[]> events = new ArrayList<>(); // {second, endpoint, version, failedStarts}
    for (int i = 0; i < INTERNAL_HOSTS + STANDARD_HOSTS; i++) {
      boolean internal = i < INTERNAL_HOSTS;
      boolean exposed = rollout.decide("e" + i, internal ? INTERNAL : STANDARD, 1).kind() == Decision.Kind.OFFER;
      double rate = internal ? INTERNAL_BACKGROUND : STANDARD_BACKGROUND;
      if (exposed) {
        rate *= candidateFactor;
      }
      events.add(new long[] {random.nextInt(120), i, exposed ? 2 : 1, 0});
      if (random.nextDouble() < rate) {
        events.add(new long[] {120 + random.nextInt(3_480), i, exposed ? 2 : 1, 1});
      }
    }
    events.sort(Comparator.comparingLong(e -> e[0]));
    int next = 0;
    for (long second = 60; second <= 3_600 && !rollout.state().isHalted(); second += 60) {
      while (next < events.size() && events.get(next)[0] < second) {
        long[] e = events.get(next++);
        rollout.ingest(new Heartbeat("e" + e[1], 1, 1 + e[3], e[2], (int) e[3]));
      }
      clock.set(clock.instant().plusSeconds(60));
      engine.tick();
    }
    assertThat(rollout.status().exposedTotal()).isEqualTo(400);
    return rollout.state() == RolloutState.ROLLING_BACK || rollout.state() == RolloutState.ROLLED_BACK;
  }

  /** @return how many of the runs with seeds 0 to {@code RUNS - 1} halted */
  private static int haltedRuns(double factor) {
    int halted = 0;
    for (int seed = 0; seed < RUNS; seed++) {
      halted += halts(seed, factor) ? 1 : 0;
    }
    return halted;
  }

  @Test
  void healthyCanaryFromAFailureProneTier_isJudgedAgainstItsOwnTier_noFalseHalts() {
    int halted = haltedRuns(1.0);
    System.out.printf(Locale.ROOT, "stratified judge: healthy internal canary, %d runs: %d halted%n", RUNS, halted);
    // α is 0.01: one run in a hundred may halt. Pooled over the tiers, 50 of 50 did.
    assertThat(halted).isLessThanOrEqualTo(2);
  }

  @Test
  void regressionInsideTheTier_threeTimesItsBackground_stillHalts() {
    int halted = haltedRuns(3.0);
    System.out.printf(Locale.ROOT, "stratified judge: internal canary failing 3x its tier, %d runs: %d halted%n",
        RUNS, halted);
    assertThat(halted).isGreaterThanOrEqualTo(48);
  }
}
