package dev.ringfence.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ManualExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The polling wrapper of {@link AsyncGate}, driven through a real engine with a manual clock and an executor that
 * runs measurements only when the test says so: a measurement that is never run is one that hangs.
 */
class AsyncGateTest {

  private static final String TYPE = "metric";

  // A new instance for every test (JUnit's default lifecycle): every test starts from these.
  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  private final RolloutStore store = RolloutStores.inMemory();
  private final ManualExecutor executor = new ManualExecutor();
  private MetricGate metric = new MetricGate();

  private RolloutEngine engine(AsyncGateConfig.Builder config) {
    AsyncGateConfig built = config.executor(executor).build();
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(TYPE, spec -> AsyncGate.polling(metric, built)).build());
  }

  private static Plan plan() {
    GateSpec gate = GateSpec.of(TYPE);
    return Plan.builder("two-rings")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(10)).gate(gate).build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ZERO).gate(gate).build())
        .build();
  }

  private Rollout started(RolloutEngine engine) {
    Rollout rollout = engine.createRollout(RolloutSpec.builder("r1").channel("channel-291").baseline(41)
        .candidate(42).plan(plan()).build());
    rollout.start();
    return rollout;
  }

  /** One tick, after running every measurement started so far (they all answer before the tick). */
  private void answerAndTick(RolloutEngine engine) {
    executor.runAll();
    clock.advance(Duration.ofSeconds(15));
    engine.tick();
  }

  private List<JournalEntry.Transitioned> transitions() {
    return store.read("r1").stream().filter(JournalEntry.Transitioned.class::isInstance)
        .map(JournalEntry.Transitioned.class::cast).toList();
  }

  /** Starts the rollout, then ticks: the first measurement starts, is answered, and the next tick judges it. */
  private Rollout startedAndAnswered(RolloutEngine engine) {
    Rollout rollout = started(engine);
    engine.tick();
    answerAndTick(engine);
    return rollout;
  }

  @Test
  void tick_whileTheMeasurementHangs_returnsInconclusiveAndStartsNoSecond() {
    RolloutEngine engine = engine(AsyncGateConfig.custom());
    Rollout rollout = started(engine);

    engine.tick();
    engine.tick();

    assertThat(executor.started()).isEqualTo(1);
    Verdict verdict = rollout.status().currentVerdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(verdict.reason()).contains("waiting for the first answer to the query at 2026-11-23T10:00:00Z");
    assertThat(metric.measured).hasValue(0);
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
  }

  @Test
  void measure_askedAtTheEngineClock_notWhenItsThreadRuns() {
    RolloutEngine engine = engine(AsyncGateConfig.custom());
    started(engine);
    engine.tick(); // asks at 10:00:00
    clock.advance(Duration.ofMinutes(5));
    executor.runAll();

    assertThat(metric.queries).hasSize(1);
    GateQuery query = metric.queries.get(0);
    assertThat(query.at()).isEqualTo(java.time.Instant.parse("2026-11-23T10:00:00Z"));
    assertThat(query.rolloutId()).isEqualTo("r1");
    assertThat(query.channel()).isEqualTo("channel-291");
    assertThat(query.ringName()).isEqualTo("canary");
    assertThat(query.baselineVersion()).isEqualTo(41);
    assertThat(query.candidateVersion()).isEqualTo(42);
  }

  @Test
  void tick_measurementBlockedOnARealThread_neverBlocksTheTickAHaltOrTheRollback() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    ExecutorService threads = Executors.newSingleThreadExecutor();
    try {
      MetricGate blocking = new MetricGate() {
        @Override
        public Double measure(GateQuery query) throws Exception {
          measured.incrementAndGet();
          never.await(); // a server that never answers
          return 0.0;
        }
      };
      AsyncGateConfig config = AsyncGateConfig.custom().executor(threads).build();
      RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
          .gate(TYPE, spec -> AsyncGate.polling(blocking, config)).build());
      Rollout rollout = started(engine);

      assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
        engine.tick();
        engine.tick();
        rollout.halt("stop it");
        engine.tick();
      });

      assertThat(rollout.state()).isEqualTo(RolloutState.ROLLED_BACK); // nobody was exposed: nothing to wait for
      assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void timeout_onTheEngineClock_countsAsAnErrorAndCancelsTheMeasurement() {
    RolloutEngine engine = engine(AsyncGateConfig.custom().timeout(Duration.ofSeconds(30)));
    Rollout rollout = started(engine);
    engine.tick();
    clock.advance(Duration.ofSeconds(29));
    engine.tick();
    assertThat(((FutureTask<?>) executor.task(0)).isCancelled()).isFalse();

    clock.advance(Duration.ofSeconds(1));
    engine.tick();

    assertThat(((FutureTask<?>) executor.task(0)).isCancelled()).isTrue();
    assertThat(executor.started()).isEqualTo(2); // the next measurement starts in the same tick
    Verdict verdict = rollout.status().currentVerdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(verdict.reason()).contains("measurement failed (1 of 3 in a row tolerated")
        .contains("no answer within 30s of the query at 2026-11-23T10:00:00Z (timed out on the engine's clock)");
    assertThat(verdict.evidence()).containsEntry("consecutiveErrors", 1.0);
  }

  @Test
  void errors_pastTheConsecutiveErrorLimit_giveErrorAndPauseTheRolloutNotHalt() {
    metric.failWith(new IOException("connection refused"));
    RolloutEngine engine = engine(AsyncGateConfig.custom().consecutiveErrorLimit(2));
    Rollout rollout = startedAndAnswered(engine);
    answerAndTick(engine);
    assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(rollout.status().currentVerdict().reason()).contains("2 of 2 in a row tolerated");
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);

    answerAndTick(engine);

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    JournalEntry.Transitioned paused = transitions().get(transitions().size() - 1);
    assertThat(paused.trigger()).isEqualTo(Trigger.GATE_ERROR);
    assertThat(paused.verdict().outcome()).isEqualTo(Outcome.ERROR);
    assertThat(paused.verdict().reason())
        .contains("3 failed measurements in a row, over the consecutiveErrorLimit of 2")
        .contains("IOException: connection refused");
  }

  @Test
  void resume_afterAnErrorPause_waitsForTheNextAnswer_andPausesAgainOnlyIfItFails() {
    metric.failWith(new IOException("connection refused"));
    RolloutEngine engine = engine(AsyncGateConfig.custom().consecutiveErrorLimit(0));
    Rollout rollout = startedAndAnswered(engine); // ERROR: paused; the next measurement is in flight
    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);

    rollout.resume("Prometheus is back");
    engine.tick(); // no new answer yet: the old ERROR does not pause the rollout again
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(rollout.status().currentVerdict().reason())
        .contains("waiting for the next answer after 1 failed measurements in a row");

    answerAndTick(engine); // the next answer fails too: paused again
    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    rollout.resume("really back now");
    metric.answer(0.015);
    answerAndTick(engine);
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(rollout.status().currentVerdict().reason()).contains("value 0.015 between");
  }

  @Test
  void errors_aMeasurementThatSucceeds_resetsTheCount() {
    RolloutEngine engine = engine(AsyncGateConfig.custom().consecutiveErrorLimit(2));
    Rollout rollout = started(engine);
    metric.failWith(new IOException("down"));
    engine.tick();
    answerAndTick(engine);
    answerAndTick(engine); // 2 errors: at the limit
    metric.answer(0.015);
    answerAndTick(engine);
    metric.failWith(new IOException("down again"));
    answerAndTick(engine);
    answerAndTick(engine); // 2 errors again, not 4

    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(rollout.status().currentVerdict().reason()).contains("2 of 2 in a row tolerated");
  }

  @Test
  void judge_thatThrows_countsAsAnError() {
    MetricGate broken = new MetricGate() {
      @Override
      public Verdict judge(GateQuery query, Double value) {
        throw new IllegalStateException("bad judge");
      }
    };
    metric = broken;
    RolloutEngine engine = engine(AsyncGateConfig.custom().consecutiveErrorLimit(0));
    Rollout rollout = startedAndAnswered(engine);

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(rollout.status().lastVerdict().reason()).contains("judging the answer threw IllegalStateException: bad judge");
  }

  @Test
  void fail_haltsAtOnce_andTheTransitionCarriesTheValueThatDecided() {
    metric.answer(0.031);
    RolloutEngine engine = engine(AsyncGateConfig.custom().minSamples(3));
    Rollout rollout = startedAndAnswered(engine);

    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK); // halted and rolling back in the same tick
    JournalEntry.Transitioned halt = transitions().stream().filter(t -> t.trigger() == Trigger.GATE_FAIL)
        .findFirst().orElseThrow();
    assertThat(halt.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(halt.verdict().reason()).contains("value 0.031 > 0.02");
    assertThat(halt.verdict().evidence()).containsEntry("value", 0.031)
        .containsEntry("queryTimeMillis", (double) java.time.Instant.parse("2026-11-23T10:00:00Z").toEpochMilli());
  }

  @Test
  void pass_onlyAfterMinSamplesPassesInARow_andThenOnlyAfterTheBakeTime() {
    RolloutEngine engine = engine(AsyncGateConfig.custom().minSamples(3));
    Rollout rollout = started(engine);
    engine.tick();
    metric.answer(0.005);
    answerAndTick(engine);
    answerAndTick(engine);
    metric.answer(0.015); // between the thresholds: the run of passes starts again
    answerAndTick(engine);
    metric.answer(0.005);
    answerAndTick(engine);
    answerAndTick(engine);
    assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(rollout.status().currentVerdict().reason()).contains("2 of 3 passes in a row (minSamples)");

    answerAndTick(engine);
    assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(rollout.status().ringIndex()).isZero(); // 90 s open of a 10 min bake time

    clock.advance(Duration.ofMinutes(10));
    answerAndTick(engine);
    assertThat(rollout.status().ringIndex()).isEqualTo(1);
    JournalEntry.Transitioned advance = transitions().get(transitions().size() - 1);
    assertThat(advance.trigger()).isEqualTo(Trigger.ADVANCE);
    assertThat(advance.verdict().reason()).contains("value 0.005 < 0.01").contains("3 of 3 passes in a row");
    assertThat(advance.verdict().evidence()).containsEntry("value", 0.005).containsEntry("consecutivePasses", 3.0);
  }

  @Test
  void halt_whileTheMeasurementHangs_haltsAndRollsBackWithoutAnotherMeasurement() {
    RolloutEngine engine = engine(AsyncGateConfig.custom());
    Rollout rollout = started(engine);
    rollout.decide("host-1", dev.ringfence.core.EndpointAttributes.UNKNOWN, 41);
    engine.tick();

    rollout.halt("operator saw errors");
    engine.tick();
    clock.advance(Duration.ofHours(2));
    engine.tick();

    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(executor.started()).isEqualTo(1);
    assertThat(metric.measured).hasValue(0);
  }

  @Test
  void recovery_replaysTheJournaledVerdict_withoutMeasuringAgain() {
    metric.answer(0.031);
    RolloutEngine engine = engine(AsyncGateConfig.custom());
    started(engine);
    engine.tick();
    answerAndTick(engine);
    int measured = metric.measured.get();

    ManualExecutor fresh = new ManualExecutor();
    MetricGate second = new MetricGate();
    AsyncGateConfig config = AsyncGateConfig.custom().executor(fresh).build();
    RolloutEngine restarted = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(TYPE, spec -> AsyncGate.polling(second, config)).build());
    restarted.tick();

    Rollout recovered = restarted.rollout("r1");
    assertThat(recovered.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(recovered.status().lastVerdict().evidence()).containsEntry("value", 0.031);
    assertThat(recovered.status().lastVerdict().reason()).contains("value 0.031 > 0.02");
    assertThat(fresh.started()).isZero();
    assertThat(second.measured).hasValue(0);
    assertThat(metric.measured).hasValue(measured);
  }

  @Test
  void interval_noMeasurementStartsBeforeItHasPassed() {
    RolloutEngine engine = engine(AsyncGateConfig.custom().interval(Duration.ofMinutes(1)));
    started(engine);
    engine.tick();
    executor.runAll();
    clock.advance(Duration.ofSeconds(59));
    engine.tick();
    assertThat(executor.started()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    engine.tick();
    assertThat(executor.started()).isEqualTo(2);
  }

  @Test
  void executor_thatRefuses_countsAsAnError() {
    AsyncGateConfig config = AsyncGateConfig.custom().consecutiveErrorLimit(0).executor(task -> {
      throw new java.util.concurrent.RejectedExecutionException("pool is shut down");
    }).build();
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(TYPE, spec -> AsyncGate.polling(metric, config)).build());
    Rollout rollout = started(engine);
    engine.tick();

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(rollout.status().lastVerdict().reason()).contains("the executor refused the measurement")
        .contains("pool is shut down");
  }

  @Test
  void config_refusesBadValues_namingThem() {
    assertThatThrownBy(() -> AsyncGateConfig.custom().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("executor");
    assertThatThrownBy(() -> AsyncGateConfig.custom().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout: PT0S must be positive and at most PT1H");
    assertThatThrownBy(() -> AsyncGateConfig.custom().consecutiveErrorLimit(-1))
        .hasMessageContaining("consecutiveErrorLimit").hasMessageContaining("outside 0..1000");
    assertThatThrownBy(() -> AsyncGateConfig.custom().minSamples(0))
        .hasMessageContaining("minSamples").hasMessageContaining("outside 1..1000");
    assertThatThrownBy(() -> AsyncGateConfig.custom().interval(Duration.ofSeconds(-1)))
        .hasMessageContaining("interval");
    AsyncGateConfig config = AsyncGateConfig.custom().executor(executor).minSamples(2).build();
    assertThat(AsyncGateConfig.from(config).build().minSamples()).isEqualTo(2);
  }

  /** A metric read from "outside": FAIL above 0.02, PASS below 0.01, INCONCLUSIVE between. */
  static class MetricGate implements AsyncGate<Double> {
    final AtomicInteger measured = new AtomicInteger();
    final List<GateQuery> queries = new ArrayList<>();
    private volatile double value = 0.015;
    private volatile Exception error;

    void answer(double value) {
      this.value = value;
      this.error = null;
    }

    void failWith(Exception error) {
      this.error = error;
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public Double measure(GateQuery query) throws Exception {
      measured.incrementAndGet();
      synchronized (queries) {
        queries.add(query);
      }
      if (error != null) {
        throw error;
      }
      return value;
    }

    @Override
    public Verdict judge(GateQuery query, Double value) {
      Map<String, Double> evidence = Map.of("value", value);
      if (value > 0.02) {
        return Verdict.fail(TYPE, "value " + value + " > 0.02", evidence);
      }
      if (value < 0.01) {
        return Verdict.pass(TYPE, "value " + value + " < 0.01", evidence);
      }
      return Verdict.inconclusive(TYPE, "value " + value + " between 0.01 and 0.02", evidence);
    }
  }
}
