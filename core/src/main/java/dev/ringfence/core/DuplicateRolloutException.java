package dev.ringfence.core;

import dev.ringfence.protocol.RingfenceException;

/** A rollout was created with an id that is already taken. */
public final class DuplicateRolloutException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param rolloutId the id that is already in use
   */
  public DuplicateRolloutException(String rolloutId) {
    super("rolloutId: a rollout '" + rolloutId
        + "' already exists; rollout ids are never reused, pick a new one");
  }
}
