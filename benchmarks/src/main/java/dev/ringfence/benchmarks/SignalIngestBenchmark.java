package dev.ringfence.benchmarks;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.Signal;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Signal ingestion into a running rollout: heartbeats (and every eighth an apply result) from 65,536
 * endpoints, half exposed (candidate arm) and half control. Each operation builds one signal with a
 * new sequence number, as a server does when it decodes a report, so every signal is accepted and
 * counted: the expensive path (duplicates stop earlier). Each thread owns its own endpoints.
 *
 * <p>Peer, in the same run: resilience4j's {@code CircuitBreaker} recording outcomes into its default
 * count-based sliding window (100 calls): {@code onSuccess} where Ringfence ingests a heartbeat and
 * {@code onError} (a pre-built exception; 1 in 128 calls, so the breaker stays closed and keeps recording)
 * where Ringfence ingests an apply result. One breaker shared by the threads, as one rollout is shared.
 * The breaker keeps no per-endpoint state (no lookup, no duplicate check), so it is a floor for
 * "record an outcome", not an equivalent feature.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SignalIngest -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class SignalIngestBenchmark {

  private static final int ENDPOINTS = 1 << 16;
  private static final EndpointAttributes ATTRIBUTES = EndpointAttributes.builder().os("windows").build();

  private String[] ids;
  private long[] versions;
  private static final RuntimeException FAILURE = new RuntimeException("apply failed", null, false, false) {
  };

  private Rollout rollout;
  private CircuitBreaker breaker;

  @Setup(Level.Trial)
  public void setUp() {
    breaker = CircuitBreaker.of("bench", CircuitBreakerConfig.ofDefaults());
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).build());
    Plan plan = Plan.builder("bench")
        .ring(Ring.named("canary").share(100).cap(100_000).bakeTime(Duration.ofHours(1))
            .gate(GateSpec.of(HealthGate.TYPE)).build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ZERO).gate(GateSpec.of(HealthGate.TYPE)).build())
        .build();
    rollout = engine.createRollout(RolloutSpec.builder("bench").channel("bench").baseline(1).candidate(2)
        .plan(plan).build());
    rollout.start();
    List<String> exposed = new ArrayList<>();
    List<String> control = new ArrayList<>();
    for (int i = 0; exposed.size() < ENDPOINTS / 2 || control.size() < ENDPOINTS / 2; i++) {
      String id = "endpoint-" + i;
      boolean offered = rollout.decide(id, ATTRIBUTES, 1).kind() == Decision.Kind.OFFER;
      if (offered && exposed.size() < ENDPOINTS / 2) {
        exposed.add(id);
      } else if (!offered && control.size() < ENDPOINTS / 2) {
        control.add(id);
      }
    }
    ids = new String[ENDPOINTS];
    versions = new long[ENDPOINTS];
    for (int i = 0; i < ENDPOINTS; i++) {
      boolean candidate = (i & 1) == 0;
      ids[i] = candidate ? exposed.get(i >> 1) : control.get(i >> 1);
      versions[i] = candidate ? 2 : 1;
    }
  }

  /** A thread's lane: every other endpoint, with its own sequence counter. */
  @State(Scope.Thread)
  public static class Lane {
    private static final AtomicInteger LANES = new AtomicInteger();
    int index;
    int step;
    long sequence;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
      int threads = params.getThreads();
      step = threads;
      index = LANES.getAndIncrement() % threads;
    }
  }

  /** Moves the lane on to its next endpoint, a new sequence number after each pass over them all. */
  private static int advance(Lane lane) {
    int i = lane.index;
    int next = i + lane.step;
    if (next >= ENDPOINTS) {
      next -= ENDPOINTS;
      lane.sequence++;
    }
    lane.index = next;
    return i;
  }

  private Signal next(Lane lane) {
    int i = advance(lane);
    long sequence = lane.sequence;
    return (sequence & 7) == 0 && (i & 15) == 0
        ? new ApplyResult(ids[i], 1, sequence, versions[i], ApplyOutcome.ACTIVATED, "")
        : new Heartbeat(ids[i], 1, sequence, versions[i], 0);
  }

  /** The resilience4j counterpart of {@link #next}: the same walk, an error where an apply result goes. */
  private boolean recordNext(Lane lane) {
    int i = advance(lane);
    if ((lane.sequence & 7) == 0 && (i & 15) == 0) {
      breaker.onError(0, TimeUnit.NANOSECONDS, FAILURE);
      return false;
    }
    breaker.onSuccess(0, TimeUnit.NANOSECONDS);
    return true;
  }

  @Benchmark
  @Threads(1)
  public boolean resilience4jRecordOneThread(Lane lane) {
    return recordNext(lane);
  }

  @Benchmark
  @Threads(2)
  public boolean resilience4jRecordTwoThreads(Lane lane) {
    return recordNext(lane);
  }

  @Benchmark
  @Threads(1)
  public IngestResult ringfenceIngestOneThread(Lane lane) {
    return rollout.ingest(next(lane));
  }

  @Benchmark
  @Threads(2)
  public IngestResult ringfenceIngestTwoThreads(Lane lane) {
    return rollout.ingest(next(lane));
  }
}
