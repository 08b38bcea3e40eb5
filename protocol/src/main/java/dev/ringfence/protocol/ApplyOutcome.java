package dev.ringfence.protocol;

/** What happened when an endpoint tried to apply a version. */
public enum ApplyOutcome {
  /** Verified, validated, activated, and the process started with it. */
  ACTIVATED,
  /** The consumer's own validator refused the content; the endpoint kept its version. */
  VALIDATION_FAILED,
  /** The process crashed with the new version. */
  CRASHED,
  /** The agent gave up on the version after repeated failed starts and went back by itself. */
  REVERTED_BY_AGENT
}
