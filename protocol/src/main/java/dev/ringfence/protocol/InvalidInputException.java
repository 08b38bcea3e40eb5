package dev.ringfence.protocol;

/**
 * An argument handed to Ringfence was null, blank, out of range or otherwise unusable.
 *
 * <p>{@link #field()} names the argument so that callers (an HTTP layer, say) can map the refusal
 * to a response that points at the offending field. Nothing has been changed when this is thrown.
 */
public final class InvalidInputException extends InvalidFieldException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param field the name of the offending argument or field, e.g. {@code endpointId}
   * @param reason why the value is refused and what would be accepted
   */
  public InvalidInputException(String field, String reason) {
    super(field, field + ": " + reason);
  }
}
