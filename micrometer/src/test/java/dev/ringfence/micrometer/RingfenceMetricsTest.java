package dev.ringfence.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingfenceMetricsTest {

  @Test
  void binder_exposesStateRingExposureSignalsSilenceVerdictsAndHalts() {
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    ScriptedGate gate = new ScriptedGate();
    RolloutEngine engine = Fixtures.engine(clock, RolloutStores.inMemory(), gate);
    Rollout before = engine.createRollout(Fixtures.spec("before", Fixtures.fourRings()));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RingfenceMetrics metrics = RingfenceMetrics.of(engine);
    metrics.bindTo(registry);
    Rollout after = engine.createRollout(Fixtures.spec("after", Fixtures.fourRings()));

    before.start();
    after.start(); // bound at its first transition
    List<String> exposed = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      if (before.decide("h" + i, Fixtures.WINDOWS, 41).kind() == Decision.Kind.OFFER) {
        exposed.add("h" + i);
      }
    }
    before.ingest(new Heartbeat(exposed.get(0), 1, 1, 42, 0));
    before.ingest(new Heartbeat(exposed.get(0), 1, 1, 42, 0)); // duplicate
    before.ingest(new Heartbeat("h-never-offered", 1, 1, 42, 0)); // anomaly
    before.ingest(new Heartbeat("h-control", 1, 1, 41, 0));
    gate.answer(Outcome.INCONCLUSIVE);
    clock.advance(Duration.ofMinutes(5)); // past every silence deadline
    engine.tick();
    gate.answer(Outcome.FAIL);
    engine.tick();

    String r = "before";
    assertThat(registry.get("ringfence.rollout.state").tag("rollout", r).tag("state", "rolling_back").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("ringfence.rollout.state").tag("rollout", r).tag("state", "running").gauge().value())
        .isZero();
    assertThat(registry.get("ringfence.rollout.ring").tag("rollout", r).gauge().value()).isZero();
    assertThat(registry.get("ringfence.rollout.exposed").tag("rollout", r).gauge().value()).isEqualTo(50);
    assertThat(registry.get("ringfence.signals").tag("rollout", r).tags("type", "heartbeat", "arm", "candidate",
        "outcome", "accepted").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("ringfence.signals").tag("rollout", r).tags("type", "heartbeat", "arm", "candidate",
        "outcome", "duplicate").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("ringfence.signals").tag("rollout", r).tags("type", "heartbeat", "arm", "none",
        "outcome", "anomaly").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("ringfence.signals").tag("rollout", r).tags("type", "heartbeat", "arm", "control",
        "outcome", "accepted").functionCounter().count()).isEqualTo(1);
    // Every exposed endpoint: 49 never heard of, and the one quiet for 5 minutes since its only report.
    assertThat(registry.get("ringfence.signals.silent").tag("rollout", r).functionCounter().count()).isEqualTo(50);
    assertThat(registry.get("ringfence.verdicts").tag("rollout", r).tag("outcome", "inconclusive").functionCounter()
        .count()).isEqualTo(1);
    assertThat(registry.get("ringfence.verdicts").tag("rollout", r).tag("outcome", "fail").functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("ringfence.halts").tag("rollout", r).functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("ringfence.rollout.exposed").tag("rollout", "after").tag("channel", "channel-291")
        .gauge().value()).isZero();

    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
      assertThat(meter.getId().getTag("rollout")).isIn("before", "after");
      assertThat(meter.getId().getTag("channel")).isEqualTo("channel-291");
    }
    assertThat(registry.get("ringfence.rollout.exposed").gauge().getId().getBaseUnit()).isEqualTo("endpoints");
    metrics.close();
  }

  @Test
  void of_nullEngine_isRefusedNamingIt() {
    assertThatThrownBy(() -> RingfenceMetrics.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("engine");
  }
}
