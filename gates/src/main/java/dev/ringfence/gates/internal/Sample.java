package dev.ringfence.gates.internal;

import org.jspecify.annotations.Nullable;

/**
 * One answer of Prometheus to an instant query.
 *
 * @param query the PromQL query as sent, placeholders filled in
 * @param value the value as Prometheus wrote it ({@code "0.031"}, {@code "+Inf"}), or null when there is no data
 * @param noData why there is no value (an empty vector, NaN), or null when there is one
 */
public record Sample(String query, @Nullable String value, @Nullable String noData) {

  /** @return the value as a number; NaN when there is no data */
  public double number() {
    return value == null ? Double.NaN : PrometheusClient.parseValue(value);
  }
}
