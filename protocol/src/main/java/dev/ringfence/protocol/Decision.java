package dev.ringfence.protocol;

/**
 * The answer to "which version does this endpoint get?".
 *
 * <p>Decisions on the common path are shared, pre-built instances: compare them by {@link #kind()},
 * never by identity.
 */
public final class Decision {

  /** What the endpoint is told to do. */
  public enum Kind {
    /** Install the candidate: the endpoint is admitted to a ring. */
    OFFER,
    /** Keep what you run: the endpoint is outside the open rings. */
    STAY,
    /** Go back to the baseline: the rollout was halted and this endpoint was exposed. */
    REVERT,
    /** Ask again later: eligible, but the ring is full, paused, frozen or at its velocity limit. */
    HOLD
  }

  /** Value of {@link #ringIndex()} when no ring applies. */
  public static final int NO_RING = -1;

  private final Kind kind;
  private final long version;
  private final int ringIndex;
  private final String ringName;
  private final String reason;

  /**
   * Creates a decision. Engines pre-build these; users rarely need to.
   *
   * @param kind what to do
   * @param version the version the endpoint should run: the candidate for OFFER, the baseline otherwise
   * @param ringIndex index of the ring that decided, or {@link #NO_RING}
   * @param ringName name of that ring, or empty
   * @param reason a short explanation in plain words
   */
  public Decision(Kind kind, long version, int ringIndex, String ringName, String reason) {
    if (kind == null) {
      throw new InvalidInputException("kind", "is null");
    }
    this.kind = kind;
    this.version = version;
    this.ringIndex = ringIndex;
    this.ringName = ringName == null ? "" : ringName;
    this.reason = reason == null ? "" : reason;
  }

  /** @return what the endpoint is told to do */
  public Kind kind() {
    return kind;
  }

  /**
   * The version the endpoint should run after following this decision: the candidate for OFFER,
   * the baseline for REVERT, STAY and HOLD. An agent acts only on OFFER and REVERT; for STAY and
   * HOLD it keeps what it runs, and the baseline here says what the rollout expects it to run.
   *
   * @return the target version
   */
  public long version() {
    return version;
  }

  /** @return index of the ring that decided, or {@link #NO_RING} */
  public int ringIndex() {
    return ringIndex;
  }

  /** @return name of the ring that decided, or an empty string */
  public String ringName() {
    return ringName;
  }

  /** @return why, in plain words */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return kind + "(" + version + ")" + (ringIndex == NO_RING ? "" : " ring " + ringIndex + " '" + ringName + "'")
        + ": " + reason;
  }
}
