package dev.ringfence.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.Signal;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The judge's statistical quality, measured on the real engine: seeded fleets report over an hour
 * of virtual time while the engine ticks every minute, so the judge looks 60 times per run, as it
 * would in production. Rates are printed for the issue notes. Endpoints here report once and then
 * only their failures, so the silence deadline is set beyond the hour: these runs measure the judge
 * on reported failures; silence, loss and outages are measured through the simulator (ScenarioGoalsTest,
 * the judge sweep).
 */
class JudgeQualityTest {

  private static final EndpointAttributes HOST = EndpointAttributes.builder().os("windows").build();

  /** One seeded run of a canary ring judged against a control group. */
  static final class RingRun {
    final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    final RolloutStore store = RolloutStores.inMemory();
    final RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .heartbeatInterval(Duration.ofMinutes(1)).silenceDeadline(Duration.ofHours(2)).build());
    final Rollout rollout;
    final List<Event> events = new ArrayList<>();
    int candidates;

    /** A signal due at a virtual second. */
    record Event(long second, Signal signal) {}

    RingRun(long seed, int candidateSize, int controlSize, double candidateRate, double controlRate,
        double silentShare, boolean spreadFailures) {
      int fleet = candidateSize + controlSize;
      // A cohort a little larger than the cap: exactly candidateSize are admitted, the rest is control.
      int share = (int) Math.min(10_000, Math.round(11_000.0 * candidateSize / fleet));
      Plan plan = Plan.builder("quality")
          .ring(Ring.named("canary").share(share).cap(candidateSize).bakeTime(Duration.ofHours(2)).minSample(20)
              .gate(GateSpec.of(HealthGate.TYPE)).build())
          .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.of(HealthGate.TYPE)).build())
          .override(new LintOverride(LintRule.FIRST_RING_TOO_LARGE, "canary", "statistical test of the judge"))
          .override(new LintOverride(LintRule.STEP_TOO_LARGE, "all", "statistical test of the judge"))
          .build();
      rollout = engine.createRollout(RolloutSpec.builder("q").channel("c").baseline(1).candidate(2).plan(plan)
          .salt((int) seed).build());
      rollout.start();
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < fleet; i++) {
        String id = "e" + i;
        boolean exposed = rollout.decide(id, HOST, 1).kind() == Decision.Kind.OFFER;
        candidates += exposed ? 1 : 0;
        long version = exposed ? 2 : 1;
        boolean fails = random.nextDouble() < (exposed ? candidateRate : controlRate);
        long first = random.nextInt(120); // first report within two minutes of the offer
        if (fails && !spreadFailures) {
          if (!(exposed && random.nextDouble() < silentShare)) {
            events.add(new Event(first, new Heartbeat(id, 1, 1, version, 1)));
          } // else: never heard of again; its deadline makes it a silent failure
          continue;
        }
        events.add(new Event(first, new Heartbeat(id, 1, 1, version, 0)));
        if (fails) {
          events.add(new Event(120 + random.nextInt(3480), new Heartbeat(id, 1, 2, version, 1)));
        }
      }
      events.sort(Comparator.comparingLong(Event::second));
    }

    /** Plays the hour; the engine ticks every {@code tickSeconds}. */
    RingRun play(int tickSeconds) {
      int next = 0;
      for (long second = tickSeconds; second <= 3_600; second += tickSeconds) {
        while (next < events.size() && events.get(next).second() < second) {
          rollout.ingest(events.get(next++).signal());
        }
        clock.set(clock.instant().plusSeconds(tickSeconds));
        engine.tick();
        if (rollout.state().isHalted()) {
          break;
        }
      }
      return this;
    }

    boolean failed() {
      return rollout.state() == RolloutState.ROLLING_BACK || rollout.state() == RolloutState.ROLLED_BACK;
    }

    JournalEntry.Transitioned halt() {
      return store.read("q").stream().filter(e -> e instanceof JournalEntry.Transitioned)
          .map(e -> (JournalEntry.Transitioned) e).filter(t -> t.to() == RolloutState.HALTED).findFirst()
          .orElseThrow();
    }
  }

  @Test
  void healthyCandidate_thousandSeededRuns_falseFailAtMostOnePercent() {
    int runs = 1_000;
    int falseFails = 0;
    for (int seed = 0; seed < runs; seed++) {
      if (new RingRun(seed, 2_000, 8_000, 0.005, 0.005, 0.5, true).play(60).failed()) {
        falseFails++;
      }
    }
    double rate = falseFails / (double) runs;
    System.out.printf(Locale.ROOT, "judge quality: healthy 0.5%% vs 0.5%%, %d runs: false FAIL %.2f%% (%d)%n", runs,
        100 * rate, falseFails);
    assertThat(rate).isLessThanOrEqualTo(0.01);
  }

  @Test
  void subtleRegression_tenThousandInTheRing_detectedInAtLeast95Percent() {
    int runs = 200;
    int detected = 0;
    for (int seed = 0; seed < runs; seed++) {
      // 0.5% -> 3% within the hour: six times the control, past the default margin of 1.25.
      RingRun run = new RingRun(10_000 + seed, 10_000, 10_000, 0.03, 0.005, 0.0, true).play(60);
      assertThat(run.candidates).isEqualTo(10_000);
      if (run.failed()) {
        detected++;
      }
    }
    double rate = detected / (double) runs;
    System.out.printf(Locale.ROOT, "judge quality: 0.5%% -> 3%%, 10,000 in ring, %d runs: detected %.1f%%%n", runs,
        100 * rate);
    assertThat(rate).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void catastrophe_halfSilent_failsAfterAtMostTwentyReports() {
    int worst = 0;
    for (int seed = 0; seed < 50; seed++) {
      // Ticks every 5 s: the judge sees reports almost one at a time.
      RingRun run = new RingRun(20_000 + seed, 500, 10_000, 1.0, 0.005, 0.5, false).play(5);
      assertThat(run.failed()).as("seed %d", seed).isTrue();
      JournalEntry.Transitioned halt = run.halt();
      double reported = halt.verdict().evidence().get("candidateReported");
      worst = Math.max(worst, (int) reported);
      assertThat(reported).as("seed %d: %s", seed, halt.cause()).isLessThanOrEqualTo(20);
    }
    System.out.printf(Locale.ROOT, "judge quality: catastrophe (100%% crash, half silent): FAIL after at most %d"
        + " reports over 50 runs%n", worst);
  }
}
