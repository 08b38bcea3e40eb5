package dev.ringfence.agent;

/**
 * Fewer distinct trusted keys signed the envelope than the trust store's threshold requires, so one
 * stolen key is not enough. Have more of the release keys sign it.
 */
public final class BelowThresholdException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param valid distinct trusted keys whose signatures verified
   * @param threshold signatures required
   */
  public BelowThresholdException(long version, int valid, int threshold) {
    super(Reason.BELOW_THRESHOLD, version, "signatures: v" + version + " has " + valid + " valid signature(s) by distinct trusted keys,"
        + " below the threshold of " + threshold + "; have more release keys sign it");
  }
}
