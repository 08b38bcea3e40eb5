package dev.ringfence.protocol;

/**
 * A health report from one endpoint about the version it runs: a {@link Heartbeat}, an {@link
 * ApplyResult} or a {@link ProbeReading}.
 *
 * <p>Every signal carries the endpoint's boot id (a counter the agent increments at every process
 * start and keeps across restarts) and a sequence number (reset at each boot). A signal whose
 * {@code (bootId, sequence)} is not above the last one accepted from the same endpoint is a duplicate
 * or a replay, and is ignored and counted.
 */
public sealed interface Signal permits Heartbeat, ApplyResult, ProbeReading {

  /** Largest boot id and sequence number: both are unsigned 32-bit counters. */
  long MAX_COUNTER = 0xFFFF_FFFFL;

  /** @return the endpoint's stable id */
  String endpointId();

  /** @return the endpoint's boot counter */
  long bootId();

  /** @return the signal's sequence number within the boot */
  long sequence();

  /** @return the content version the endpoint runs (or, for apply results, tried to apply) */
  long version();

  /** @return {@code bootId} and {@code sequence} as one unsigned, ordered number */
  default long order() {
    return (bootId() << 32) | sequence();
  }

  /**
   * Checks the fields every signal has; used by the records' constructors.
   *
   * @param endpointId the endpoint's stable id, not blank
   * @param bootId the boot counter, 0 to {@link #MAX_COUNTER}
   * @param sequence the sequence number within the boot, 0 to {@link #MAX_COUNTER}
   * @param version the content version, not negative
   * @throws InvalidSignalException naming the first bad field
   */
  static void checkCommon(String endpointId, long bootId, long sequence, long version) {
    if (endpointId == null || endpointId.isBlank()) {
      throw new InvalidSignalException("endpointId", "is null or blank; every endpoint needs a stable id");
    }
    if (bootId < 0 || bootId > MAX_COUNTER) {
      throw new InvalidSignalException("bootId", bootId + " is outside 0.." + MAX_COUNTER);
    }
    if (sequence < 0 || sequence > MAX_COUNTER) {
      throw new InvalidSignalException("sequence", sequence + " is outside 0.." + MAX_COUNTER);
    }
    if (version < 0) {
      throw new InvalidSignalException("version", version + " is negative");
    }
  }
}
