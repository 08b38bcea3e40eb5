package dev.ringfence.gates.internal;

import java.io.IOException;

/**
 * A webhook answer another attempt may mend: HTTP 408, 429 or 5xx. An {@link IOException}, so that it is retried
 * like a refused connection or a request that timed out.
 */
final class RetryableAnswerException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message the status and an excerpt of the answer
   */
  RetryableAnswerException(String message) {
    super(message);
  }
}
