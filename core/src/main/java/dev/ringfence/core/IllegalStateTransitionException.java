package dev.ringfence.core;

import dev.ringfence.protocol.RingfenceException;

/**
 * A transition was asked for that the rollout state machine does not allow from the current state.
 *
 * <p>The rollout and its store are left exactly as they were.
 */
public final class IllegalStateTransitionException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** The state the rollout was in when the transition was refused. */
  private final RolloutState from;
  /** What asked for the transition. */
  private final Trigger trigger;

  /**
   * Creates the exception.
   *
   * @param rolloutId the rollout the transition was asked of
   * @param from the state the rollout is in
   * @param trigger the trigger that is not allowed from {@code from}
   */
  public IllegalStateTransitionException(String rolloutId, RolloutState from, Trigger trigger) {
    super("rollout '" + rolloutId + "' is " + from + " and cannot take " + trigger
        + "; allowed from " + from + ": " + from.allowedTriggers());
    this.from = from;
    this.trigger = trigger;
  }

  /** @return the state the rollout was in when the transition was refused */
  public RolloutState from() {
    return from;
  }

  /** @return the refused trigger */
  public Trigger trigger() {
    return trigger;
  }
}
