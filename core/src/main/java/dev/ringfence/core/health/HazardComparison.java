package dev.ringfence.core.health;

import java.util.Locale;

/**
 * Failures per host-hour at risk in each arm, and the always-valid sequential test of their ratio: what
 * the health judge decides on. An endpoint is at risk from its admission (candidate) or its first report
 * (control) until it fails; a silent endpoint that reports again is at risk again. See {@code
 * docs/judge.md}.
 *
 * @param candidateFailures candidate failures judged (a crash, a refused validation, an agent's revert,
 *     going silent)
 * @param controlFailures control failures judged, counted by the same rules
 * @param candidateHostHours endpoint-hours the candidate arm was at risk
 * @param controlHostHours endpoint-hours the control arm was at risk
 * @param ratioEstimate the estimated ratio of the candidate's hazard to the control's (Mantel-Haenszel over
 *     the batches, each at its own share at risk, as the test sees them); NaN before any failure, positive
 *     infinity without control failures
 * @param margin {@code r0}: the candidate may fail up to this many times as often as the control
 * @param logEValue the natural log of the e-value against "ratio ≤ margin"; at least {@code ln(1/α)} means
 *     the candidate fails more often than the margin allows, with false-alarm probability at most α over
 *     the whole rollout however often it is looked at
 * @param alpha the level of the interval
 * @param ratioLower the ratio's always-valid lower bound at level α (0 when none)
 * @param ratioUpper the ratio's always-valid upper bound at level α (positive infinity when none)
 */
public record HazardComparison(long candidateFailures, long controlFailures, double candidateHostHours,
    double controlHostHours, double ratioEstimate, double margin, double logEValue, double alpha, double ratioLower,
    double ratioUpper) {

  /** @return the candidate's failures per 1,000 host-hours at risk (0 before any time at risk) */
  public double candidateRate() {
    return perKiloHour(candidateFailures, candidateHostHours);
  }

  /** @return the control's failures per 1,000 host-hours at risk (0 before any time at risk) */
  public double controlRate() {
    return perKiloHour(controlFailures, controlHostHours);
  }


  private static double perKiloHour(long failures, double hours) {
    return hours <= 0 ? 0 : 1_000 * failures / hours;
  }

  /**
   * @return e.g. {@code candidate 12 failures in 150 host-h (80 per 1,000 h) vs control 3 in 9,800 host-h
   *     (0.31 per 1,000 h): ratio 261, 99% interval [64, ∞)}
   */
  public String describe() {
    String interval = String.format(Locale.ROOT, "%s%% interval [%s, %s%s", number(100 * (1 - alpha)),
        number(ratioLower), Double.isInfinite(ratioUpper) ? "∞" : number(ratioUpper),
        Double.isInfinite(ratioUpper) ? ")" : "]");
    double ratio = ratioEstimate;
    return String.format(Locale.ROOT, "candidate %d failures in %s host-h (%s per 1,000 h) vs control %d in %s"
        + " host-h (%s per 1,000 h): ratio %s, %s", candidateFailures, number(candidateHostHours),
        number(candidateRate()), controlFailures, number(controlHostHours), number(controlRate()),
        Double.isNaN(ratio) ? "-" : Double.isInfinite(ratio) ? "∞" : number(ratio), interval);
  }

  /** Three significant digits at most, no exponent, thousands separated. */
  private static String number(double value) {
    double magnitude = Math.abs(value);
    if (magnitude >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (magnitude >= 10) {
      return String.format(Locale.ROOT, "%.1f", value).replaceAll("\\.0$", "");
    }
    if (magnitude >= 0.01 || value == 0) {
      return String.format(Locale.ROOT, "%.2f", value).replaceAll("\\.?0+$", "");
    }
    return String.format(Locale.ROOT, "%.2g", value);
  }
}
