package dev.ringfence.protocol;

/**
 * A refusal that names the offending field, so that callers (an HTTP layer, say) can map it to a response that
 * points at that field: {@link InvalidInputException}, {@link InvalidSignalException} and the agent's malformed
 * envelope. Nothing has been changed when one is thrown.
 */
public abstract class InvalidFieldException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** The offending field. */
  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the name of the offending field, e.g. {@code endpointId}
   * @param message the whole message: the field, why its value is refused and what would be accepted
   */
  protected InvalidFieldException(String field, String message) {
    super(message);
    this.field = field;
  }

  /**
   * The name of the offending field.
   *
   * @return the field name, never null
   */
  public String field() {
    return field;
  }
}
