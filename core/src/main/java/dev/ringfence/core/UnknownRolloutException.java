package dev.ringfence.core;

import dev.ringfence.protocol.RingfenceException;

/** A rollout id was used that the engine does not know. */
public final class UnknownRolloutException extends RingfenceException {
  private static final long serialVersionUID = 1L;
  /** The id that was asked for. */
  private final String rolloutId;

  /**
   * Creates the exception.
   *
   * @param rolloutId the id that was asked for
   */
  public UnknownRolloutException(String rolloutId) {
    super("rolloutId: no rollout '" + rolloutId
        + "' exists in this engine; create it with RolloutEngine.createRollout first");
    this.rolloutId = rolloutId;
  }

  /** @return the id that was asked for */
  public String rolloutId() {
    return rolloutId;
  }
}
