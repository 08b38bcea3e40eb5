package dev.ringfence.simulator;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The checks of one part of a scenario: each refusal is kept and the next check runs, so that {@link #done()}
 * reports every problem of the part at once instead of the first ({@link ScenarioReader} places each at its field).
 */
final class PartChecks {

  private final List<String> problems = new ArrayList<>();

  /** @param problem {@code field: reason} */
  void fail(String problem) {
    problems.add(problem);
  }

  /**
   * @param check a check that refuses with {@link IllegalArgumentException} ({@code field: reason})
   * @return whether it passed
   */
  boolean ok(Runnable check) {
    try {
      check.run();
      return true;
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return false;
    }
  }

  /** As {@link Scenario#share}, the fallback when the value is refused. */
  double share(@Nullable Double value, String field, double fallback) {
    try {
      return Scenario.share(value, field, fallback);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return fallback;
    }
  }

  /**
   * @throws IllegalArgumentException the one problem found, or {@link Problems} with all of them
   */
  void done() {
    if (problems.size() == 1) {
      throw new IllegalArgumentException(problems.get(0));
    }
    if (!problems.isEmpty()) {
      throw new Problems(problems);
    }
  }

  /** Several problems of one part, each {@code field: reason}. */
  static final class Problems extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The problems, in the order the part checks its fields. */
    final List<String> problems;

    Problems(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }
  }
}
