package dev.ringfence.protocol;

/**
 * "I am alive and run this version." Sent periodically by every endpoint.
 *
 * @param endpointId the endpoint
 * @param bootId the boot counter
 * @param sequence sequence number within the boot
 * @param version the version it runs
 * @param failedStarts failed starts since the last report (a crash loop shows up here)
 */
public record Heartbeat(String endpointId, long bootId, long sequence, long version, int failedStarts)
    implements Signal {

  /**
   * Validates.
   *
   * @param endpointId the endpoint
   * @param bootId the boot counter
   * @param sequence sequence number within the boot
   * @param version the version it runs
   * @param failedStarts failed starts since the last report (a crash loop shows up here)
   * @throws InvalidSignalException naming the bad field
   */
  public Heartbeat {
    Signal.checkCommon(endpointId, bootId, sequence, version);
    if (failedStarts < 0) {
      throw new InvalidSignalException("failedStarts", failedStarts + " is negative");
    }
  }
}
