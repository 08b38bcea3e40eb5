package dev.ringfence.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutMetrics;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.micrometer.internal.EngineMetrics;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Meters come with a live rollout and go with its end, with {@code close()}, and never hold an ended rollout. */
class RingfenceMetricsLifecycleTest {

  /** Meters per rollout: a gauge per state, ring, exposed, a signal counter per kind, arm and result, silent,
   * a verdict counter per outcome, halts. */
  private static final int METERS_PER_ROLLOUT = RolloutState.values().length + 2
      + RolloutMetrics.SignalKind.values().length * RolloutMetrics.Arm.values().length * IngestResult.values().length
      + 1 + Outcome.values().length + 1;

  private final ManualClock clock = ManualClock.at("2026-12-04T10:00:00Z");
  private final ScriptedGate gate = new ScriptedGate();
  private RolloutEngine engine;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void engine() {
    engine = Fixtures.engine(clock, RolloutStores.inMemory(), gate);
  }

  /** A capped canary, then everyone, no bake time: two passing ticks complete the rollout. */
  private static Plan twoRings() {
    GateSpec gate = GateSpec.of(ScriptedGate.TYPE);
    return Plan.builder("two-rings")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ZERO).gate(gate).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(gate).build())
        .override(new LintOverride(LintRule.ZERO_BAKE_TIME, "canary", "a test plan that ends in two ticks"))
        .override(new LintOverride(LintRule.STEP_TOO_LARGE, "all", "a test plan that ends in two ticks"))
        .build();
  }

  private void tickTwice() {
    engine.tick();
    engine.tick();
  }

  private static Set<String> rolloutsWithMeters(MeterRegistry registry) {
    Set<String> ids = new TreeSet<>();
    for (Meter meter : registry.getMeters()) {
      ids.add(meter.getId().getTag("rollout"));
    }
    return ids;
  }

  private static long metersOf(MeterRegistry registry, String rolloutId) {
    return registry.getMeters().stream().filter(m -> rolloutId.equals(m.getId().getTag("rollout"))).count();
  }

  @Test
  void completedRollout_hasItsMetersRemoved_andTheOthersKeepTheirs() {
    Rollout done = engine.createRollout(Fixtures.spec("done", twoRings()));
    Rollout other = engine.createRollout(Fixtures.spec("other", Fixtures.fourRings()));
    try (RingfenceMetrics metrics = RingfenceMetrics.of(engine)) {
      metrics.bindTo(registry);
      done.start();
      other.start();
      assertThat(metersOf(registry, "done")).isEqualTo(METERS_PER_ROLLOUT);
      assertThat(registry.get("ringfence.rollout.state").tags("rollout", "done", "state", "running").gauge().value())
          .isEqualTo(1);

      tickTwice();

      assertThat(done.state()).isEqualTo(RolloutState.COMPLETED);
      assertThat(other.state()).isEqualTo(RolloutState.RUNNING);
      assertThat(rolloutsWithMeters(registry)).containsExactly("other");
      assertThat(metersOf(registry, "other")).isEqualTo(METERS_PER_ROLLOUT);
      assertThat(((EngineMetrics) metrics).measuredRollouts()).containsExactly("other");
    }
  }

  @Test
  void rolledBackRollout_hasItsMetersRemovedAtTheEndOfTheRollback_notAtTheHalt() {
    Rollout rollout = engine.createRollout(Fixtures.spec("bad", Fixtures.fourRings()));
    try (RingfenceMetrics metrics = RingfenceMetrics.of(engine)) {
      metrics.bindTo(registry);
      rollout.start();
      String exposed = null;
      for (int i = 0; exposed == null; i++) {
        if (rollout.decide("h" + i, Fixtures.WINDOWS, 41).kind() == dev.ringfence.protocol.Decision.Kind.OFFER) {
          exposed = "h" + i;
        }
      }
      gate.answer(Outcome.FAIL);
      engine.tick();
      assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
      assertThat(registry.get("ringfence.halts").tag("rollout", "bad").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("ringfence.rollout.state").tags("rollout", "bad", "state", "rolling_back").gauge()
          .value()).isEqualTo(1);

      rollout.decide(exposed, Fixtures.WINDOWS, 41); // the only exposed endpoint is back on the baseline
      engine.tick();

      assertThat(rollout.state()).isEqualTo(RolloutState.ROLLED_BACK);
      assertThat(registry.getMeters()).isEmpty();
      assertThat(((EngineMetrics) metrics).measuredRollouts()).isEmpty();
    }
  }

  @Test
  void abortedRollout_hasItsMetersRemoved() {
    Rollout rollout = engine.createRollout(Fixtures.spec("withdrawn", Fixtures.fourRings()));
    try (RingfenceMetrics metrics = RingfenceMetrics.of(engine)) {
      metrics.bindTo(registry);
      assertThat(metersOf(registry, "withdrawn")).isEqualTo(METERS_PER_ROLLOUT); // PLANNED is live

      rollout.abort("the release was withdrawn");

      assertThat(rollout.state()).isEqualTo(RolloutState.ABORTED);
      assertThat(registry.getMeters()).isEmpty();
    }
  }

  @Test
  void bindTo_rolloutThatEndedBefore_registersNothingForIt() {
    engine.createRollout(Fixtures.spec("old", twoRings())).start();
    tickTwice();
    engine.createRollout(Fixtures.spec("current", Fixtures.fourRings()));
    try (RingfenceMetrics metrics = RingfenceMetrics.of(engine)) {
      metrics.bindTo(registry);

      assertThat(engine.rollout("old").state()).isEqualTo(RolloutState.COMPLETED);
      assertThat(rolloutsWithMeters(registry)).containsExactly("current");
    }
  }

  @Test
  void close_removesEveryMeterFromEveryRegistry_andStopsListening() {
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    engine.createRollout(Fixtures.spec("a", Fixtures.fourRings())).start();
    RingfenceMetrics metrics = RingfenceMetrics.of(engine);
    metrics.bindTo(registry);
    metrics.bindTo(second);
    assertThat(metersOf(registry, "a")).isEqualTo(METERS_PER_ROLLOUT);
    assertThat(metersOf(second, "a")).isEqualTo(METERS_PER_ROLLOUT);

    metrics.close();

    assertThat(registry.getMeters()).isEmpty();
    assertThat(second.getMeters()).isEmpty();
    assertThat(((EngineMetrics) metrics).measuredRollouts()).isEmpty();
    engine.createRollout(Fixtures.spec("b", Fixtures.fourRings())).start(); // a transition nobody listens to
    assertThat(registry.getMeters()).isEmpty();
    assertThat(second.getMeters()).isEmpty();
  }

  @Test
  void close_twice_isHarmless_andBindToAfterwardsIsRefused() {
    engine.createRollout(Fixtures.spec("a", Fixtures.fourRings()));
    RingfenceMetrics metrics = RingfenceMetrics.of(engine);
    metrics.bindTo(registry);
    metrics.close();
    metrics.close();

    assertThat(registry.getMeters()).isEmpty();
    assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void close_leavesMetersOfOtherBindersAlone() {
    SimpleMeterRegistry shared = new SimpleMeterRegistry();
    engine.createRollout(Fixtures.spec("a", Fixtures.fourRings()));
    RolloutEngine otherEngine = Fixtures.engine(clock, RolloutStores.inMemory(), gate);
    otherEngine.createRollout(Fixtures.spec("z", Fixtures.fourRings()));
    RingfenceMetrics first = RingfenceMetrics.of(engine);
    RingfenceMetrics second = RingfenceMetrics.of(otherEngine);
    first.bindTo(shared);
    second.bindTo(shared);

    first.close();

    assertThat(rolloutsWithMeters(shared)).containsExactly("z");
    second.close();
    assertThat(shared.getMeters()).isEmpty();
  }

  @Test
  void bindTo_sameRegistryTwice_bindsOnce() {
    engine.createRollout(Fixtures.spec("a", Fixtures.fourRings())).start();
    RingfenceMetrics metrics = RingfenceMetrics.of(engine);
    metrics.bindTo(registry);
    metrics.bindTo(registry);
    engine.createRollout(Fixtures.spec("b", Fixtures.fourRings())).start();

    assertThat(metersOf(registry, "a")).isEqualTo(METERS_PER_ROLLOUT);
    assertThat(metersOf(registry, "b")).isEqualTo(METERS_PER_ROLLOUT);
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void bindTo_nullRegistry_isRefusedNamingIt() {
    try (RingfenceMetrics metrics = RingfenceMetrics.of(engine)) {
      assertThatThrownBy(() -> metrics.bindTo(null)).isInstanceOf(NullPointerException.class)
          .hasMessage("registry");
    }
  }

  @Test
  void manyRolloutsRunToTheirEnd_leaveNoMeterAndNoTrackedRollout() {
    try (RingfenceMetrics metrics = RingfenceMetrics.of(engine)) {
      metrics.bindTo(registry);
      for (int i = 0; i < 50; i++) {
        Rollout rollout = engine.createRollout(Fixtures.spec("r" + i, twoRings()));
        rollout.start();
        if (i % 2 == 0) {
          rollout.halt("halted in the drill");
        }
        tickTwice();
        assertThat(rollout.state()).isIn(RolloutState.COMPLETED, RolloutState.ROLLED_BACK);
      }

      assertThat(registry.getMeters()).isEmpty();
      assertThat(((EngineMetrics) metrics).measuredRollouts()).isEmpty();
      List<Rollout> all = engine.rollouts();
      assertThat(all).hasSize(50);
    }
  }

  @Test
  void eventsDeliveredLate_rolloutThatEndedMeanwhile_getsNoMeters_andNothingComesBackAfterClose() {
    Queue<Runnable> deliveries = new ArrayDeque<>();
    RolloutEngine late = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(RolloutStores.inMemory())
        .gate(ScriptedGate.TYPE, spec -> gate).eventExecutor(deliveries::add).build());
    RingfenceMetrics metrics = RingfenceMetrics.of(late);
    metrics.bindTo(registry);
    Rollout quick = late.createRollout(Fixtures.spec("quick", twoRings()));
    quick.start();
    late.tick();
    late.tick();
    late.createRollout(Fixtures.spec("slow", Fixtures.fourRings())).start();
    assertThat(quick.state()).isEqualTo(RolloutState.COMPLETED);
    assertThat(registry.getMeters()).isEmpty(); // nothing delivered yet

    // The START of "quick" arrives after its end: its meters would outlive it; they are never registered.
    runAll(deliveries);

    assertThat(rolloutsWithMeters(registry)).containsExactly("slow");
    late.rollout("slow").halt("stopped in the drill");
    metrics.close();
    runAll(deliveries); // the halt and the rollback start, delivered after close
    assertThat(registry.getMeters()).isEmpty();
  }

  private static void runAll(Queue<Runnable> deliveries) {
    for (Runnable delivery = deliveries.poll(); delivery != null; delivery = deliveries.poll()) {
      delivery.run();
    }
  }
}
