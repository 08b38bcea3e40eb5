package dev.ringfence.protocol;

/**
 * One reading of a named metric on an endpoint (CPU, memory, latency, error count...). Readings of
 * the candidate are compared with the control's by the health gate; a reading also proves the
 * endpoint is alive.
 *
 * @param endpointId the endpoint
 * @param bootId the boot counter
 * @param sequence sequence number within the boot
 * @param version the version it runs
 * @param metric the metric's name, 1 to 128 characters
 * @param value the reading, a finite number
 */
public record ProbeReading(String endpointId, long bootId, long sequence, long version, String metric,
    double value) implements Signal {

  /** Longest metric name. */
  public static final int MAX_METRIC = 128;

  /**
   * Validates.
   *
   * @param endpointId the endpoint
   * @param bootId the boot counter
   * @param sequence sequence number within the boot
   * @param version the version it runs
   * @param metric the metric's name, 1 to 128 characters
   * @param value the reading, a finite number
   * @throws InvalidSignalException naming the bad field
   */
  public ProbeReading {
    Signal.checkCommon(endpointId, bootId, sequence, version);
    if (metric == null || metric.isBlank() || metric.length() > MAX_METRIC) {
      throw new InvalidSignalException("metric", "must be 1 to " + MAX_METRIC + " characters, not blank");
    }
    if (!Double.isFinite(value)) {
      throw new InvalidSignalException("value", value + " is not a finite number");
    }
  }
}
