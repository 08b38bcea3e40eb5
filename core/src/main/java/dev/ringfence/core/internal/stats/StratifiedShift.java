package dev.ringfence.core.internal.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
  private static final int MAX_STEPS = 128;
  /** Roots are found to this fraction of the control's interquartile range: 2^-12, about 2.4e-4. */
  private static final double RESOLUTION = 0x1p-12;

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
    Groups xs = group(candidate, candidateWindows);
    Groups ys = group(control, controlWindows);
    List<Stratum> strata = new ArrayList<>();
    int n1 = 0;
    int n2 = 0;
    double t = 0;
    double variance = 0;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    // Both arms' windows are in ascending order: a merge join finds the windows they share.
    for (int i = 0, j = 0; i < xs.windows.length && j < ys.windows.length; ) {
      if (xs.windows[i] < ys.windows[j]) {
        i++;
      } else if (xs.windows[i] > ys.windows[j]) {
        j++;
      } else {
        double[] x = xs.values[i++];
        double[] y = ys.values[j++];
        double v = nullVariance(x, y);
        strata.add(new Stratum(x, y, v));
        n1 += x.length;
        n2 += y.length;
        t += (double) x.length * y.length / (x.length + y.length);
        variance += v;
        lo = Math.min(lo, x[0] - y[y.length - 1]);
        hi = Math.max(hi, x[x.length - 1] - y[0]);
      }
    }
    if (strata.isEmpty()) {
      return new Result(0, 0, 0, 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN, 0);
    }
    double[] pooled = pooledControl(strata);
    double controlMedian = median(pooled);
    if (variance == 0) { // every value tied with every other: no shift
      return new Result(n1, n2, t, 0, 0, 0, controlMedian, 0);
    }
    double sd = Math.sqrt(variance);
    double boundary = boundary(t, alpha);
    double z0 = statistic(strata, 0) / sd;
    // The statistic falls as the shift grows: at lo every candidate value minus lo is above every control
    // value in its window; at hi, below.
    double scale = quantile(pooled, 0.75) - quantile(pooled, 0.25);
    if (scale == 0) {
      scale = Math.abs(controlMedian) > 0 ? Math.abs(controlMedian) : hi - lo;
    }
    double tolerance = scale * RESOLUTION;
    double estimate = root(strata, sd, 0, lo, hi, tolerance);
    double lower = root(strata, sd, boundary, lo, estimate, tolerance);
    double upper = root(strata, sd, -boundary, estimate, hi, tolerance);
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

  /**
   * The Δ in [lo, hi] at which the standardized statistic crosses {@code level}, to within {@code
   * tolerance}: the Illinois variant of regula falsi on the bracket (the statistic is close to linear near
   * its crossing, so a few steps do), with a bisection step whenever a step fails to halve the bracket.
   */
  private static double root(List<Stratum> strata, double sd, double level, double lo, double hi,
      double tolerance) {
    double a = lo;
    double b = hi;
    double fa = statistic(strata, a) / sd - level;
    if (fa < 0) {
      return a;
    }
    double fb = statistic(strata, b) / sd - level;
    if (fb > 0) {
      return b;
    }
    int side = 0;
    boolean bisect = false;
    for (int i = 0; i < MAX_STEPS && b - a > tolerance; i++) {
      double width = b - a;
      double c = a + width / 2;
      if (!bisect && fa - fb > 0) {
        double interpolated = a + fa * width / (fa - fb);
        if (interpolated > a && interpolated < b) {
          c = interpolated;
        }
      }
      if (c == a || c == b) {
        break;
      }
      double fc = statistic(strata, c) / sd - level;
      if (fc >= 0) {
        a = c;
        fa = fc;
        if (side == 1) {
          fb /= 2;
        }
        side = 1;
      } else {
        b = c;
        fb = fc;
        if (side == -1) {
          fa /= 2;
        }
        side = -1;
      }
      bisect = b - a > width / 2;
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
      if (x.length * (32 - Integer.numberOfLeadingZeros(y.length)) < y.length) {
        // Few candidate values in a large control window: two binary searches each.
        for (double xi : x) {
          double v = xi - shift;
          twiceU += countBelow(y, v, false) + countBelow(y, v, true);
        }
      } else {
        // One merge walk through both sorted arrays.
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
      }
      sum += twiceU / 2 - (double) x.length * y.length / 2;
    }
    return sum;
  }

  /** How many of the sorted values are below {@code v} (or equal to it, if {@code orEqual}). */
  private static int countBelow(double[] sorted, double v, boolean orEqual) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v || (orEqual && sorted[mid] == v)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The null variance of U in one window, corrected for ties; both arrays sorted. */
  private static double nullVariance(double[] x, double[] y) {
    double n = x.length + y.length;
    if (n < 2) {
      return 0;
    }
    // Walk the two sorted arrays as one, counting each run of equal values.
    double ties = 0;
    int i = 0;
    int j = 0;
    while (i < x.length || j < y.length) {
      double value = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
      int k = 0;
      while (i < x.length && x[i] == value) {
        i++;
        k++;
      }
      while (j < y.length && y[j] == value) {
        j++;
        k++;
      }
      ties += (double) k * k * k - k;
    }
    return (double) x.length * y.length / 12.0 * ((n + 1) - ties / (n * (n - 1)));
  }

  /** Finite values grouped by window: windows ascending, each window's values sorted. */
  private record Groups(int[] windows, double[][] values) {}

  private static Groups group(double[] values, int[] windows) {
    // Sort (window, index) pairs packed in longs: no boxing, one primitive sort.
    long[] keyed = new long[values.length];
    int n = 0;
    for (int i = 0; i < values.length; i++) {
      if (Double.isFinite(values[i])) {
        keyed[n++] = ((long) windows[i] << 32) | i;
      }
    }
    Arrays.sort(keyed, 0, n);
    int groups = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || (int) (keyed[i] >> 32) != (int) (keyed[i - 1] >> 32)) {
        groups++;
      }
    }
    int[] keys = new int[groups];
    double[][] grouped = new double[groups][];
    for (int i = 0, g = 0; i < n; g++) {
      int window = (int) (keyed[i] >> 32);
      int j = i;
      while (j < n && (int) (keyed[j] >> 32) == window) {
        j++;
      }
      double[] slice = new double[j - i];
      for (int k = i; k < j; k++) {
        slice[k - i] = values[(int) keyed[k]];
      }
      Arrays.sort(slice);
      keys[g] = window;
      grouped[g] = slice;
      i = j;
    }
    return new Groups(keys, grouped);
  }

  /** The control values of every stratum, sorted: the strata's sorted arrays merged pairwise. */
  private static double[] pooledControl(List<Stratum> strata) {
    List<double[]> runs = new ArrayList<>();
    for (Stratum s : strata) {
      runs.add(s.y());
    }
    while (runs.size() > 1) {
      List<double[]> merged = new ArrayList<>((runs.size() + 1) / 2);
      for (int i = 0; i + 1 < runs.size(); i += 2) {
        merged.add(merge(runs.get(i), runs.get(i + 1)));
      }
      if (runs.size() % 2 == 1) {
        merged.add(runs.get(runs.size() - 1));
      }
      runs = merged;
    }
    return runs.get(0);
  }

  private static double[] merge(double[] a, double[] b) {
    double[] out = new double[a.length + b.length];
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < a.length && j < b.length) {
      out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
    }
    System.arraycopy(a, i, out, k, a.length - i);
    System.arraycopy(b, j, out, k + a.length - i, b.length - j);
    return out;
  }

  /** A quantile of sorted values, the nearest rank. */
  private static double quantile(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
