package dev.ringfence.core;

import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;

/**
 * The running counts of one rollout, for metrics systems ({@code ringfence-micrometer} binds them to
 * Micrometer; an OpenTelemetry or JMX bridge reads the same). Every count only grows, is read without a
 * lock, and may lag a concurrent update by a moment. Obtain it from {@link Rollout#metrics()}.
 */
public interface RolloutMetrics {

  /** The kind of a health signal. */
  enum SignalKind {
    /** A {@link dev.ringfence.protocol.Heartbeat}. */
    HEARTBEAT,
    /** An {@link dev.ringfence.protocol.ApplyResult}. */
    APPLY_RESULT,
    /** A {@link dev.ringfence.protocol.ProbeReading}. */
    PROBE_READING
  }

  /** Which arm of the comparison a signal was counted for. */
  enum Arm {
    /** Endpoints admitted to the candidate. */
    CANDIDATE,
    /** Eligible endpoints still on the baseline. */
    CONTROL,
    /**
     * Signals counted for neither arm: refused, from endpoints outside the rollout or outside the control
     * sample (a fleet beyond 131,072 control endpoints is observed through one bucket in eight and the holdback), or
     * received when nothing is judged any more (the candidate halted or rolled back, or the rollout ended). The
     * baseline's reports counted here are not tracked, and a repeated one is not told apart as a duplicate.
     */
    NONE
  }

  /**
   * Signals received.
   *
   * @param kind the signal's kind
   * @param arm the arm it was counted for
   * @param result what ingestion did with it
   * @return how many
   */
  long signals(SignalKind kind, Arm arm, IngestResult result);

  /** @return endpoints offered the candidate that did not report within their deadline */
  long silentFailures();

  /**
   * Gate evaluations.
   *
   * @param outcome the verdict's outcome
   * @return how many evaluations ended in it
   */
  long verdicts(Verdict.Outcome outcome);

  /** @return how many times the rollout was halted (0 or 1) */
  long halts();
}
