package dev.ringfence.simulator;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in scenario files: {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT5M}). */
final class SimDurations {

  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private SimDurations() {}

  static Duration parse(String field, String text) {
    if (text == null) {
      throw new IllegalArgumentException(field + ": is missing; write a duration such as 90s, 5m or 2h");
    }
    Matcher m = SHORT.matcher(text.trim());
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
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + ": '" + text + "' is not a duration; write one such as 90s, 5m,"
          + " 2h or PT5M");
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
