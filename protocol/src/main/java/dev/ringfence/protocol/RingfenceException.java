package dev.ringfence.protocol;

/**
 * Base type of every exception Ringfence throws on purpose.
 *
 * <p>All subclasses are unchecked. Each message says what was wrong, where, and what to do about it,
 * so that a log line alone is enough to act on. Catch this type to handle every refusal of the
 * library in one place.
 */
public class RingfenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the value and the remedy.
   *
   * @param message what was wrong, where, and what to do
   */
  public RingfenceException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps its cause.
   *
   * @param message what was wrong, where, and what to do
   * @param cause the underlying failure
   */
  public RingfenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
