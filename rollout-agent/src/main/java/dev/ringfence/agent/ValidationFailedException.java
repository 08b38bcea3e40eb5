package dev.ringfence.agent;

/**
 * The application's {@link ContentValidator} refused the content, failed, or ran past its timeout. The
 * version was not activated and is now known-bad on this endpoint; publish a fix as a new version.
 */
public final class ValidationFailedException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param reason what the validator said or how it failed
   */
  public ValidationFailedException(long version, String reason) {
    super(Reason.VALIDATION_FAILED, version, "validator: refused v" + version + ": " + reason + "; v" + version
        + " is now known-bad here, publish a fix as a new version");
  }
}
