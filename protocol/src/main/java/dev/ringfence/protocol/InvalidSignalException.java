package dev.ringfence.protocol;


/** A health signal is malformed. {@link #field()} names the field; nothing was counted. */
public final class InvalidSignalException extends InvalidFieldException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param field the offending field, e.g. {@code sequence}
   * @param reason why it is refused and what is accepted
   */
  public InvalidSignalException(String field, String reason) {
    super(field, "signal." + field + ": " + reason);
  }
}
