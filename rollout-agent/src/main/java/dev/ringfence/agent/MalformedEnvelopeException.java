package dev.ringfence.agent;

import dev.ringfence.protocol.InvalidFieldException;

/**
 * The envelope is not valid JSON of the expected shape: a missing or unknown field, a wrong type or an
 * out-of-range value. Nothing was activated. Fix the publisher that produced it.
 */
public final class MalformedEnvelopeException extends InvalidFieldException {
  private static final long serialVersionUID = 1L;

  /**
   * @param field the offending field, e.g. {@code version}
   * @param reason what is wrong and what is expected
   */
  public MalformedEnvelopeException(String field, String reason) {
    super(field, "envelope " + field + ": " + reason);
  }
}
