package dev.ringfence.core.internal.stats;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An always-valid sequential comparison of two failure rates per unit of time at risk: the candidate's
 * hazard {@code λ_t} against the control's {@code λ_c}, with {@code r = λ_t / λ_c}.
 *
 * <p><b>Model.</b> Failures in each arm are a counting process whose intensity is the arm's hazard times
 * the number of its endpoints at risk (as in Lindon et al., "Rapid regression detection in software
 * deployments through sequential testing", KDD 2022). Given that a failure happens, it is the
 * candidate's with probability {@code p(r) = r π / (r π + 1 − π)}, where {@code π} is the candidate's
 * share of the endpoints at risk at that moment; the control's own hazard cancels, so a low or drifting
 * baseline rate does not matter, and neither do windows of unequal length: {@code π} follows the arms
 * as endpoints are admitted, fail, go quiet and come back.
 *
 * <p><b>Test.</b> Against the composite null {@code r ≤ r0} (the candidate may fail up to {@code r0}
 * times as often as the control) the statistic is a mixture of likelihood ratios over the alternatives
 * {@code r0 · 2^(k/2)}, {@code k = 1..14} (up to 128 times), weighted equally. Each component is a
 * non-negative supermartingale under every {@code r ≤ r0} (its expected factor per failure is {@code 1}
 * at {@code r = r0} and below {@code 1} under it), so the mixture is one too, and by Ville's inequality
 * {@code P(sup_t E_t ≥ 1/α) ≤ α}: the statistic may be looked at after every failure, or every tick,
 * for as long as the rollout runs, and it stops at a false FAIL with probability at most {@code α}. No
 * relative risk has to be guessed; a catastrophe (every failure a candidate's, {@code π} small) grows
 * the top components by about {@code 1/(r0 π)} per failure.
 *
 * <p><b>Interval.</b> The same construction at the null ratios {@code 2^j}, {@code j = -6..10}, both
 * one-sided, gives a confidence sequence for {@code r}: every ratio not rejected at level {@code α}.
 * It is reported on that grid (factors of two), which keeps its coverage exact.
 *
 * <p>Failures are fed in batches: every failure of one batch is judged with the same {@code π}, the
 * share at risk just before the batch. Batches of different strata, each with its own {@code π}, give the
 * stratified test of a ratio common to the strata. Not thread-safe; the engine updates it under a
 * rollout's lock.
 */
public final class RateRatioSequence {

  /** Alternatives per test: multipliers {@code 2^(k/2)}, {@code k = 1..COMPONENTS}. */
  static final int COMPONENTS = 14;
  private static final double HALF_LN2 = Math.log(2) / 2;
  /** Interval grid: null ratios {@code 2^j} for {@code j = MIN_J..MAX_J}. */
  static final int MIN_J = -6;
  static final int MAX_J = 10;
  private static final int NULLS = MAX_J - MIN_J + 1;
  /** Half-powers of two that the interval tests touch: {@code h = 2j ± k}. */
  private static final int MIN_H = 2 * MIN_J - COMPONENTS;
  private static final int MAX_H = 2 * MAX_J + COMPONENTS;
  private static final double LOG_COMPONENTS = Math.log(COMPONENTS);

  private final double logNull;
  /** Log-likelihood ratio of each component of the decision test. */
  private final double[] decision = new double[COMPONENTS];
  /** [null j][component]: tests of {@code r ≤ 2^j} (alternatives above). */
  private final double[][] above = new double[NULLS][COMPONENTS];
  /** [null j][component]: tests of {@code r ≥ 2^j} (alternatives below). */
  private final double[][] below = new double[NULLS][COMPONENTS];
  private final double[] logAdd = new double[MAX_H - MIN_H + 1];
  private final double[] decisionLogAdd = new double[COMPONENTS + 1];
  private long candidateFailures;
  private long controlFailures;
  /** Mantel-Haenszel sums: candidate failures weighted by the control's share, and the converse. */
  private double weightedCandidate;
  private double weightedControl;
  private long batches;

  /**
   * @param nullRatio {@code r0}, at least 1: the candidate may fail this many times as often as the
   *     control before the test is meant to reject
   */
  public RateRatioSequence(double nullRatio) {
    checkArgument(nullRatio >= 1 && Double.isFinite(nullRatio), "nullRatio %s must be finite and at least 1",
        nullRatio);
    this.logNull = Math.log(nullRatio);
  }

  /**
   * Adds the failures seen since the last batch.
   *
   * @param candidate candidate failures in the batch
   * @param control control failures in the batch
   * @param candidateShare {@code π}: the candidate's share of the endpoints at risk just before the batch;
   *     a batch with a share of 0 or 1 (an empty arm) tells nothing about the ratio and is skipped
   */
  public void update(long candidate, long control, double candidateShare) {
    checkArgument(candidate >= 0 && control >= 0, "failures must not be negative: %s, %s", candidate, control);
    if (candidate + control == 0 || !(candidateShare > 0 && candidateShare < 1)) {
      return;
    }
    candidateFailures += candidate;
    controlFailures += control;
    weightedCandidate += candidate * (1 - candidateShare);
    weightedControl += control * candidateShare;
    batches++;
    double a = Math.log(candidateShare);
    double b = Math.log1p(-candidateShare);
    long total = candidate + control;
    // With ρ = ln r: ln p(r) = ρ + a − L(ρ) and ln(1 − p(r)) = b − L(ρ), where L(ρ) = ln(e^(ρ+a) + e^b).
    // A component (alternative ρ_k against null ρ_0) gains x_t (ρ_k − ρ_0) − (x_t + x_c) (L(ρ_k) − L(ρ_0)).
    for (int k = 0; k <= COMPONENTS; k++) {
      decisionLogAdd[k] = logAddExp(logNull + k * HALF_LN2 + a, b);
    }
    for (int k = 1; k <= COMPONENTS; k++) {
      decision[k - 1] += candidate * (k * HALF_LN2) - total * (decisionLogAdd[k] - decisionLogAdd[0]);
    }
    for (int h = MIN_H; h <= MAX_H; h++) {
      logAdd[h - MIN_H] = logAddExp(h * HALF_LN2 + a, b);
    }
    for (int j = 0; j < NULLS; j++) {
      int h0 = 2 * (MIN_J + j);
      double l0 = logAdd[h0 - MIN_H];
      for (int k = 1; k <= COMPONENTS; k++) {
        above[j][k - 1] += candidate * (k * HALF_LN2) - total * (logAdd[h0 + k - MIN_H] - l0);
        below[j][k - 1] += -candidate * (k * HALF_LN2) - total * (logAdd[h0 - k - MIN_H] - l0);
      }
    }
  }

  private static double logAddExp(double x, double y) {
    double max = Math.max(x, y);
    return max + Math.log1p(Math.exp(Math.min(x, y) - max));
  }

  private static double logMean(double[] components) {
    double max = Double.NEGATIVE_INFINITY;
    for (double c : components) {
      max = Math.max(max, c);
    }
    double sum = 0;
    for (double c : components) {
      sum += Math.exp(c - max);
    }
    return max + Math.log(sum) - LOG_COMPONENTS;
  }

  /** @return the natural log of the e-value against {@code r ≤ r0}; FAIL at level α when ≥ ln(1/α) */
  public double logEValue() {
    return logMean(decision);
  }

  /**
   * @param alpha the level
   * @return the largest grid ratio {@code 2^j} that the data rule out from below at level α (the rate
   *     ratio is above it), or 0 when none is
   */
  public double lowerBound(double alpha) {
    double threshold = Math.log(1 / alpha);
    double bound = 0;
    for (int j = 0; j < NULLS; j++) {
      if (logMean(above[j]) < threshold) {
        break;
      }
      bound = Math.scalb(1.0, MIN_J + j);
    }
    return bound;
  }

  /**
   * @param alpha the level
   * @return the smallest grid ratio {@code 2^j} that the data rule out from above at level α (the rate
   *     ratio is below it), or positive infinity when none is
   */
  public double upperBound(double alpha) {
    double threshold = Math.log(1 / alpha);
    double bound = Double.POSITIVE_INFINITY;
    for (int j = NULLS - 1; j >= 0; j--) {
      if (logMean(below[j]) < threshold) {
        break;
      }
      bound = Math.scalb(1.0, MIN_J + j);
    }
    return bound;
  }

  /**
   * The Mantel-Haenszel estimate of the ratio over the batches, {@code Σ x_t (1 − π) / Σ x_c π}: the
   * estimate that matches the test (each batch judged at its own share at risk).
   *
   * @return the estimate; NaN before any failure, positive infinity without control failures
   */
  public double estimate() {
    if (candidateFailures + controlFailures == 0) {
      return Double.NaN;
    }
    return weightedControl == 0 ? Double.POSITIVE_INFINITY : weightedCandidate / weightedControl;
  }

  /** @return candidate failures fed so far (batches with an empty arm skipped) */
  public long candidateFailures() {
    return candidateFailures;
  }

  /** @return control failures fed so far (batches with an empty arm skipped) */
  public long controlFailures() {
    return controlFailures;
  }

  /** @return batches that carried failures and were judged */
  public long batches() {
    return batches;
  }
}
