package dev.ringfence.benchmarks;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.ringfence.core.Decision;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decision hot path: {@code Rollout.decide} for 1M (and 64K) distinct, pre-generated endpoint ids in a
 * rollout whose second ring (10%) is open, every admission already made, against the floor of a
 * bare Guava murmur3 hash of the same ids.
 *
 * <p>Run: {@code java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -jar benchmarks/target/benchmarks.jar Decision -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class DecisionBenchmark {

  /** Distinct ids: 1M (the goal's setting, ~64 MB of strings) and 64K (fits in cache: compute alone). */
  @Param({"1048576", "65536"})
  public int ids;
  private static final EndpointAttributes ATTRIBUTES = EndpointAttributes.builder().os("windows")
      .osBuild("22631").region("eu-west").tier("standard").build();

  private String[] idArray;
  private Rollout rollout;
  private HashFunction murmur;

  /** Per-thread cursor so that threads walk the ids independently. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      next = (int) (Thread.currentThread().getId() * 7919) & ((1 << 16) - 1);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    idArray = new String[ids];
    for (int i = 0; i < ids; i++) {
      idArray[i] = "endpoint-" + Long.toHexString(random.nextLong());
    }
    FixedClock clock = new FixedClock(Instant.parse("2026-11-23T10:00:00Z"));
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).build());
    Plan plan = Plan.builder("bench")
        .ring(Ring.named("canary").share(100).cap(10_000).bakeTime(Duration.ofMinutes(30))
            .gate(GateSpec.timeAndSample()).build())
        .ring(Ring.named("early").share(1000).bakeTime(Duration.ofMinutes(30)).gate(GateSpec.timeAndSample()).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.timeAndSample()).build())
        .build();
    rollout = engine.createRollout(RolloutSpec.builder("bench").channel("bench").baseline(1).candidate(2).plan(plan)
        .build());
    rollout.start();
    admitAll();
    clock.now = clock.now.plus(Duration.ofMinutes(31));
    engine.tick();
    admitAll(); // ring 'early' (10%) is open and every admission is made: the steady state
    murmur = Hashing.murmur3_32_fixed(12345);
  }

  private void admitAll() {
    for (String id : idArray) {
      rollout.decide(id, ATTRIBUTES, 1);
    }
  }

  private String nextId(Cursor cursor) {
    int i = cursor.next;
    cursor.next = (i + 1) & (ids - 1);
    return idArray[i];
  }

  @Benchmark
  @Threads(1)
  public Decision ringfenceDecide(Cursor cursor) {
    return rollout.decide(nextId(cursor), ATTRIBUTES, 1);
  }

  @Benchmark
  @Threads(2)
  public Decision ringfenceDecideTwoThreads(Cursor cursor) {
    return rollout.decide(nextId(cursor), ATTRIBUTES, 1);
  }

  @Benchmark
  @Threads(1)
  public int guavaMurmur3Floor(Cursor cursor) {
    return murmur.hashString(nextId(cursor), StandardCharsets.UTF_8).asInt();
  }

  /** A clock the setup moves by hand. */
  static final class FixedClock extends Clock {
    Instant now;

    FixedClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
