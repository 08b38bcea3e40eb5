package dev.ringfence.agent;

import dev.ringfence.protocol.RingfenceException;

/**
 * A refusal of offered content or of the metadata that vouches for it: nothing was activated, the host keeps
 * running what it ran. {@link #reason()} names the check that failed in a form a program can switch on (and
 * metrics can count by); {@link #version()} is the content version concerned, 0 when none.
 *
 * <p>One class for every check, as Caffeine and resilience4j keep one exception per role: catch it, and switch
 * on {@link #reason()} where the check matters.
 */
public final class ContentRefusedException extends RingfenceException {
  private static final long serialVersionUID = 2L;

  /** Why content was refused; stable names, safe to use as metric tags and on the wire. */
  public enum Reason {
    /** A signature does not verify, or there is none. */
    BAD_SIGNATURE,
    /** Fewer distinct trusted keys signed than the threshold requires. */
    BELOW_THRESHOLD,
    /** A signature names a key this endpoint does not trust. */
    UNKNOWN_KEY,
    /** A signature was made by a key the trust root revoked. */
    REVOKED_KEY,
    /** The envelope is for another channel. */
    WRONG_CHANNEL,
    /** The envelope expired. */
    EXPIRED,
    /** The version failed on this endpoint before. */
    KNOWN_BAD,
    /** The version is not above the highest accepted one. */
    STALE_VERSION,
    /** The version is too far above the highest accepted one. */
    VERSION_JUMP,
    /** The payload's size or SHA-256 differs from the envelope's. */
    DIGEST_MISMATCH,
    /** The payload is larger than allowed. */
    PAYLOAD_TOO_LARGE,
    /** The consumer's validator refused the payload. */
    VALIDATION_FAILED,
    /** A new trust root does not chain from the trusted one (version, old or new threshold, revoked keys). */
    ROOT_ROTATION_REFUSED,
    /** The trusted root expired: a new root must be published and fetched before anything is accepted. */
    ROOT_EXPIRED,
    /** The signed timestamp expired: the update server is frozen, or a newer release is being withheld. */
    TIMESTAMP_EXPIRED,
    /** The signed timestamp is older than one accepted before: a replay. */
    TIMESTAMP_REPLAYED,
    /** The timestamp is missing, malformed, badly signed, for another channel or contradicts what is offered. */
    TIMESTAMP_INVALID
  }

  /** Which check failed. */
  private final Reason reason;

  /** The content version refused, 0 when none. */
  private final long version;

  /**
   * @param reason which check failed
   * @param version the refused version, 0 when the refusal is of metadata rather than a version
   * @param message what was wrong, naming the field, and what the publisher should do
   */
  public ContentRefusedException(Reason reason, long version, String message) {
    super(message);
    this.reason = reason;
    this.version = version;
  }

  /** @return which check failed */
  public Reason reason() {
    return reason;
  }

  /** @return the version that was offered and refused, 0 when none */
  public long version() {
    return version;
  }
}
