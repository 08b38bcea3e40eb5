package dev.ringfence.agent;

import dev.ringfence.protocol.RingfenceException;

/**
 * The envelope is not valid JSON of the expected shape: a missing or unknown field, a wrong type or an
 * out-of-range value. Nothing was activated. Fix the publisher that produced it.
 */
public final class MalformedEnvelopeException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** The offending field of the envelope. */
  private final String field;

  /**
   * @param field the offending field, e.g. {@code version}
   * @param reason what is wrong and what is expected
   */
  public MalformedEnvelopeException(String field, String reason) {
    super("envelope " + field + ": " + reason);
    this.field = field;
  }

  /** @return the offending field */
  public String field() {
    return field;
  }
}
