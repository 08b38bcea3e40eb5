package dev.ringfence.core.internal;

import dev.ringfence.core.health.HazardComparison;
import dev.ringfence.core.internal.stats.RateRatioSequence;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A rollout's failures in batches (one per tick and stratum that saw any), each with the candidate's share
 * of the stratum's endpoints at risk just before it, and the arms' time at risk: everything the hazard test
 * needs, kept so that a gate asking for a margin no other gate asked for gets its test replayed from the
 * first batch. Judging each failure against the arms' shares within its own stratum is the stratified form
 * of the test: a stratum without a candidate (or without a control) at risk tells nothing about the ratio
 * and is left out, so an arm's mix of regions, systems and tiers cannot pass for a difference in hazard.
 * Ticks append; gates read. Thread-safe (a monitor: both run once a tick).
 */
final class FailureLog {

  private static final double MILLIS_PER_HOUR = 3_600_000.0;

  private long lastMillis = Long.MIN_VALUE;
  private long[] candidateSeen = new long[0];
  private long[] controlSeen = new long[0];
  private long candidateAtRisk;
  private long controlAtRisk;
  private double candidateHours;
  private double controlHours;
  private int size;
  private long[] candidateFailures = new long[64];
  private long[] controlFailures = new long[64];
  private double[] shares = new double[64];
  /** One test per margin asked for, each fed every batch. */
  private final Map<Double, RateRatioSequence> tests = new HashMap<>();

  /**
   * Adds one tick.
   *
   * @param nowMillis the tick's time on the rollout's timeline
   * @param candidateTotal per stratum, candidate failures since the rollout began
   * @param controlTotal per stratum, control failures since the rollout began
   * @param candidateNow per stratum, candidate endpoints at risk now
   * @param controlNow per stratum, control endpoints at risk now
   */
  synchronized void record(long nowMillis, long[] candidateTotal, long[] controlTotal, long[] candidateNow,
      long[] controlNow) {
    int strata = candidateTotal.length;
    long candidateSum = sum(candidateNow);
    long controlSum = sum(controlNow);
    if (lastMillis != Long.MIN_VALUE && nowMillis > lastMillis) {
      // Time at risk since the last tick, at the mean of its two ends.
      double hours = (nowMillis - lastMillis) / MILLIS_PER_HOUR;
      candidateHours += hours * (candidateAtRisk + candidateSum) / 2.0;
      controlHours += hours * (controlAtRisk + controlSum) / 2.0;
    }
    lastMillis = Math.max(lastMillis, nowMillis);
    candidateAtRisk = candidateSum;
    controlAtRisk = controlSum;
    if (candidateSeen.length < strata) {
      candidateSeen = Arrays.copyOf(candidateSeen, strata);
      controlSeen = Arrays.copyOf(controlSeen, strata);
    }
    for (int s = 0; s < strata; s++) {
      // Totals never shrink; a sum over replicas could only if a replica's share were lost or unreadable: then
      // nothing is counted until the sum is back above what was seen.
      long candidate = Math.max(0, candidateTotal[s] - candidateSeen[s]);
      long control = Math.max(0, controlTotal[s] - controlSeen[s]);
      candidateSeen[s] = Math.max(candidateSeen[s], candidateTotal[s]);
      controlSeen[s] = Math.max(controlSeen[s], controlTotal[s]);
      if (candidate > 0 || control > 0) {
        // At risk just before the batch: the failures left the at-risk counts when they happened.
        double before = candidateNow[s] + candidate + controlNow[s] + control;
        add(candidate, control, (candidateNow[s] + candidate) / before);
      }
    }
  }

  private void add(long candidate, long control, double share) {
    if (size == shares.length) {
      candidateFailures = Arrays.copyOf(candidateFailures, size * 2);
      controlFailures = Arrays.copyOf(controlFailures, size * 2);
      shares = Arrays.copyOf(shares, size * 2);
    }
    candidateFailures[size] = candidate;
    controlFailures[size] = control;
    shares[size] = share;
    size++;
    for (RateRatioSequence test : tests.values()) {
      test.update(candidate, control, share);
    }
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return sum;
  }
  /**
   * @param margin the ratio the candidate may reach, at least 1
   * @param alpha the level of the interval
   * @return the comparison so far
   */
  synchronized HazardComparison compare(double margin, double alpha) {
    RateRatioSequence test = tests.get(margin);
    if (test == null) {
      test = new RateRatioSequence(margin);
      for (int i = 0; i < size; i++) {
        test.update(candidateFailures[i], controlFailures[i], shares[i]);
      }
      tests.put(margin, test);
    }
    return new HazardComparison(test.candidateFailures(), test.controlFailures(), candidateHours, controlHours,
        test.estimate(), margin, test.logEValue(), alpha, test.lowerBound(alpha), test.upperBound(alpha));
  }
}
