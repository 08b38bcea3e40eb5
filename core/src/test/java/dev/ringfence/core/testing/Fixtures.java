package dev.ringfence.core.testing;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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

  /**
   * A plan of one ring, larger than a first ring should be and uncapped, whose two first-ring lint findings are
   * overridden: for tests of what happens within a ring, not of how rings follow each other.
   *
   * @param name the plan's name
   * @param ring the ring
   * @param reason the overrides' reason
   * @return the plan
   */
  public static Plan oneLargeRing(String name, Ring ring, String reason) {
    return Plan.builder(name).ring(ring)
        .override(new LintOverride(LintRule.FIRST_RING_TOO_LARGE, ring.name(), reason))
        .override(new LintOverride(LintRule.FIRST_RING_UNCAPPED, ring.name(), reason))
        .build();
  }

  /**
   * canary 1% cap 50 baked 30 min behind {@code canaryGate}, then all 10% at once, scripted: a plan to add to
   * (freeze windows, held tiers) before it is built.
   */
  public static Plan.Builder twoRings(String name, GateSpec canaryGate) {
    return twoRings(name, canaryGate, 50);
  }

  /** {@link #twoRings(String, GateSpec)} with another cap on the canary: 1,000 to see a budget, 10,000 for none. */
  public static Plan.Builder twoRings(String name, GateSpec canaryGate, long canaryCap) {
    return Plan.builder(name)
        .ring(Ring.named("canary").share(100).cap(canaryCap).bakeTime(Duration.ofMinutes(30)).gate(canaryGate).build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ZERO).gate(GateSpec.of(ScriptedGate.TYPE)).build());
  }

  /**
   * canary 1% cap 50, all 10%, baked 30 min each behind scripted gates, with the tier {@code critical} held out of
   * them: a plan to add the tier's canary ring to before it is built.
   */
  public static Plan.Builder heldCritical(String name) {
    GateSpec scripted = GateSpec.of(ScriptedGate.TYPE);
    return Plan.builder(name)
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).gate(scripted).build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ofMinutes(30)).gate(scripted).build())
        .heldTiers("critical");
  }

  /** What one thread of {@link #inParallel} does, with its own seeded random. */
  public interface Racer {
    void run(SplittableRandom random) throws Exception;
  }

  /**
   * Runs {@code racer} on {@code threads} threads released at the same instant, thread {@code t} with a random
   * seeded {@code seed + t}, and waits for every one.
   *
   * @throws Exception what a racer threw (wrapped in an ExecutionException), or a timeout past {@code timeout}
   */
  public static void inParallel(int threads, long seed, Duration timeout, Racer racer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SplittableRandom random = new SplittableRandom(seed + t);
        futures.add(pool.submit(() -> {
          go.await();
          racer.run(random);
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdown();
    }
  }

  public static RolloutSpec spec(String id, Plan plan) {
    return RolloutSpec.builder(id).channel("channel-291").baseline(41).candidate(42).plan(plan).build();
  }

  public static RolloutEngine engine(ManualClock clock, RolloutStore store, ScriptedGate gate) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(ScriptedGate.TYPE, spec -> gate).build());
  }
}
