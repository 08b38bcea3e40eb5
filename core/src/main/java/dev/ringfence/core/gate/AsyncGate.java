package dev.ringfence.core.gate;

import dev.ringfence.core.internal.PollingGate;

/**
 * A gate whose measurement waits on the network (a metrics server, a webhook): the SPI for gates that must
 * not block the engine's tick, a halt or a rollback.
 *
 * <p>The engine calls a {@link Gate} on the thread that ticks. An asynchronous gate is split in two so that
 * this thread never waits: {@link #measure} asks the outside system and may block, and runs on an executor the
 * host injects; {@link #judge} turns one finished measurement into a verdict, fast and without input or output,
 * on the tick thread. {@link #polling} wraps the two into the {@link Gate} the engine calls: each tick takes the
 * measurement that finished since the last tick (if any), judges it, starts the next one, and returns at once
 * with the verdict of the last finished measurement. What the polling gate adds:
 *
 * <ul>
 *   <li><b>A time limit on the engine's clock.</b> A measurement not finished {@link AsyncGateConfig#timeout()}
 *       after the instant it was asked for (from the engine's {@code Clock}) is abandoned (its thread is
 *       interrupted) and counts as an error.
 *   <li><b>An error limit.</b> A measurement that throws or times out counts against {@link
 *       AsyncGateConfig#consecutiveErrorLimit()}: up to the limit the verdict is INCONCLUSIVE, past it ERROR, which
 *       pauses the rollout (it does not halt it). A measurement that succeeds resets the count.
 *   <li><b>A minimum of consecutive passes.</b> PASS from {@link #judge} becomes PASS only once {@link
 *       AsyncGateConfig#minSamples()} measurements in a row have passed; before that it is INCONCLUSIVE.
 * </ul>
 *
 * <p>Determinism: a measurement is asked for at the engine's {@code now} ({@link GateQuery#at()}), not at
 * the time its thread runs, and the verdict is a function of the finished measurements only, in the order they
 * finished. {@link #judge} must put the value it decided on, and what it asked, in the verdict's reason and
 * evidence: the engine journals that verdict with every transition it causes, so replaying the journal (at a
 * restart, on another replica) never asks the outside system again.
 *
 * @param <T> what one measurement yields
 */
public interface AsyncGate<T> {

  /** @return the gate's type as written in plans, e.g. {@code prometheus}; names its verdicts */
  String type();

  /**
   * Measures once. Runs on the injected executor, never on the tick thread; may block on the network, should
   * stop when its thread is interrupted, and should bound its own waits by the same timeout.
   *
   * @param query what to measure, for which rollout and ring, at which instant
   * @return the measurement
   * @throws Exception when the measurement fails; counted against the error limit
   */
  T measure(GateQuery query) throws Exception;

  /**
   * Judges one finished measurement, on the tick thread: fast, with no input or output, the same verdict for
   * the same query and measurement. The verdict says what was asked and the value that decided.
   *
   * @param query the query the measurement answers
   * @param measurement the measurement
   * @return the verdict: PASS, FAIL or INCONCLUSIVE (ERROR counts as a failed measurement)
   */
  Verdict judge(GateQuery query, T measurement);

  /**
   * Wraps an asynchronous gate into the {@link Gate} the engine calls: it never waits on the measurement.
   *
   * @param gate the asynchronous gate
   * @param config its executor, timeout, error limit, minimum of consecutive passes and interval
   * @param <T> what one measurement yields
   * @return a gate for one ring of one rollout (it keeps the counts of that ring; make one per ring)
   */
  static <T> Gate polling(AsyncGate<T> gate, AsyncGateConfig config) {
    return new PollingGate<>(gate, config);
  }
}
