package dev.ringfence.gates.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ManualExecutor;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** What both gates of this module must do, played through an engine the same way for each. */
public final class GateScenarios {

  private GateScenarios() {}

  /**
   * A gate whose measurement hangs, with a {@code timeout} of 1m and a {@code consecutiveErrorLimit} of 1: the
   * ticks and the halt never wait for it, the first timeout (on the engine's clock) is tolerated, the second pauses
   * the rollout, and the halt rolls it back.
   *
   * @param clock the engine's clock
   * @param engine the engine, whose measurements run on a real thread
   * @param rollout its started rollout
   * @param haltReason the operator's reason for the halt
   */
  public static void hangsThenHalted(ManualClock clock, RolloutEngine engine, Rollout rollout, String haltReason) {
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      engine.tick(); // starts the measurement, which hangs
      engine.tick();
      assertThat(rollout.status().currentVerdict().reason()).contains("waiting for the first answer");

      clock.advance(Duration.ofMinutes(1));
      engine.tick(); // timed out on the engine's clock: error 1 of 1 tolerated, and the next measurement starts
      assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
      assertThat(rollout.status().currentVerdict().reason())
          .contains("no answer within 1m of the query at 2026-01-15T12:00:00Z (timed out on the engine's clock)");

      clock.advance(Duration.ofMinutes(1));
      engine.tick(); // error 2: over the limit
      assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);

      rollout.halt(haltReason);
      engine.tick();
    });
    assertThat(rollout.state()).isIn(RolloutState.ROLLING_BACK, RolloutState.ROLLED_BACK);
  }

  /**
   * The measurement answered at the next tick passes the first ring's gate before the ring's 10-minute bake time is
   * over: the ring stays closed, and the next one opens with the first tick after the bake time.
   *
   * @param clock the engine's clock
   * @param rollout the rollout, in its first ring
   * @param answerAndTick runs the measurements started so far (the peer answers them), then ticks a minute later
   */
  public static void passesThenOpensTheNextRingAfterTheBakeTime(ManualClock clock, Rollout rollout,
      Runnable answerAndTick) {
    answerAndTick.run();
    assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.PASS);
    Duration open = Duration.between(rollout.status().ringOpenedAt(), clock.instant());
    assertThat(open).as("open for less than the bake time").isLessThan(Duration.ofMinutes(10));
    assertThat(rollout.status().ringIndex()).isZero();

    clock.advance(Duration.ofMinutes(10).minus(open));
    answerAndTick.run();
    assertThat(rollout.status().ringIndex()).isEqualTo(1);
  }

  /**
   * An engine restarted over the store of a rollout that a FAIL halted: it replays the journaled verdict, and the
   * rollout ends ROLLED_BACK on that FAIL without measuring again.
   *
   * @param clock the engine's clock
   * @param engines makes an engine over the same store and clock whose measurements run on the given executor
   * @return the recovered rollout {@code r1}
   */
  public static Rollout restartedAfterFail(ManualClock clock, Function<Executor, RolloutEngine> engines) {
    ManualExecutor restartedMeasurements = new ManualExecutor();
    RolloutEngine restarted = engines.apply(restartedMeasurements);
    restarted.tick();
    clock.advance(Duration.ofHours(2));
    restarted.tick();
    restartedMeasurements.runAll();

    Rollout recovered = restarted.rollout("r1");
    assertThat(recovered.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(recovered.status().lastVerdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(restartedMeasurements.started()).isZero();
    return recovered;
  }
}
