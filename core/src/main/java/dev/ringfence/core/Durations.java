package dev.ringfence.core;

import dev.ringfence.protocol.InvalidInputException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of plans, scenarios, configuration files and command-line flags: a whole number
 * and a unit ({@code 250ms}, {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}) or ISO-8601 ({@code PT5M},
 * {@code P1DT2H}).
 */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Reads a duration.
   *
   * @param field what the text is, for the message (e.g. {@code rings[0].bakeTime}, {@code --tick-interval})
   * @param text the duration
   * @return the duration
   * @throws InvalidInputException naming {@code field} if the text is missing or not a duration
   */
  public static Duration parse(String field, String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(field, "is missing; write a duration such as 90s, 5m, 2h or PT5M");
    }
    String trimmed = text.trim();
    Matcher m = SHORT.matcher(trimmed);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    }
    try {
      return Duration.parse(trimmed);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "'" + text + "' is not a duration; write one such as 90s, 5m, 2h or"
          + " PT5M");
    }
  }

  /**
   * Writes a duration in the short form when it has one ({@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}).
   *
   * @param d the duration
   * @return its shortest exact short form, or milliseconds
   */
  public static String format(Duration d) {
    long s = d.getSeconds();
    if (d.getNano() != 0 || s == 0) {
      return d.toMillis() + "ms";
    }
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
