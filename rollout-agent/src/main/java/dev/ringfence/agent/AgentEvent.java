package dev.ringfence.agent;

import dev.ringfence.protocol.RingfenceException;
import org.jspecify.annotations.Nullable;

/**
 * One step of the agent, published to the listener set with {@link RolloutAgent.Builder#onEvent}.
 *
 * @param type what happened
 * @param version the version concerned (0 when none)
 * @param detail the reason, in plain words
 * @param refusal for {@link Type#REFUSED}, the refusal itself (a {@link ContentRefusedException}, whose
 *     {@link ContentRefusedException#reason()} names the check that failed, or a
 *     {@link MalformedEnvelopeException}), so that a listener can tell refusals apart without reading
 *     {@code detail}; null for every other type
 */
public record AgentEvent(Type type, long version, String detail, @Nullable RingfenceException refusal) {

  /**
   * An event that is not a refusal.
   *
   * @param type what happened
   * @param version the version concerned (0 when none)
   * @param detail the reason, in plain words
   */
  public AgentEvent(Type type, long version, String detail) {
    this(type, version, detail, null);
  }

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
