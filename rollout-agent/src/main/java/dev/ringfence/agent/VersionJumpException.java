package dev.ringfence.agent;

/**
 * The offered version is further above the highest version this endpoint ever accepted than
 * {@link RolloutAgent.Builder#maxVersionJump(long) maxVersionJump} allows: a fast-forward attack (an envelope
 * with an absurdly high version, which would make every later genuine release look stale and freeze the
 * endpoint for good) or a publisher's typo. Publish the next version instead, or raise {@code maxVersionJump}
 * if the channel's version scheme really jumps that far.
 */
public final class VersionJumpException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /** The highest version this endpoint has accepted. */
  private final long highestAccepted;
  /** The largest step above it the agent accepts ({@code maxVersionJump}). */
  private final long maxVersionJump;

  /**
   * @param version the refused version
   * @param highestAccepted the highest version accepted so far
   * @param maxVersionJump the largest jump the agent accepts
   */
  public VersionJumpException(long version, long highestAccepted, long maxVersionJump) {
    super(Reason.VERSION_JUMP, version, "version: " + version + " is " + (version - highestAccepted) + " above the highest accepted"
        + " version " + highestAccepted + ", more than maxVersionJump " + maxVersionJump + " allows (fast-forward);"
        + " publish the next version, or raise maxVersionJump if the channel's versions jump that far");
    this.highestAccepted = highestAccepted;
    this.maxVersionJump = maxVersionJump;
  }

  /** @return the highest version accepted so far */
  public long highestAccepted() {
    return highestAccepted;
  }

  /** @return the largest jump the agent accepts */
  public long maxVersionJump() {
    return maxVersionJump;
  }
}
