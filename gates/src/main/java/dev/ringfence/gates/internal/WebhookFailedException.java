package dev.ringfence.gates.internal;

/**
 * A webhook measurement that failed in a way another attempt would not mend (a 4xx answer, an answer that is not
 * a verdict, a missing secret): not retried, counted against the gate's error limit.
 */
public final class WebhookFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, with what the receiver said
   */
  public WebhookFailedException(String message) {
    super(message);
  }
}
