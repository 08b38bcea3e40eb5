package dev.ringfence.core.internal.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * How far a candidate's values of one metric are shifted from the control's, with an interval that
 * holds at every look: a Wilcoxon-Mann-Whitney comparison stratified by time window, inverted into a
 * confidence sequence with a normal-mixture boundary.
 *
 * <p>Values are compared only with values of the other arm from the same window, so a metric that drifts
 * over the day moves both arms alike and cancels. The statistic at shift {@code Δ} is the sum over
 * windows of the Mann-Whitney {@code U} of {@code candidate - Δ} against the control, centred and scaled by
 * its null variance; the shift estimate is the {@code Δ} where it is zero (the stratified Hodges-Lehmann
 * estimate). The interval is every {@code Δ} at which the statistic stays inside Robbins' normal-mixture
 * boundary: with information {@code t} (the effective sample size, the sum over windows of {@code
 * n1·n2/(n1+n2)}) and mixture variance {@code τ²}, {@code z² < (1+ρ)/ρ · (2 ln(1/α) + ln(1+ρ))}, {@code ρ =
 * tτ²}. For a statistic that is a sum of independent increments this holds for every {@code t} at once
 * with probability at least {@code 1-α} (Ville's inequality on the mixture martingale); a rank statistic
 * is one asymptotically (the time-uniform central limit theorem of Waudby-Smith et al., 2021), so the
 * level is asymptotic: the judge demands a least sample per arm before it looks.
 */
public final class StratifiedShift {

  /**
   * Mixture variance, in units of the standardized shift: tuned to shifts around half a standard
   * deviation, the smallest the probe judge is asked to catch, where the boundary is near its lowest.
   */
  static final double TAU_SQUARED = 0.25;
  private static final int BISECTIONS = 64;

  private StratifiedShift() {}

  /**
   * One comparison.
   *
   * @param candidateCount candidate values in windows that also have control values
   * @param controlCount control values in windows that also have candidate values
   * @param effectiveSize the information {@code t}
   * @param estimate the shift of the candidate from the control (stratified Hodges-Lehmann)
   * @param lower the interval's lower end
   * @param upper the interval's upper end
   * @param controlMedian the median of the control values compared
   * @param z the standardized statistic at no shift
   */
  public record Result(int candidateCount, int controlCount, double effectiveSize, double estimate, double lower,
      double upper, double controlMedian, double z) {}

  private record Stratum(double[] x, double[] y, double variance) {}

  /**
   * Compares the arms.
   *
   * @param candidate candidate values
   * @param candidateWindows the window of each candidate value
   * @param control control values
   * @param controlWindows the window of each control value
   * @param alpha the interval's error, over every look together, in (0, 1)
   * @return the comparison; {@code candidateCount == 0} when no window has both arms
   */
  public static Result compare(double[] candidate, int[] candidateWindows, double[] control, int[] controlWindows,
      double alpha) {
    if (candidate.length != candidateWindows.length || control.length != controlWindows.length) {
      throw new IllegalArgumentException("values and windows differ in length");
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha: " + alpha + " must be in (0, 1)");
    }
    TreeMap<Integer, List<Double>> xs = group(candidate, candidateWindows);
    TreeMap<Integer, List<Double>> ys = group(control, controlWindows);
    List<Stratum> strata = new ArrayList<>();
    int n1 = 0;
    int n2 = 0;
    double t = 0;
    double variance = 0;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    List<Double> compared = new ArrayList<>();
    for (var entry : xs.entrySet()) {
      List<Double> ys1 = ys.get(entry.getKey());
      if (ys1 == null) {
        continue;
      }
      double[] x = sorted(entry.getValue());
      double[] y = sorted(ys1);
      double v = nullVariance(x, y);
      strata.add(new Stratum(x, y, v));
      n1 += x.length;
      n2 += y.length;
      t += (double) x.length * y.length / (x.length + y.length);
      variance += v;
      lo = Math.min(lo, x[0] - y[y.length - 1]);
      hi = Math.max(hi, x[x.length - 1] - y[0]);
      compared.addAll(ys1);
    }
    if (strata.isEmpty()) {
      return new Result(0, 0, 0, 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN, 0);
    }
    double controlMedian = median(sorted(compared));
    if (variance == 0) { // every value tied with every other: no shift
      return new Result(n1, n2, t, 0, 0, 0, controlMedian, 0);
    }
    double sd = Math.sqrt(variance);
    double boundary = boundary(t, alpha);
    double z0 = statistic(strata, 0) / sd;
    // The statistic falls as the shift grows: at lo every candidate value minus lo is above every control
    // value in its window; at hi, below.
    double estimate = root(strata, sd, 0, lo, hi);
    double lower = root(strata, sd, boundary, lo, hi);
    double upper = root(strata, sd, -boundary, lo, hi);
    return new Result(n1, n2, t, estimate, lower, upper, controlMedian, z0);
  }

  /**
   * The normal-mixture boundary for the standardized statistic.
   *
   * @param information the effective sample size {@code t}
   * @param alpha the error over every look
   * @return the {@code |z|} at which the mixture likelihood ratio reaches {@code 1/alpha}
   */
  public static double boundary(double information, double alpha) {
    double rho = information * TAU_SQUARED;
    return Math.sqrt((1 + rho) / rho * (2 * Math.log(1 / alpha) + Math.log1p(rho)));
  }

  /** The Δ in [lo, hi] at which the standardized statistic crosses {@code level}, by bisection. */
  private static double root(List<Stratum> strata, double sd, double level, double lo, double hi) {
    double a = lo;
    double b = hi;
    if (statistic(strata, a) / sd < level) {
      return a;
    }
    if (statistic(strata, b) / sd > level) {
      return b;
    }
    for (int i = 0; i < BISECTIONS && b - a > 0; i++) {
      double mid = a + (b - a) / 2;
      if (mid == a || mid == b) {
        break;
      }
      if (statistic(strata, mid) / sd >= level) {
        a = mid;
      } else {
        b = mid;
      }
    }
    return a + (b - a) / 2;
  }

  /** Σ over windows of U(x - Δ, y) - n1·n2/2, with ties counted a half. */
  private static double statistic(List<Stratum> strata, double shift) {
    double sum = 0;
    for (Stratum s : strata) {
      double[] x = s.x();
      double[] y = s.y();
      double twiceU = 0;
      int below = 0; // y values < x - shift
      int notAbove = 0; // y values <= x - shift
      for (double xi : x) {
        double v = xi - shift;
        while (below < y.length && y[below] < v) {
          below++;
        }
        if (notAbove < below) {
          notAbove = below;
        }
        while (notAbove < y.length && y[notAbove] <= v) {
          notAbove++;
        }
        twiceU += below + notAbove;
      }
      sum += twiceU / 2 - (double) x.length * y.length / 2;
    }
    return sum;
  }

  /** The null variance of U in one window, corrected for ties. */
  private static double nullVariance(double[] x, double[] y) {
    double[] all = new double[x.length + y.length];
    System.arraycopy(x, 0, all, 0, x.length);
    System.arraycopy(y, 0, all, x.length, y.length);
    Arrays.sort(all);
    double n = all.length;
    double ties = 0;
    for (int i = 0; i < all.length; ) {
      int j = i;
      while (j < all.length && all[j] == all[i]) {
        j++;
      }
      double k = j - i;
      ties += k * k * k - k;
      i = j;
    }
    if (n < 2) {
      return 0;
    }
    return (double) x.length * y.length / 12.0 * ((n + 1) - ties / (n * (n - 1)));
  }

  private static TreeMap<Integer, List<Double>> group(double[] values, int[] windows) {
    TreeMap<Integer, List<Double>> map = new TreeMap<>();
    for (int i = 0; i < values.length; i++) {
      if (Double.isFinite(values[i])) {
        map.computeIfAbsent(windows[i], w -> new ArrayList<>()).add(values[i]);
      }
    }
    return map;
  }

  private static double[] sorted(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    Arrays.sort(out);
    return out;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
