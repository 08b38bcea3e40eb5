package dev.ringfence.agent;

/** What {@link RolloutAgent#onStart()} decided for this process start. */
public enum StartAction {
  /** No content has ever been activated: run without content (or with the application's built-in default). */
  NO_CONTENT,
  /**
   * Run the last-known-good version; nothing is on trial. In probation (docs/agent.md) the start was counted first,
   * unless it followed a clean shutdown.
   */
  LAST_KNOWN_GOOD,
  /** Run the pending version on trial; its failed-start counter was incremented and persisted first. */
  TRIAL,
  /**
   * The pending version used up its failed starts (or its slot was damaged): the agent switched back to
   * the last-known-good, marked the version known-bad, and reported {@code REVERTED_BY_AGENT}.
   */
  REVERTED,
  /** The state or a slot was damaged and was recovered to the last-known-good; the report says what. */
  RECOVERED
}
