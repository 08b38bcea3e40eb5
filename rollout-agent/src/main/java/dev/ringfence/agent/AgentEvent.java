package dev.ringfence.agent;

/**
 * One step of the agent, published to the listener set with {@link RolloutAgent.Builder#onEvent}.
 *
 * @param type what happened
 * @param version the version concerned (0 when none)
 * @param detail the reason, in plain words
 */
public record AgentEvent(Type type, long version, String detail) {

  /** The kinds of step. */
  public enum Type {
    /** {@link RolloutAgent#onStart()} decided what this process runs. */
    STARTED,
    /** A version was verified, validated and activated on trial. */
    ACTIVATED,
    /** The version on trial was confirmed healthy and is now the last-known-good. */
    CONFIRMED,
    /** The version on trial used up its failed starts (or was damaged); the agent went back by itself. */
    REVERTED,
    /** Damaged state or slot was recovered to the last-known-good. */
    RECOVERED,
    /** An offered release was refused (signature, channel, expiry, version, digest, size or validator). */
    REFUSED
  }
}
