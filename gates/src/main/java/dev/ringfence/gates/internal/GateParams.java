package dev.ringfence.gates.internal;

import dev.ringfence.core.Durations;
import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.protocol.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Reads the parameters every gate of this module shares (strings, counts, durations) out of a ring's {@code
 * gate.params}, adding each problem under its path ({@code gate.params.minSamples: ...}) instead of throwing, so
 * that a plan's every problem is reported at once.
 */
final class GateParams {

  /** Where the parameters are, relative to the ring. */
  static final String PREFIX = "gate.params.";

  private GateParams() {}

  /** Adds a problem for each parameter not in {@code known}. */
  static void refuseUnknown(Map<String, Object> params, Set<String> known, String type, List<String> problems) {
    for (String key : new TreeSet<>(params.keySet())) {
      if (!known.contains(key)) {
        problems.add(PREFIX + key + ": unknown parameter of " + type + "; known: " + new TreeSet<>(known));
      }
    }
  }

  static @Nullable String string(Map<String, Object> params, String key, boolean required, List<String> problems) {
    Object value = params.get(key);
    if (value == null) {
      if (required) {
        problems.add(PREFIX + key + ": is missing");
      }
      return null;
    }
    if (!(value instanceof String) || ((String) value).isBlank()) {
      problems.add(PREFIX + key + ": must be a non-blank string, found " + value);
      return null;
    }
    return (String) value;
  }

  static int count(Map<String, Object> params, String key, int fallback, int min, int max, List<String> problems) {
    Object value = params.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      problems.add(PREFIX + key + ": must be a whole number, found " + value);
      return fallback;
    }
    long n = ((Number) value).longValue();
    if (n < min || n > max) {
      problems.add(PREFIX + key + ": " + n + " is outside " + min + ".." + max);
      return fallback;
    }
    return (int) n;
  }

  static int count(Map<String, Object> params, String key, int fallback, int min, List<String> problems) {
    return count(params, key, fallback, min, AsyncGateConfig.MAX_COUNT, problems);
  }

  /**
   * Reads an http:// or https:// URL: a string, parsed, with its scheme checked; what else a gate asks of it is the
   * gate's.
   *
   * @param value the parameter as the plan gives it
   * @param missing what the problem says when it is absent, after "is missing; "
   * @param maxLength the longest text accepted, in characters
   * @return the URL, with its text as given less surrounding white space, or null after adding a problem
   */
  static @Nullable URI httpUrl(@Nullable Object value, String missing, int maxLength, List<String> problems) {
    String field = PREFIX + "url";
    if (value == null) {
      problems.add(field + ": is missing; " + missing);
      return null;
    }
    if (!(value instanceof String)) {
      problems.add(field + ": must be a string, found " + value);
      return null;
    }
    String text = ((String) value).strip();
    if (text.length() > maxLength) {
      problems.add(field + ": " + text.length() + " characters is over " + maxLength);
      return null;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      problems.add(field + ": '" + withoutUserInfo(text) + "' is not a URL: " + withoutUserInfo(e.getReason()));
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      problems.add(field + ": '" + withoutUserInfo(text) + "' must be an http:// or https:// URL");
      return null;
    }
    return uri;
  }

  /**
   * A URL's text for a message, its user info (a name and password before {@code @}) replaced by {@code ...}; found
   * by its place in the text, so that a URL that does not parse is redacted too. A refusal never repeats a credential.
   */
  static String withoutUserInfo(String text) {
    return text.replaceAll("(?<=://)[^/?#@\\s]*@", "...@");
  }

  static Duration duration(Map<String, Object> params, String key, Duration fallback, boolean zeroAllowed,
      List<String> problems) {
    return duration(params, key, fallback, zeroAllowed, AsyncGateConfig.MAX_DURATION, problems);
  }

  static Duration duration(Map<String, Object> params, String key, Duration fallback, boolean zeroAllowed,
      Duration max, List<String> problems) {
    Object value = params.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String)) {
      problems.add(PREFIX + key + ": must be a duration such as \"30s\", found " + value);
      return fallback;
    }
    Duration d;
    try {
      d = Durations.parse(PREFIX + key, (String) value);
    } catch (InvalidInputException e) {
      problems.add(e.getMessage()); // "gate.params.<key>: ..."
      return fallback;
    }
    if (d.isNegative() || (d.isZero() && !zeroAllowed) || d.compareTo(max) > 0) {
      problems.add(PREFIX + key + ": " + value + " must be " + (zeroAllowed ? "zero or positive" : "positive")
          + " and at most " + Durations.format(max));
      return fallback;
    }
    return d;
  }
}
