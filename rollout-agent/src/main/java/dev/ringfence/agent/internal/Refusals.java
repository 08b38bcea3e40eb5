package dev.ringfence.agent.internal;

import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.ContentRefusedException;
import java.time.Instant;

/**
 * The agent's refusals of offered content, one factory per check: each names the field, the values and what
 * the publisher should do, and carries its {@link Reason}.
 */
public final class Refusals {

  private Refusals() {}

  static ContentRefusedException badSignature(long version, String field, String reason) {
    return new ContentRefusedException(Reason.BAD_SIGNATURE, version, field + ": " + reason + " (v" + version
        + "); re-sign the release, never edit a signed envelope");
  }

  static ContentRefusedException belowThreshold(long version, int valid, int threshold) {
    return new ContentRefusedException(Reason.BELOW_THRESHOLD, version, "signatures: v" + version + " has " + valid
        + " valid signature(s) by distinct trusted keys, below the threshold of " + threshold
        + "; have more release keys sign it");
  }

  static ContentRefusedException digestMismatch(long version, String field, String expected, String actual) {
    return new ContentRefusedException(Reason.DIGEST_MISMATCH, version, field + ": payload of v" + version + " has "
        + actual + ", the signed envelope says " + expected + "; the payload was discarded, fetch it again or check"
        + " the mirror");
  }

  static ContentRefusedException expired(long version, Instant expiresAt, Instant now) {
    return new ContentRefusedException(Reason.EXPIRED, version, "expiresAt: " + expiresAt + " of v" + version
        + " is not after now (" + now + "); re-sign the release with a later expiry");
  }

  static ContentRefusedException knownBad(long version) {
    return new ContentRefusedException(Reason.KNOWN_BAD, version, "version: " + version + " is known-bad on this"
        + " endpoint (it failed here before) and is never activated again; publish the fix as a new, higher version");
  }

  /**
   * @param version the version being downloaded
   * @param cap the bytes allowed
   * @return the refusal of a payload cut at the cap
   */
  public static ContentRefusedException payloadTooLarge(long version, long cap) {
    return new ContentRefusedException(Reason.PAYLOAD_TOO_LARGE, version, "size: payload of v" + version + " exceeds "
        + cap + " bytes (the signed size or the agent's maxPayloadBytes); the download was cut and discarded, check"
        + " the server");
  }

  static ContentRefusedException stale(long version, long highestAccepted) {
    return new ContentRefusedException(Reason.STALE_VERSION, version, "version: " + version + " is not above the"
        + " highest accepted version " + highestAccepted + "; publish a revert as a new, higher version carrying the"
        + " old bytes");
  }

  static ContentRefusedException unknownKey(long version, String keyId) {
    return new ContentRefusedException(Reason.UNKNOWN_KEY, version, "keyId: '" + keyId + "' signing v" + version
        + " is not in the trust store; add it only if it is your publisher's key");
  }

  static ContentRefusedException validationFailed(long version, String reason) {
    return new ContentRefusedException(Reason.VALIDATION_FAILED, version, "validator: refused v" + version + ": "
        + reason + "; v" + version + " is now known-bad here, publish a fix as a new version");
  }

  static ContentRefusedException versionJump(long version, long highestAccepted, long maxVersionJump) {
    return new ContentRefusedException(Reason.VERSION_JUMP, version, "version: " + version + " is "
        + (version - highestAccepted) + " above the highest accepted version " + highestAccepted + ", more than"
        + " maxVersionJump " + maxVersionJump + " allows (fast-forward); publish the next version, or raise"
        + " maxVersionJump if the channel's versions jump that far");
  }

  static ContentRefusedException wrongChannel(long version, String channel, String expected) {
    return new ContentRefusedException(Reason.WRONG_CHANNEL, version, "channel: '" + channel + "' of v" + version
        + " is not this agent's channel '" + expected + "'; publish the release to the right channel");
  }
}
