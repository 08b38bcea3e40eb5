package dev.ringfence.examples;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.protocol.Decision;
import java.time.Duration;

/** Rolls version 42 out in three rings, each judged by the health gate, and decides for one host. */
public final class QuickStart {

  /** Creates and starts the rollout: version 41 to 42 in three rings, each judged by the health gate. */
  public static Rollout startRollout(RolloutEngine engine) {
    Plan plan = Plan.builder("content-rings")
        .ring(Ring.named("canary").percent(1).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(20)
            .gate(GateSpec.of("health")).build())
        .ring(Ring.named("broad").percent(10).bakeTime(Duration.ofHours(1)).minSample(500)
            .gate(GateSpec.of("health")).build())
        .ring(Ring.named("everyone").percent(100).gate(GateSpec.of("health")).build())
        .build();
    Rollout rollout = engine.createRollout(RolloutSpec.builder("content-2024-07-19")
        .channel("channel-291").baseline(41).candidate(42).plan(plan).build());
    rollout.start();
    return rollout;
  }

  public static void main(String[] args) {
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.ofDefaults());
    Rollout rollout = startRollout(engine);

    // Your update server asks, for each endpoint that polls: which version does it get?
    EndpointAttributes host = EndpointAttributes.builder()
        .os("windows").osBuild("22631").region("eu-west").tier("standard").build();
    Decision decision = rollout.decide("host-69", host, 41);
    System.out.println(decision); // OFFER(42) ring 0 'canary': admitted to ring 'canary'
    // (host-69 hashes into the canary's 1%; most ids get STAY(41): outside the open rings)

    // Call on a schedule: the health judge compares the candidate's reports with the control group's;
    // the engine opens the next ring on PASS (after the bake time), halts and rolls back on FAIL.
    engine.tick();
    Verdict verdict = rollout.status().lastVerdict();
    System.out.println(verdict.outcome() + ": " + verdict.reason()); // INCONCLUSIVE: too few reports: ...
  }
}
