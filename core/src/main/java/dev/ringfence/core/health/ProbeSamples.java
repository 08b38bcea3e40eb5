package dev.ringfence.core.health;

/**
 * One probe metric's samples in each arm: one value per endpoint, each with the time window it came in
 * (values are compared only with the other arm's values of the same window).
 *
 * @param metric the metric
 * @param candidate candidate values, a copy
 * @param candidateWindows the window of each candidate value, a copy
 * @param control control values, a copy
 * @param controlWindows the window of each control value, a copy
 */
public record ProbeSamples(String metric, double[] candidate, int[] candidateWindows, double[] control,
    int[] controlWindows) {

  /**
   * Copies the arrays.
   *
   * @param metric the metric
   * @param candidate candidate values, a copy
   * @param candidateWindows the window of each candidate value, a copy
   * @param control control values, a copy
   * @param controlWindows the window of each control value, a copy
   * @throws IllegalArgumentException if an arm's values and windows differ in length
   */
  public ProbeSamples {
    if (candidate.length != candidateWindows.length || control.length != controlWindows.length) {
      throw new IllegalArgumentException("probe samples of '" + metric + "': " + candidate.length
          + " candidate values with " + candidateWindows.length + " windows, " + control.length
          + " control values with " + controlWindows.length + " windows: each value needs its window");
    }
    candidate = candidate.clone();
    candidateWindows = candidateWindows.clone();
    control = control.clone();
    controlWindows = controlWindows.clone();
  }

  /**
   * Samples taken in one window.
   *
   * @param metric the metric
   * @param candidate candidate values
   * @param control control values
   */
  public ProbeSamples(String metric, double[] candidate, double[] control) {
    this(metric, candidate, new int[candidate.length], control, new int[control.length]);
  }

  /** @return the candidate's values, a copy */
  @Override
  public double[] candidate() {
    return candidate.clone();
  }

  /** @return the window of each candidate value, a copy */
  @Override
  public int[] candidateWindows() {
    return candidateWindows.clone();
  }

  /** @return the control's values, a copy */
  @Override
  public double[] control() {
    return control.clone();
  }

  /** @return the window of each control value, a copy */
  @Override
  public int[] controlWindows() {
    return controlWindows.clone();
  }
}
