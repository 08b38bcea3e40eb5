package dev.ringfence.protocol;

/**
 * The result of applying a version on one endpoint.
 *
 * @param endpointId the endpoint
 * @param bootId the boot counter
 * @param sequence sequence number within the boot
 * @param version the version it tried to apply
 * @param outcome what happened
 * @param reason details in plain words, empty if none; at most 1,000 characters
 */
public record ApplyResult(String endpointId, long bootId, long sequence, long version, ApplyOutcome outcome,
    String reason) implements Signal {

  /** Longest reason kept. */
  public static final int MAX_REASON = 1_000;

  /**
   * Validates.
   *
   * @param endpointId the endpoint
   * @param bootId the boot counter
   * @param sequence sequence number within the boot
   * @param version the version it tried to apply
   * @param outcome what happened
   * @param reason details in plain words, empty if none; at most 1,000 characters
   * @throws InvalidSignalException naming the bad field
   */
  public ApplyResult {
    Signal.checkCommon(endpointId, bootId, sequence, version);
    if (outcome == null) {
      throw new InvalidSignalException("outcome", "is null; use one of ACTIVATED, VALIDATION_FAILED, CRASHED,"
          + " REVERTED_BY_AGENT");
    }
    if (reason == null) {
      throw new InvalidSignalException("reason", "is null; use an empty string");
    }
    if (reason.length() > MAX_REASON) {
      throw new InvalidSignalException("reason", "is " + reason.length() + " characters, above " + MAX_REASON);
    }
  }
}
