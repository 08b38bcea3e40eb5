package dev.ringfence.protocol;


/** A health signal is malformed. {@link #field()} names the field; nothing was counted. */
public final class InvalidSignalException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** The offending field of the signal. */
  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the offending field, e.g. {@code sequence}
   * @param reason why it is refused and what is accepted
   */
  public InvalidSignalException(String field, String reason) {
    super("signal." + field + ": " + reason);
    this.field = field;
  }

  /** @return the offending field */
  public String field() {
    return field;
  }
}
