package dev.ringfence.core.internal.stats;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum test) of a candidate sample against a control sample,
 * with the Hodges-Lehmann estimate of the shift between them: the nonparametric comparison that
 * Kayenta, Spinnaker's canary judge, applies to each metric.
 *
 * <p>P-values are exact when there are no ties and both samples have at most {@value #EXACT_MAX_SIZE}
 * values: the permutation distribution of U is enumerated with the recursion
 * f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u). Otherwise they come from the normal approximation
 * with the tie-corrected variance and a continuity correction of 0.5.
 *
 * <p>Ranking sorts copies of the inputs and merges them, O((n1 + n2) log(n1 + n2)). The Hodges-Lehmann
 * estimate is a separate O(k log k) pass over k &lt;= {@value #MAX_PAIRS} pairwise differences.
 */
public final class MannWhitney {

  /** Largest size of either sample for which tie-free p-values are computed exactly. */
  public static final int EXACT_MAX_SIZE = 20;

  /**
   * Most pairwise differences the Hodges-Lehmann estimate uses. Above this many pairs it uses evenly
   * spaced order statistics of each sample instead of all values; see {@link Result}.
   */
  public static final int MAX_PAIRS = 250_000;

  /** Side of the subsample grid when both samples are large: 500 x 500 = {@value #MAX_PAIRS}. */
  private static final int MAX_SIDE = 500;

  private MannWhitney() {}

  /**
   * Outcome of {@link MannWhitney#test}.
   *
   * @param candidateSize number of candidate values used
   * @param controlSize number of control values used
   * @param u U statistic of the candidate: the number of (candidate, control) pairs with the candidate
   *     value larger, ties counting one half; ranges over [0, candidateSize * controlSize]
   * @param z the normal approximation (u - mean) / sd with the tie-corrected variance, moved 0.5
   *     towards the mean for continuity and never past it; 0 when either sample is empty or all values
   *     are tied. Reported from the normal approximation even when the p-values are exact
   * @param pGreater one-sided p-value for "the candidate tends to be larger", P(U &gt;= u) under the
   *     null hypothesis; exact or approximate as described on {@link MannWhitney}; 1 when either
   *     sample is empty or all values are tied
   * @param pLess one-sided p-value for "the candidate tends to be smaller", P(U &lt;= u), likewise.
   *     pGreater + pLess &gt;= 1, because both include P(U = u)
   * @param candidateMedian median of the candidate values, NaN if there are none
   * @param controlMedian median of the control values, NaN if there are none
   * @param hodgesLehmannShift median of the pairwise differences candidate - control, NaN if either
   *     sample is empty. Exact up to {@value MannWhitney#MAX_PAIRS} pairs; above that, the median
   *     over evenly spaced order statistics of each sample (all of a sample with at most 500 values
   *     and as many of the other as keep the pairs within the limit, else 500 of each), which is
   *     deterministic and swaps sign exactly when the samples swap
   */
  public record Result(
      int candidateSize,
      int controlSize,
      double u,
      double z,
      double pGreater,
      double pLess,
      double candidateMedian,
      double controlMedian,
      double hodgesLehmannShift) {}

  /**
   * Compares the first {@code candidateCount} values of {@code candidate} with the first {@code
   * controlCount} values of {@code control}. Neither array is modified; values past the counts are
   * ignored, so callers can pass reused buffers.
   *
   * @param candidate candidate values; the used ones must be finite
   * @param candidateCount how many leading candidate values to use
   * @param control control values; the used ones must be finite
   * @param controlCount how many leading control values to use
   * @return statistic, p-values, medians and shift estimate
   * @throws IllegalArgumentException naming the argument, if a count is negative or exceeds its array
   *     length, or a used value is NaN or infinite (pairwise differences and midpoints of infinities
   *     can be undefined)
   */
  public static Result test(double[] candidate, int candidateCount, double[] control, int controlCount) {
    double[] x = sortedCopy(candidate, candidateCount, "candidate");
    double[] y = sortedCopy(control, controlCount, "control");
    int n1 = x.length;
    int n2 = y.length;
    double candidateMedian = median(x);
    double controlMedian = median(y);
    double shift = hodgesLehmann(x, y);
    if (n1 == 0 || n2 == 0) {
      return new Result(n1, n2, 0.0, 0.0, 1.0, 1.0, candidateMedian, controlMedian, shift);
    }

    // One merge of the sorted samples visits each group of equal values once. A candidate value in a
    // group beats every control value below the group and ties with the group's controls; counting
    // in half-units keeps U exact.
    long twiceU = 0;
    double tieSum = 0.0; // sum of t^3 - t over tie groups
    boolean ties = false;
    boolean allTied = false;
    int i = 0;
    int j = 0;
    while (i < n1 || j < n2) {
      double v = i == n1 ? y[j] : j == n2 ? x[i] : Math.min(x[i], y[j]);
      int controlsBelow = j;
      int a = 0;
      while (i < n1 && x[i] == v) {
        i++;
        a++;
      }
      int b = 0;
      while (j < n2 && y[j] == v) {
        j++;
        b++;
      }
      twiceU += (long) a * (2L * controlsBelow + b);
      long t = (long) a + b;
      if (t > 1) {
        ties = true;
        allTied = t == (long) n1 + n2;
        tieSum += (double) t * t * t - t;
      }
    }
    double u = twiceU / 2.0;

    double pairs = (double) n1 * n2;
    double n = (double) n1 + n2;
    double mean = pairs / 2.0;
    // Tie-corrected variance n1 n2 / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1))). All values tied
    // would give 0 only up to rounding, so that case is decided exactly.
    double variance = allTied ? 0.0 : pairs / 12.0 * ((n + 1.0) - tieSum / (n * (n - 1.0)));
    double deviation = u - mean;
    double z = 0.0;
    double pGreater = 1.0;
    double pLess = 1.0;
    if (variance > 0.0) {
      double sd = Math.sqrt(variance);
      z = deviation > 0.5 ? (deviation - 0.5) / sd : deviation < -0.5 ? (deviation + 0.5) / sd : 0.0;
      pGreater = Normal.sf((deviation - 0.5) / sd);
      pLess = Normal.cdf((deviation + 0.5) / sd);
    }
    if (!ties && n1 <= EXACT_MAX_SIZE && n2 <= EXACT_MAX_SIZE) {
      long[] counts = nullDistribution(n1, n2);
      int observed = (int) (twiceU / 2); // no ties, so U is an integer
      long atMost = 0;
      long atLeast = 0;
      long total = 0;
      for (int k = 0; k < counts.length; k++) {
        total += counts[k];
        if (k <= observed) {
          atMost += counts[k];
        }
        if (k >= observed) {
          atLeast += counts[k];
        }
      }
      pGreater = (double) atLeast / total;
      pLess = (double) atMost / total;
    }
    return new Result(n1, n2, u, z, pGreater, pLess, candidateMedian, controlMedian, shift);
  }

  private static double[] sortedCopy(double[] values, int count, String name) {
    checkArgument(
        count >= 0 && count <= values.length,
        "%sCount must be between 0 and %s.length (%s), got %s",
        name,
        name,
        values.length,
        count);
    double[] copy = Arrays.copyOf(values, count);
    for (int k = 0; k < count; k++) {
      if (!Double.isFinite(copy[k])) {
        throw new IllegalArgumentException(name + "[" + k + "] must be finite, got " + copy[k]);
      }
    }
    Arrays.sort(copy);
    return copy;
  }

  /**
   * Number of arrangements of m candidate and n control values (all distinct) giving each U, indexed
   * by U. The largest value is either a candidate, beating all n controls, or a control, beating none:
   * f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u). The counts sum to C(m + n, m) &lt;= C(40, 20),
   * which fits a long and converts to double exactly.
   */
  private static long[] nullDistribution(int m, int n) {
    long[][] previousRow = new long[n + 1][];
    for (int i = 0; i <= m; i++) {
      long[][] row = new long[n + 1][];
      for (int k = 0; k <= n; k++) {
        if (i == 0 || k == 0) {
          row[k] = new long[] {1};
          continue;
        }
        long[] f = new long[i * k + 1];
        long[] candidateLargest = previousRow[k];
        for (int v = 0; v < candidateLargest.length; v++) {
          f[v + k] += candidateLargest[v];
        }
        long[] controlLargest = row[k - 1];
        for (int v = 0; v < controlLargest.length; v++) {
          f[v] += controlLargest[v];
        }
        row[k] = f;
      }
      previousRow = row;
    }
    return previousRow[n];
  }

  /** Median of sorted values, NaN if empty. */
  private static double median(double[] sorted) {
    int length = sorted.length;
    if (length == 0) {
      return Double.NaN;
    }
    int mid = length / 2;
    // Halving before adding cannot overflow, and the form is symmetric under negation, so the
    // median of negated values is exactly the negated median.
    return length % 2 == 1 ? sorted[mid] : 0.5 * sorted[mid - 1] + 0.5 * sorted[mid];
  }

  private static double hodgesLehmann(double[] x, double[] y) {
    if (x.length == 0 || y.length == 0) {
      return Double.NaN;
    }
    double[] xs = x;
    double[] ys = y;
    if ((long) x.length * y.length > MAX_PAIRS) {
      xs = evenlySpaced(x, subsampleSize(x.length, y.length));
      ys = evenlySpaced(y, subsampleSize(y.length, x.length));
    }
    // a - b is exactly -(b - a) in IEEE arithmetic, so swapping the samples negates every difference.
    double[] differences = new double[xs.length * ys.length];
    int k = 0;
    for (double a : xs) {
      for (double b : ys) {
        differences[k++] = a - b;
      }
    }
    Arrays.sort(differences);
    return median(differences);
  }

  /**
   * How many values of a sample of size {@code own} to keep when paired with one of size {@code
   * other}, such that the pairs stay within {@link #MAX_PAIRS}. Symmetric in the roles of the two
   * samples, so swapping candidate and control selects the same values.
   */
  private static int subsampleSize(int own, int other) {
    int smaller = Math.min(own, other);
    if (smaller > MAX_SIDE) {
      return MAX_SIDE;
    }
    return own == smaller ? own : MAX_PAIRS / smaller;
  }

  /** k order statistics at the midpoints of k equal strata of the sorted values. */
  private static double[] evenlySpaced(double[] sorted, int k) {
    if (k >= sorted.length) {
      return sorted;
    }
    double[] picked = new double[k];
    for (int i = 0; i < k; i++) {
      picked[i] = sorted[(int) ((2L * i + 1) * sorted.length / (2L * k))];
    }
    return picked;
  }
}
