package dev.ringfence.agent;

/**
 * A signature names a key id that the trust store does not hold: the envelope was signed by a key this endpoint was never told to trust (or a rotated-out key). Add the key to the trust store only if it is really yours.
 */
public final class UnknownKeyException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param keyId see the message
   */
  public UnknownKeyException(long version, String keyId) {
    super(Reason.UNKNOWN_KEY, version, "keyId: '" + keyId + "' signing v" + version + " is not in the trust store; add it only if it is your publisher's key");
  }
}
