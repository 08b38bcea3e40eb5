package dev.ringfence.core.health;

/**
 * The most recent readings of one probe metric in each arm (a bounded window per arm).
 *
 * @param metric the metric
 * @param candidate candidate readings, a copy
 * @param control control readings, a copy
 */
public record ProbeSamples(String metric, double[] candidate, double[] control) {

  /** Copies the arrays. */
  public ProbeSamples {
    candidate = candidate.clone();
    control = control.clone();
  }

  @Override
  public double[] candidate() {
    return candidate.clone();
  }

  @Override
  public double[] control() {
    return control.clone();
  }
}
