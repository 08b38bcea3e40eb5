package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.BoundedFuzzTest;
import dev.ringfence.protocol.Signal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Fuzzes the update server's signal batch reader, the body an endpoint POSTs to
 * {@code /v1/channels/{channel}/signals} (docs/fuzzing.md). A batch is refused whole with a 4xx {@link HttpError}
 * naming the field by its path, or every signal in it is ingested by a running rollout without an exception.
 * Corpus: {@code SignalJsonFuzzTestInputs/}.
 */
class SignalJsonFuzzTest {

  private static final Plan PLAN = Plans.fromJson("""
      {"schemaVersion":1,"name":"fuzz","rings":[
        {"name":"canary","share":5000,"cap":4,"bakeTime":"PT2M","minSample":1,
         "gate":{"type":"health","params":{"catastropheMinReports":2,"minCandidateReports":2,"metrics":[{"name":"cpu","minSamples":3}]}}},
        {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"time-and-sample"}}],
       "overrides":[{"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"both arms at once"}]}
      """);

  @BoundedFuzzTest
  void parse(byte[] body) {
    List<Signal> signals;
    try {
      signals = SignalJson.parse(body);
    } catch (HttpError e) {
      assertThat(e.status()).isBetween(400, 499);
      assertThat(e.field()).isNotBlank();
      assertThat(e.getMessage()).startsWith(e.field());
      return;
    }
    assertThat(signals).hasSizeLessThanOrEqualTo(SignalJson.MAX_BATCH);
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom()
        .clock(Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC))
        .store(RolloutStores.inMemory()).build());
    Rollout rollout = engine.createRollout(RolloutSpec.builder("r").channel("c").baseline(41).candidate(42)
        .plan(PLAN).build());
    rollout.start();
    for (int i = 0; i < 4; i++) {
      rollout.decide("host-" + i, EndpointAttributes.UNKNOWN, 41);
    }
    for (Signal signal : signals) {
      assertThat(rollout.ingest(signal)).isNotNull();
    }
    engine.tick();
  }
}
