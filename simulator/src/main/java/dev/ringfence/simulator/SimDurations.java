package dev.ringfence.simulator;

import dev.ringfence.core.Durations;
import dev.ringfence.protocol.InvalidInputException;
import java.time.Duration;

/**
 * Durations in scenario files, in the syntax of {@link Durations} ({@code 90s}, {@code 5m}, {@code 2h},
 * {@code 1d} or ISO-8601), refused with the scenario reader's exception.
 */
final class SimDurations {

  private SimDurations() {}

  static Duration parse(String field, String text) {
    try {
      return Durations.parse(field, text);
    } catch (InvalidInputException e) {
      throw new IllegalArgumentException(e.getMessage(), e); // the scenario reader adds file, line and column
    }
  }

  static Duration parse(String field, String text, Duration min, Duration max) {
    Duration d = parse(field, text);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(field + ": " + text + " is outside " + format(min) + ".." + format(max));
    }
    return d;
  }

  static String format(Duration d) {
    return Durations.format(d);
  }
}
