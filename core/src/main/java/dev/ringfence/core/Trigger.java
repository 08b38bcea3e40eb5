package dev.ringfence.core;

/**
 * What causes a rollout to change state. Each trigger is either an operator's command or the engine's
 * own reaction to a gate verdict or to the end of a rollback.
 */
public enum Trigger {
  /** Operator: open the first ring. */
  START,
  /** Operator: stop admitting new endpoints; exposed endpoints keep the candidate. */
  PAUSE,
  /** Operator: continue a paused rollout. */
  RESUME,
  /** Operator or engine: stop for good and roll back every exposed endpoint. */
  HALT,
  /** Operator: withdraw the rollout. Before start it is closed; after start it halts and rolls back. */
  ABORT,
  /** Engine: the current ring's gate passed after its bake time; the next ring opens. */
  ADVANCE,
  /** Engine: the last ring's gate passed; the candidate is released to every eligible endpoint. */
  COMPLETE,
  /** Engine: a gate returned FAIL. */
  GATE_FAIL,
  /** Engine: a gate threw; the rollout pauses and records the error. */
  GATE_ERROR,
  /** Engine: a ring stayed INCONCLUSIVE past its limit; the rollout pauses and says why. */
  INCONCLUSIVE_LIMIT,
  /**
   * Engine: reports fell in both arms alike (a telemetry fault, not a regression); the rollout pauses
   * and says which reports fell.
   */
  TELEMETRY_PAUSE,
  /** Engine: reports recovered in both arms after a {@link #TELEMETRY_PAUSE}; the rollout runs again. */
  TELEMETRY_RESUME,
  /** Engine: a halted rollout starts rolling back, at once and without waiting for bake times. */
  BEGIN_ROLLBACK,
  /** Engine: every exposed endpoint is back on the baseline, or the rollback deadline passed. */
  FINISH_ROLLBACK,
  /**
   * Engine: a gate whose ring says {@code "onFail": "pause"} returned FAIL; the rollout pauses instead of halting,
   * exposed endpoints keep the candidate, and an operator halts (rolls back) or resumes (judges again).
   */
  GATE_FAIL_PAUSE;

  /**
   * Whether an operator may fire this trigger by hand; the others are the engine's own.
   *
   * @return true for START, PAUSE, RESUME, HALT and ABORT
   */
  public boolean isManual() {
    return this == START || this == PAUSE || this == RESUME || this == HALT || this == ABORT;
  }
}
