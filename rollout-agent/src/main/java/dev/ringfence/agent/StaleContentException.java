package dev.ringfence.agent;

/**
 * The offered version is not above the highest version this endpoint ever accepted: a rollback or replay
 * attack, or a publisher that reused a number. A revert must be published as a new, higher version
 * carrying the old bytes.
 */
public final class StaleContentException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /** The highest version this endpoint has accepted. */
  private final long highestAccepted;

  /**
   * @param version the refused version
   * @param highestAccepted the highest version accepted so far
   */
  public StaleContentException(long version, long highestAccepted) {
    super(Reason.STALE_VERSION, version, "version: " + version + " is not above the highest accepted version " + highestAccepted
        + "; publish a revert as a new, higher version carrying the old bytes");
    this.highestAccepted = highestAccepted;
  }

  /** @return the highest version accepted so far */
  public long highestAccepted() {
    return highestAccepted;
  }
}
