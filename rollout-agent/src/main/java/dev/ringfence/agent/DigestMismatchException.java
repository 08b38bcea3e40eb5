package dev.ringfence.agent;

/**
 * The downloaded payload is not what the signed envelope describes: its size or its SHA-256 differs
 * (corruption in transit, a tampering mirror, or an endless-data attack cut at the size cap). The
 * payload was discarded; the host keeps its content.
 */
public final class DigestMismatchException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param field {@code size} or {@code sha256}
   * @param expected what the envelope says
   * @param actual what the payload has
   */
  public DigestMismatchException(long version, String field, String expected, String actual) {
    super(Reason.DIGEST_MISMATCH, version, field + ": payload of v" + version + " has " + actual + ", the signed envelope says " + expected
        + "; the payload was discarded, fetch it again or check the mirror");
  }
}
