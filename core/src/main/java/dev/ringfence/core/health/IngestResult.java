package dev.ringfence.core.health;

/** What the engine did with one signal. */
public enum IngestResult {
  /** Counted. */
  ACCEPTED,
  /** Same or older {@code (bootId, sequence)} than one already accepted from this endpoint: ignored. */
  DUPLICATE,
  /**
   * The endpoint claims a version it was never offered (or one this rollout does not know): counted as
   * an anomaly and kept out of every verdict.
   */
  ANOMALY
}
