package dev.ringfence.examples;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.protocol.Decision;
import java.time.Duration;

/** The quick start of the README, compiled and run by the build so that it never goes stale. */
public final class QuickStart {

  private QuickStart() {}

  /**
   * Runs the quick start.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    // README:start
    Plan plan = Plan.builder("content-rings")
        .ring(Ring.named("canary").percent(1).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(20).build())
        .ring(Ring.named("broad").percent(10).bakeTime(Duration.ofHours(1)).minSample(500).build())
        .ring(Ring.named("everyone").percent(100).build())
        .build();

    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.ofDefaults());
    Rollout rollout = engine.createRollout(RolloutSpec.builder("content-2024-07-19")
        .channel("channel-291").baseline(41).candidate(42).plan(plan).build());
    rollout.start();

    // Your update server asks, for each endpoint that polls: which version does it get?
    EndpointAttributes host = EndpointAttributes.builder()
        .os("windows").osBuild("22631").region("eu-west").tier("standard").build();
    Decision decision = rollout.decide("host-42", host, 41);
    System.out.println(decision); // STAY, OFFER, REVERT or HOLD, with the ring and the reason

    // Call on a schedule: judges the open ring's gate, opens the next ring, rolls back on FAIL.
    engine.tick();
    // README:end
  }
}
