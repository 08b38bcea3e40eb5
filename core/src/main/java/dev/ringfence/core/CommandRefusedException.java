package dev.ringfence.core;

import dev.ringfence.protocol.RingfenceException;

/**
 * An operator's {@code approve} or {@code promote} was refused although the rollout's state allows the command: the
 * ring does not need what was asked, or its gate has not passed. The rollout and its store are left exactly as they
 * were. The message names the rollout, the ring and, for a promotion, the verdict that stood in the way.
 */
public final class CommandRefusedException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** Why a command was refused. */
  public enum Reason {
    /** {@code approve}: the open ring's gate does not require approval. */
    NO_APPROVAL_REQUIRED,
    /** {@code promote}: the open ring's gate has not passed (its most recent verdict is not PASS, or there is none). */
    GATE_NOT_PASSED,
    /** {@code promote}: fewer endpoints are exposed in the open ring than its minimum sample. */
    SAMPLE_TOO_SMALL,
    /** {@code promote}: the open ring is the last; there is no next ring to open. */
    LAST_RING
  }

  /** Why. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param rolloutId the rollout
   * @param reason why the command was refused
   * @param detail what stood in the way, with the ring's name and the numbers, and what to do instead
   */
  public CommandRefusedException(String rolloutId, Reason reason, String detail) {
    super("rollout '" + rolloutId + "': " + detail);
    this.reason = reason;
  }

  /** @return why the command was refused */
  public Reason reason() {
    return reason;
  }
}
