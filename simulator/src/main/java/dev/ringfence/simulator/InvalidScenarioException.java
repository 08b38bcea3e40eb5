package dev.ringfence.simulator;

import dev.ringfence.protocol.RingfenceException;

/** A scenario file that cannot be used: the message names the file, the line, the field and the reason. */
public final class InvalidScenarioException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** @param message {@code file:line:column: field: reason} */
  public InvalidScenarioException(String message) {
    super(message);
  }

  /**
   * @param message {@code file:line:column: field: reason}
   * @param cause the parser's or the plan's exception
   */
  public InvalidScenarioException(String message, Throwable cause) {
    super(message, cause);
  }
}
