package dev.ringfence.benchmarks;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import com.launchdarkly.sdk.LDContext;
import com.launchdarkly.sdk.server.Components;
import com.launchdarkly.sdk.server.LDClient;
import com.launchdarkly.sdk.server.LDConfig;
import com.launchdarkly.sdk.server.integrations.FileData;
import dev.ringfence.core.Cohort;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.protocol.Decision;
import io.getunleash.UnleashContext;
import io.getunleash.strategy.FlexibleRolloutStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The decision hot path: {@code Rollout.decide} for 1M (and 64K) distinct, pre-generated endpoint ids in a
 * rollout whose second ring (10%) is open, or whose first ring admits 5% ({@code percent}), every admission
 * already made, against the floor of a bare Guava murmur3 hash of the same ids (and {@code cohortBucket}, the same
 * hash as Ringfence computes it), and against two peers
 * deciding the same rollout for the same ids in the same run:
 *
 * <ul>
 *   <li>Unleash Java SDK: {@code FlexibleRolloutStrategy.isEnabled} with {@code rollout=percent},
 *       {@code stickiness=default}, the id as userId and sessionId of an {@link UnleashContext}, and with
 *       {@code stickiness=userId}, its cheapest path ({@code unleashUserIdIsEnabled});
 *   <li>LaunchDarkly Java server SDK: {@code LDClient.boolVariation} of a flag whose fallthrough is a 10%/90% (or
 *       5%/95%) percentage rollout, with no network (file data source, no events; see {@link #launchDarkly()}).
 * </ul>
 *
 * <p>Every peer gets its per-endpoint input built up front, once per id (an {@code UnleashContext}, an
 * {@code LDContext}), as a server would hold it, so the measured call excludes building it; Ringfence gets
 * the id string and one shared {@link EndpointAttributes}. That is the peers' most favourable setting.
 * Only the state a benchmark uses is built in its fork.
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
  /** The share the open ring admits: 10% (a second ring) or a 5% first ring. */
  @Param({"10", "5"})
  public int percent;
  private static final EndpointAttributes ATTRIBUTES = EndpointAttributes.builder().os("windows")
      .osBuild("22631").region("eu-west").tier("standard").build();

  private String[] idArray;
  private Rollout rollout;
  private HashFunction murmur;
  private Cohort cohort;
  private UnleashContext[] unleashContexts;
  private FlexibleRolloutStrategy unleashStrategy;
  private Map<String, String> unleashParameters;
  private LDContext[] ldContexts;
  private LDClient ldClient;

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
  public void setUp(BenchmarkParams params) {
    SplittableRandom random = new SplittableRandom(42);
    idArray = new String[ids];
    for (int i = 0; i < ids; i++) {
      idArray[i] = "endpoint-" + Long.toHexString(random.nextLong());
    }
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    if (method.startsWith("ringfence")) {
      setUpRingfence();
    } else if (method.startsWith("unleash")) {
      setUpUnleash(method.startsWith("unleashUserId") ? "userId" : "default");
    } else if (method.startsWith("launchDarkly")) {
      setUpLaunchDarkly();
    } else if (method.startsWith("cohort")) {
      cohort = Cohort.withSalt(12345);
    } else {
      murmur = Hashing.murmur3_32_fixed(12345);
    }
  }

  private void setUpRingfence() {
    FixedClock clock = new FixedClock(Instant.parse("2026-11-23T10:00:00Z"));
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).build());
    Plan plan = percent == 5
        ? Plan.builder("bench-first-ring")
            .ring(Ring.named("first").share(500).cap(ids).bakeTime(Duration.ofMinutes(30)).gate(GateSpec.timeAndSample())
                .build())
            .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.timeAndSample()).build())
            .override(new LintOverride(LintRule.FIRST_RING_TOO_LARGE, "first", "a benchmark of a 5% first ring"))
            .override(new LintOverride(LintRule.STEP_TOO_LARGE, "all", "a benchmark of a 5% first ring"))
            .build()
        : Plan.builder("bench")
            .ring(Ring.named("canary").share(100).cap(10_000).bakeTime(Duration.ofMinutes(30))
                .gate(GateSpec.timeAndSample()).build())
            .ring(Ring.named("early").share(1000).bakeTime(Duration.ofMinutes(30)).gate(GateSpec.timeAndSample())
                .build())
            .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.timeAndSample()).build())
            .build();
    rollout = engine.createRollout(RolloutSpec.builder("bench").channel("bench").baseline(1).candidate(2).plan(plan)
        .build());
    rollout.start();
    admitAll();
    if (percent == 10) {
      clock.now = clock.now.plus(Duration.ofMinutes(31));
      engine.tick();
      admitAll(); // ring 'early' (10%) is open and every admission is made: the steady state
    }
    long offered = 0;
    for (String id : idArray) {
      offered += rollout.decide(id, ATTRIBUTES, 1).kind() == Decision.Kind.OFFER ? 1 : 0;
    }
    checkShare("Ringfence", offered);
  }

  /** @param stickiness {@code default} (userId, else sessionId, else random) or {@code userId}, its cheapest path */
  private void setUpUnleash(String stickiness) {
    unleashStrategy = new FlexibleRolloutStrategy();
    unleashParameters = Map.of("rollout", Integer.toString(percent), "stickiness", stickiness, "groupId", "bench");
    unleashContexts = new UnleashContext[ids];
    long enabled = 0;
    for (int i = 0; i < ids; i++) {
      unleashContexts[i] = UnleashContext.builder().userId(idArray[i]).sessionId(idArray[i]).build();
      enabled += unleashStrategy.isEnabled(unleashParameters, unleashContexts[i]) ? 1 : 0;
    }
    checkShare("Unleash", enabled);
  }

  private void setUpLaunchDarkly() {
    ldClient = launchDarkly();
    if (!ldClient.isInitialized()) {
      throw new IllegalStateException("the LaunchDarkly client did not load the flag");
    }
    ldContexts = new LDContext[ids];
    long enabled = 0;
    for (int i = 0; i < ids; i++) {
      ldContexts[i] = LDContext.create(idArray[i]);
      enabled += ldClient.boolVariation(flag(), ldContexts[i], false) ? 1 : 0;
    }
    checkShare("LaunchDarkly", enabled);
  }

  /**
   * A LaunchDarkly client that makes no network connection: flags come from a classpath file (a boolean
   * flag whose fallthrough is a 10%/90% percentage rollout), analytics events and diagnostics are off.
   * {@code TestData} cannot express a percentage rollout in SDK 7.13.0 (its flag builder has targets and
   * rules only), and {@code offline(true)} replaces the data source by none, so this is the SDK's offline
   * setup that can carry a rollout.
   */
  static LDClient launchDarkly() {
    LDConfig config = new LDConfig.Builder()
        .dataSource(FileData.dataSource().classpathResources("launchdarkly-bench-flag.json"))
        .events(Components.noEvents())
        .diagnosticOptOut(true)
        .logging(Components.noLogging())
        .build();
    return new LDClient("sdk-offline-benchmark", config);
  }

  /** Every system must put about {@code percent} of the ids in: otherwise the comparison is not like for like. */
  private void checkShare(String system, long in) {
    double share = (double) in / ids;
    if (Math.abs(share - percent / 100.0) > percent / 1000.0) {
      throw new IllegalStateException(system + " rolled out to " + share + " of the ids, not " + percent + "%");
    }
  }

  private String flag() {
    return percent == 5 ? "bench5" : "bench";
  }

  @TearDown(Level.Trial)
  public void tearDown() throws java.io.IOException {
    if (ldClient != null) {
      ldClient.close();
    }
  }

  private void admitAll() {
    for (String id : idArray) {
      rollout.decide(id, ATTRIBUTES, 1);
    }
  }

  private int next(Cursor cursor) {
    int i = cursor.next;
    cursor.next = (i + 1) & (ids - 1);
    return i;
  }

  private String nextId(Cursor cursor) {
    return idArray[next(cursor)];
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

  /** Ringfence's cohort hash alone: the floor's murmur3 of the same ids, computed from their chars, to a bucket. */
  @Benchmark
  @Threads(1)
  public int cohortBucket(Cursor cursor) {
    return cohort.bucket(nextId(cursor));
  }

  @Benchmark
  @Threads(1)
  public boolean unleashIsEnabled(Cursor cursor) {
    return unleashStrategy.isEnabled(unleashParameters, unleashContexts[next(cursor)]);
  }

  @Benchmark
  @Threads(1)
  public boolean unleashUserIdIsEnabled(Cursor cursor) {
    return unleashStrategy.isEnabled(unleashParameters, unleashContexts[next(cursor)]);
  }

  @Benchmark
  @Threads(2)
  public boolean unleashIsEnabledTwoThreads(Cursor cursor) {
    return unleashStrategy.isEnabled(unleashParameters, unleashContexts[next(cursor)]);
  }

  @Benchmark
  @Threads(1)
  public boolean launchDarklyBoolVariation(Cursor cursor) {
    return ldClient.boolVariation(flag(), ldContexts[next(cursor)], false);
  }

  @Benchmark
  @Threads(2)
  public boolean launchDarklyBoolVariationTwoThreads(Cursor cursor) {
    return ldClient.boolVariation(flag(), ldContexts[next(cursor)], false);
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
