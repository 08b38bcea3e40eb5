package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.SharedStore;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The judge across replicas: one replica owns every endpoint whose candidate crashes, the others own the rest.
 * Each replica counts only the signals it receives, and merges the others' per-stratum counts on each tick, so
 * the verdict is the fleet's: the halt comes in the same tick as with one engine that receives every signal
 * (at most one tick later), with the fleet's time at risk as its evidence, and every replica answers REVERT.
 */
class FleetHealthReplicaTest {

  private static final int FLEET = 3_000;
  private static final EndpointAttributes EU = EndpointAttributes.builder().os("windows").region("eu-west")
      .tier("standard").build();
  private static final EndpointAttributes US = EndpointAttributes.builder().os("linux").region("us-east")
      .tier("standard").build();

  /** Canary of 300 judged by the hazard test alone (no catastrophe guard), then everyone. */
  private static Plan plan() {
    GateSpec health = new GateSpec(HealthGate.TYPE, Map.of("catastropheCeiling", 1.0));
    return Plan.builder("canary-then-all")
        .ring(Ring.named("canary").share(2_000).cap(300).bakeTime(Duration.ofHours(2)).minSample(20).gate(health)
            .build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.of(HealthGate.TYPE)).build())
        .override(new LintOverride(LintRule.FIRST_RING_TOO_LARGE, "canary", "capped at 300 endpoints"))
        .override(new LintOverride(LintRule.STEP_TOO_LARGE, "all", "a test of the canary's judge"))
        .build();
  }

  /** One endpoint in three crashes if it runs the candidate; they are all routed to replica 0. */
  private static boolean crashes(int endpoint) {
    return endpoint % 3 == 0;
  }

  private static int owner(int endpoint, int replicas) {
    return replicas == 1 || crashes(endpoint) ? 0 : 1 + endpoint % (replicas - 1);
  }

  /** The result of one run: the minute each replica halted, and the verdict that halted the first one. */
  private record Run(int[] haltedAtMinute, Verdict verdict) {}

  private static Run run(int replicas) {
    ManualClock clock = ManualClock.at("2026-12-10T10:00:00Z");
    RolloutStore store = replicas == 1 ? RolloutStores.inMemory() : new SharedStore();
    List<RolloutEngine> engines = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      engines.add(RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
          .heartbeatInterval(Duration.ofMinutes(1)).stalenessBound(Duration.ofMinutes(5)).build()));
    }
    engines.get(0).createRollout(RolloutSpec.builder("r").channel("c").baseline(1).candidate(2).plan(plan())
        .build()).start();
    engines.forEach(RolloutEngine::tick); // the others learn of the rollout
    boolean[] exposed = new boolean[FLEET];
    for (int i = 0; i < FLEET; i++) {
      RolloutEngine at = engines.get(owner(i, replicas));
      exposed[i] = at.decide("r", "e" + i, i % 2 == 0 ? EU : US, 1).kind() == Decision.Kind.OFFER;
    }
    int[] halted = new int[replicas];
    java.util.Arrays.fill(halted, -1);
    Verdict verdict = null;
    for (int minute = 1; minute <= 120 && java.util.Arrays.stream(halted).anyMatch(h -> h < 0); minute++) {
      for (int i = 0; i < FLEET; i++) {
        // Spread over 40 minutes, so the halt waits for evidence to build up rather than come with the first tick.
        // Both arms also crash in the background, one endpoint in 300 a minute, on every replica.
        boolean crash = exposed[i] && crashes(i) && minute >= 3 + (i / 3) % 40
            || Math.floorMod(i * 7_919 + minute * 104_729, 300) == 0;
        engines.get(owner(i, replicas)).ingest("r", new Heartbeat("e" + i, 1, minute, exposed[i] ? 2 : 1,
            crash ? 1 : 0));
      }
      clock.advance(Duration.ofMinutes(1));
      for (int r = 0; r < replicas; r++) {
        RolloutEngine engine = engines.get(r);
        engine.tick();
        if (halted[r] < 0 && engine.rollout("r").state().isHalted()) {
          halted[r] = minute;
          if (verdict == null) {
            verdict = engine.rollout("r").status().lastVerdict();
          }
        }
      }
    }
    for (RolloutEngine engine : engines) {
      for (int i = 0; i < FLEET; i++) {
        if (exposed[i]) {
          assertThat(engine.decide("r", "e" + i, i % 2 == 0 ? EU : US, 2).kind()).as("e" + i)
              .isEqualTo(Decision.Kind.REVERT);
        }
      }
    }
    return new Run(halted, verdict);
  }

  @Test
  void crashesAllOnOneReplica_haltEveryReplica_asSoonAsOneEngineWithEverySignal() {
    Run single = run(1);
    assertThat(single.haltedAtMinute()[0]).as("one engine halts").isPositive();
    for (int replicas = 2; replicas <= 3; replicas++) {
      Run fleet = run(replicas);
      System.out.printf(Locale.ROOT, "fleet health: one engine halted at minute %d; %d replicas at minutes %s%n",
          single.haltedAtMinute()[0], replicas, java.util.Arrays.toString(fleet.haltedAtMinute()));
      for (int r = 0; r < replicas; r++) {
        assertThat(fleet.haltedAtMinute()[r]).as("replica %d of %d", r, replicas)
            .isPositive().isLessThanOrEqualTo(single.haltedAtMinute()[0] + 1);
      }
      // The verdict was the fleet's: the control's time at risk is every replica's (less the other replicas' first
      // minute, which replica 0 read one tick late), not the third or half that replica 0 observes itself.
      double fleetHours = fleet.verdict().evidence().get("controlHostHours");
      double singleHours = single.verdict().evidence().get("controlHostHours");
      assertThat(fleetHours).isGreaterThan(0.8 * singleHours).isLessThanOrEqualTo(singleHours);
      assertThat(fleet.verdict().evidence().get("candidateFailureEvents")).as("failure events")
          .isGreaterThanOrEqualTo(single.verdict().evidence().get("candidateFailureEvents") - 10);
    }
  }
}
