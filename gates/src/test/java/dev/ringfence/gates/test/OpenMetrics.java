package dev.ringfence.gates.test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes OpenMetrics text for {@code promtool tsdb create-blocks-from openmetrics}: families of series sampled
 * every 15 seconds over a window around a fixed instant, each sample with its own timestamp.
 */
public final class OpenMetrics {

  /** How often a series is sampled. */
  public static final Duration STEP = Duration.ofSeconds(15);

  private final Instant from;
  private final Instant to;
  private final Map<String, StringBuilder> families = new LinkedHashMap<>();
  private final Map<String, String> types = new LinkedHashMap<>();

  /**
   * @param around the fixed instant the tests ask at
   * @param margin how far the samples reach before and after it
   */
  public OpenMetrics(Instant around, Duration margin) {
    this.from = around.minus(margin);
    this.to = around.plus(margin);
  }

  /**
   * A counter that grows at one rate per second before {@code change} and another after it.
   *
   * @param family the family, e.g. {@code app_requests} (the sample is {@code family_total})
   * @param labels the labels, as written between braces, values escaped for OpenMetrics
   * @param perSecondBefore the rate before {@code change}
   * @param change when the rate changes
   * @param perSecondAfter the rate from {@code change} on
   * @return this
   */
  public OpenMetrics counter(String family, String labels, double perSecondBefore, Instant change,
      double perSecondAfter) {
    StringBuilder b = family(family, "counter");
    double value = 0;
    Instant previous = from;
    for (Instant t = from; t.isBefore(to); t = t.plus(STEP)) {
      double seconds = Duration.between(previous, t).toMillis() / 1000.0;
      value += seconds * (t.isAfter(change) ? perSecondAfter : perSecondBefore);
      previous = t;
      b.append(family).append("_total{").append(labels).append("} ").append(number(value)).append(' ')
          .append(t.getEpochSecond()).append('\n');
    }
    return this;
  }

  /**
   * A counter with one rate throughout.
   *
   * @param family the family
   * @param labels the labels
   * @param perSecond the rate
   * @return this
   */
  public OpenMetrics counter(String family, String labels, double perSecond) {
    return counter(family, labels, perSecond, to, perSecond);
  }

  /**
   * A gauge with one value throughout.
   *
   * @param family the family
   * @param labels the labels
   * @param value the value
   * @return this
   */
  public OpenMetrics gauge(String family, String labels, double value) {
    StringBuilder b = family(family, "gauge");
    for (Instant t = from; t.isBefore(to); t = t.plus(STEP)) {
      b.append(family).append('{').append(labels).append("} ").append(number(value)).append(' ')
          .append(t.getEpochSecond()).append('\n');
    }
    return this;
  }

  private StringBuilder family(String name, String type) {
    String known = types.putIfAbsent(name, type);
    if (known != null && !known.equals(type)) {
      throw new IllegalArgumentException(name + " is a " + known);
    }
    return families.computeIfAbsent(name, k -> new StringBuilder());
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  /** @return the text, ending in {@code # EOF} */
  public String text() {
    StringBuilder out = new StringBuilder();
    families.forEach((name, samples) -> out.append("# TYPE ").append(name).append(' ').append(types.get(name))
        .append('\n').append(samples));
    return out.append("# EOF\n").toString();
  }
}
