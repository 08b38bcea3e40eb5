package dev.ringfence.agent;

/**
 * The envelope's expiry is in the past: a freeze attack (an attacker or a stuck mirror replaying old metadata) or a publisher that stopped re-signing. Re-sign the release with a later expiry.
 */
public final class ExpiredEnvelopeException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param expiresAt see the message
   * @param now see the message
   */
  public ExpiredEnvelopeException(long version, java.time.Instant expiresAt, java.time.Instant now) {
    super(Reason.EXPIRED, version, "expiresAt: " + expiresAt + " of v" + version + " is not after now (" + now + "); re-sign the release with a later expiry");
  }
}
