package dev.ringfence.simulator;

import dev.ringfence.protocol.RingfenceException;
import java.util.List;

/** A scenario file that cannot be used: the message names the file, the line, the field and the reason. */
public final class InvalidScenarioException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** @param message {@code file:line:column: field: reason} */
  public InvalidScenarioException(String message) {
    super(message);
    this.problems = List.of(message);
  }

  /**
   * @param message {@code file:line:column: field: reason}
   * @param cause the parser's or the plan's exception
   */
  public InvalidScenarioException(String message, Throwable cause) {
    super(message, cause);
    this.problems = List.of(message);
  }

  /**
   * @param message every problem, one a line
   * @param problems each {@code file:line:column: field: reason}
   */
  public InvalidScenarioException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, each {@code file:line:column: field: reason}. */
  private final List<String> problems;

  /** @return every problem found, each {@code file:line:column: field: reason} */
  public List<String> problems() {
    return problems;
  }
}
