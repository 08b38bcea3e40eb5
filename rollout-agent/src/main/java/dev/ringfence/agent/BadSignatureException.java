package dev.ringfence.agent;

/**
 * The envelope carries no signature, or a signature by a trusted key that does not verify over the
 * envelope's signed fields: the envelope was altered after signing, or signed with another key. Re-sign
 * the release; never edit a signed envelope.
 */
public final class BadSignatureException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param field {@code signatures} when none is present, else {@code signatures[keyId]}
   * @param reason what is wrong with it
   */
  public BadSignatureException(long version, String field, String reason) {
    super(Reason.BAD_SIGNATURE, version, field + ": " + reason + " (v" + version + "); re-sign the release, never edit a signed envelope");
  }
}
