package dev.ringfence.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.UnknownVersionException;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.BoundedFuzzTest;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.InvalidSignalException;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;

/**
 * Fuzzes what endpoints send (docs/fuzzing.md): a script of signals with arbitrary fields, decisions and clock
 * ticks against a running rollout whose health gate judges crashes and a probe metric. A signal is refused when
 * it is built, with an {@link InvalidSignalException} naming the field, or ingested; ingesting, deciding and
 * ticking never throw anything but the documented typed exceptions. Corpus: {@code SignalFuzzTestInputs/}.
 */
class SignalFuzzTest {

  private static final long BASELINE = 41;
  private static final long CANDIDATE = 42;
  private static final int HOSTS = 8;
  private static final EndpointAttributes HOST = Fixtures.WINDOWS;
  private static final Plan PLAN = Plans.fromJson("""
      {"schemaVersion":1,"name":"fuzz","rollbackTimeout":"PT5M",
       "rings":[
         {"name":"canary","share":5000,"cap":4,"bakeTime":"PT2M","minSample":1,
          "gate":{"type":"health","params":{"catastropheMinReports":2,"minCandidateReports":2,"minControlReports":2,
            "metrics":[{"name":"cpu","minSamples":3},{"name":"latency","direction":"decrease","critical":true,
                        "minSamples":3}]}}},
         {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"health"}}],
       "overrides":[{"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"fuzzing wants both arms at once"}]}
      """);

  @BoundedFuzzTest
  void ingest(FuzzedDataProvider data) {
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock)
        .store(RolloutStores.inMemory()).heartbeatInterval(Duration.ofMinutes(1)).build());
    Rollout rollout = engine.createRollout(RolloutSpec.builder("r").channel("c").baseline(BASELINE)
        .candidate(CANDIDATE).plan(PLAN).build());
    rollout.start();
    for (int i = 0; i < HOSTS; i++) {
      rollout.decide("host-" + i, HOST, BASELINE);
    }
    int steps = data.consumeInt(0, 200);
    for (int step = 0; step < steps && data.remainingBytes() > 0; step++) {
      switch (data.consumeInt(0, 5)) {
        case 0, 1, 2 -> {
          Signal signal;
          try {
            signal = signal(data);
          } catch (InvalidSignalException e) {
            assertThat(e.field()).isNotBlank();
            assertThat(e.getMessage()).contains(e.field());
            continue;
          }
          assertThat(rollout.ingest(signal)).isNotNull();
        }
        case 3 -> {
          clock.advance(Duration.ofSeconds(data.consumeInt(0, 7200)));
          engine.tick();
        }
        case 4 -> {
          try {
            assertThat(rollout.decide(endpoint(data), HOST, version(data))).isNotNull();
          } catch (InvalidInputException | UnknownVersionException e) {
            assertThat(e.getMessage()).isNotBlank();
          }
        }
        default -> engine.tick();
      }
    }
    engine.tick();
    assertThat(rollout.status()).isNotNull();
  }

  private static Signal signal(FuzzedDataProvider data) {
    String endpoint = endpoint(data);
    long bootId = data.consumeBoolean() ? data.consumeLong(0, 3) : data.consumeLong();
    long sequence = data.consumeBoolean() ? data.consumeLong(0, 50) : data.consumeLong();
    long version = version(data);
    return switch (data.consumeInt(0, 2)) {
      case 0 -> new Heartbeat(endpoint, bootId, sequence, version,
          data.consumeBoolean() ? data.consumeInt(0, 5) : data.consumeInt());
      case 1 -> new ApplyResult(endpoint, bootId, sequence, version, data.pickValue(ApplyOutcome.values()),
          data.consumeString(1_100));
      default -> new ProbeReading(endpoint, bootId, sequence, version,
          data.consumeBoolean() ? data.pickValue(new String[] {"cpu", "latency"}) : data.consumeString(140),
          data.consumeBoolean() ? data.consumeRegularDouble(0, 100) : data.consumeDouble());
    };
  }

  private static String endpoint(FuzzedDataProvider data) {
    return data.consumeBoolean() ? "host-" + data.consumeInt(0, HOSTS - 1) : data.consumeString(40);
  }

  private static long version(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 3)) {
      case 0 -> BASELINE;
      case 1 -> CANDIDATE;
      default -> data.consumeLong();
    };
  }
}
