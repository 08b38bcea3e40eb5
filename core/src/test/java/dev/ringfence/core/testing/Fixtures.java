package dev.ringfence.core.testing;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;

/** Plans, specs and engines shared by the engine tests. */
public final class Fixtures {

  public static final EndpointAttributes WINDOWS = EndpointAttributes.builder().os("windows").osBuild("22631")
      .region("eu-west").tier("standard").build();

  private Fixtures() {}

  /** canary 1% cap 50, early 10% cap 500, broad 50%, all 100%; bake 30 min each but the last; scripted gates. */
  public static Plan fourRings() {
    GateSpec gate = GateSpec.of(ScriptedGate.TYPE);
    return Plan.builder("four-rings")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10).gate(gate).build())
        .ring(Ring.named("early").share(1000).cap(500).bakeTime(Duration.ofMinutes(30)).minSample(10).gate(gate).build())
        .ring(Ring.named("broad").share(5000).bakeTime(Duration.ofMinutes(30)).gate(gate).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(gate).build())
        .build();
  }

  public static RolloutSpec spec(String id, Plan plan) {
    return RolloutSpec.builder(id).channel("channel-291").baseline(41).candidate(42).plan(plan).build();
  }

  public static RolloutEngine engine(ManualClock clock, RolloutStore store, ScriptedGate gate) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(ScriptedGate.TYPE, spec -> gate).build());
  }
}
