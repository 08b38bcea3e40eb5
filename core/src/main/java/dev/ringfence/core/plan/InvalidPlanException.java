package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableList;
import dev.ringfence.protocol.RingfenceException;
import java.util.List;

/**
 * A plan is malformed. Lists every problem found at once, each as {@code path: reason}, e.g.
 * {@code rings[2].share: 15000 is above 10000}.
 */
public final class InvalidPlanException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** Every problem found, each {@code path: reason}. */
  private final ImmutableList<String> problems;

  /**
   * Creates the exception.
   *
   * @param problems every problem, each {@code path: reason}; at least one
   */
  public InvalidPlanException(List<String> problems) {
    super("invalid plan, " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
        + ":\n  " + String.join("\n  ", problems));
    this.problems = ImmutableList.copyOf(problems);
  }

  /** @return every problem, each {@code path: reason}, in document order */
  public List<String> problems() {
    return problems;
  }
}
