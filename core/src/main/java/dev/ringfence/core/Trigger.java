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
  GATE_FAIL_PAUSE,
  /**
   * Engine: a ring whose gate says {@code "approval": "required"} (or whose gate type is {@code approval}) passed its
   * gate after its bake time with its minimum sample; instead of opening the next ring the rollout stays RUNNING in
   * the same ring and awaits an operator's {@link #APPROVE} or {@link #PROMOTE}. Journaled once per ring: its time is
   * the "awaiting approval since" of the status.
   */
  AWAIT_APPROVAL,
  /**
   * Operator: approves the open ring of a rollout whose ring requires approval; the next ring opens on the first
   * tick at which the ring's gate passes after its bake time. Stays in the same ring.
   */
  APPROVE,
  /**
   * Operator: opens the next ring now, the open ring's gate having passed (its remaining bake time and any wait for
   * approval are skipped; the promotion is the approval).
   */
  PROMOTE,
  /**
   * Operator: opens the next ring now whatever the open ring's gate says, with a written reason; the skipped verdict
   * is journaled with its numbers. Also from PAUSED (e.g. after {@link #GATE_FAIL_PAUSE}), which it ends.
   */
  SKIP_GATE;

  /**
   * Whether an operator may fire this trigger by hand; the others are the engine's own.
   *
   * @return true for START, PAUSE, RESUME, HALT, ABORT, APPROVE, PROMOTE and SKIP_GATE
   */
  public boolean isManual() {
    return this == START || this == PAUSE || this == RESUME || this == HALT || this == ABORT || this == APPROVE
        || this == PROMOTE || this == SKIP_GATE;
  }

  /**
   * Whether this trigger opens a ring: the first (START) or the next (ADVANCE, PROMOTE, SKIP_GATE).
   *
   * @return true for START, ADVANCE, PROMOTE and SKIP_GATE
   */
  public boolean opensRing() {
    return this == START || this == ADVANCE || this == PROMOTE || this == SKIP_GATE;
  }
}
