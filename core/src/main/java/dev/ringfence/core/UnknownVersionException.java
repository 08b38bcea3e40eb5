package dev.ringfence.core;

import dev.ringfence.protocol.RingfenceException;

/**
 * An endpoint reported a content version this rollout cannot place: newer than the candidate, so it
 * comes from another channel or from a rollout the server does not know about.
 */
public final class UnknownVersionException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param rolloutId the rollout that was asked
   * @param version the version the endpoint reported
   * @param candidate the newest version this rollout knows
   */
  public UnknownVersionException(String rolloutId, long version, long candidate) {
    super("currentVersion: " + version + " is newer than candidate " + candidate + " of rollout '"
        + rolloutId + "'; check that the endpoint asks about the right channel");
  }
}
