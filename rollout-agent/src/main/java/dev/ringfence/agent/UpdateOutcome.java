package dev.ringfence.agent;

/** What {@link RolloutAgent#checkForUpdate()} did. */
public enum UpdateOutcome {
  /** The server offers nothing newer than what this endpoint accepted. */
  UP_TO_DATE,
  /** A new version was fetched, verified, validated and activated on trial. */
  ACTIVATED,
  /** The offered release was refused (signature, channel, expiry, version, digest, size, validator); reported. */
  REFUSED,
  /** The server could not be reached (after retries, or the circuit breaker is open); nothing changed. */
  UNAVAILABLE,
  /**
   * The update server's rollout was halted and it answered REVERT: the agent went back to the version it
   * named ({@link RolloutAgent#revertTo}), marking the abandoned version known-bad.
   */
  REVERTED,
  /** A version is on trial; no update is fetched until it is confirmed healthy or reverted. */
  TRIAL_IN_PROGRESS
}
