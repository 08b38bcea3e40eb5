package dev.ringfence.core.internal.stats;

import static dev.ringfence.core.testing.Properties.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import dev.ringfence.core.internal.stats.MannWhitney.Result;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Reference values come from small independent Python scripts: U by counting pairs; exact p-values by
 * enumerating every set of rank positions the candidate could occupy ({@code itertools.combinations})
 * and, for 20 x 20, from the Gaussian binomial coefficient [40 choose 20]_q with exact integer
 * polynomials (both agree with {@code scipy.stats.mannwhitneyu(method="exact")}); normal
 * approximations from the tie-corrected variance formula written out by hand (agreeing with scipy's
 * {@code method="asymptotic"}); Hodges-Lehmann shifts with {@code statistics.median} over all
 * pairwise differences.
 */
class MannWhitneyTest {

  private static final double TIGHT = 1e-12;

  @Test
  void textbookExample_exactPValue() {
    // SciPy's mannwhitneyu documentation example (ages of male and female readers): U = 17 of 20.
    double[] males = {19, 22, 16, 29, 24};
    double[] females = {20, 11, 17, 12};

    Result result = MannWhitney.test(males, males.length, females, females.length);

    assertThat(result.candidateSize()).isEqualTo(5);
    assertThat(result.controlSize()).isEqualTo(4);
    assertThat(result.u()).isEqualTo(17.0);
    // 7 of the C(9, 5) = 126 rank arrangements have U >= 17; 122 have U <= 17.
    assertThat(result.pGreater()).isCloseTo(1.0 / 18, offset(TIGHT));
    assertThat(result.pLess()).isCloseTo(61.0 / 63, offset(TIGHT));
    assertThat(result.candidateMedian()).isEqualTo(22.0);
    assertThat(result.controlMedian()).isEqualTo(14.5);
    assertThat(result.hodgesLehmannShift()).isEqualTo(7.0);
    // mean 10, variance 5 * 4 * 10 / 12, so z = (17 - 10 - 0.5) / sqrt(50 / 3).
    assertThat(result.z()).isCloseTo(6.5 / Math.sqrt(50.0 / 3), offset(TIGHT));
  }

  @Test
  void eightVersusTwelve_exactPValue() {
    double[] candidate = {3.1, 7.4, 5.5, 9.8, 6.2, 8.7, 4.9, 10.3};
    double[] control = {2.4, 5.1, 3.8, 6.0, 4.4, 1.9, 7.1, 3.3, 5.8, 2.9, 4.7, 6.6};

    Result result = MannWhitney.test(candidate, candidate.length, control, control.length);

    assertThat(result.u()).isEqualTo(76.0);
    // 1979 of the 125970 arrangements have U >= 76, 124368 have U <= 76.
    assertThat(result.pGreater()).isCloseTo(1979.0 / 125970, offset(TIGHT));
    assertThat(result.pLess()).isCloseTo(4146.0 / 4199, offset(TIGHT));
    assertThat(result.candidateMedian()).isCloseTo(6.8, offset(TIGHT));
    assertThat(result.controlMedian()).isCloseTo(4.55, offset(TIGHT));
    assertThat(result.hodgesLehmannShift()).isCloseTo(2.65, offset(TIGHT));
  }

  @Test
  void twentyVersusTwenty_exactAtTheLargestExactSize() {
    double[] candidate = new double[20];
    double[] control = new double[20];
    for (int i = 0; i < 20; i++) {
      candidate[i] = (i * 37) % 41 + 0.25 * (i % 3) + 3;
      control[i] = (i * 23) % 43 + 0.1;
    }

    Result result = MannWhitney.test(candidate, 20, control, 20);

    assertThat(result.u()).isEqualTo(239.0);
    // The normal approximation would give sf((239 - 200 - 0.5) / sqrt(1366.67)) = 0.1494.
    assertThat(result.pGreater()).isCloseTo(329576433.0 / 2188040140L, offset(TIGHT));
    assertThat(result.pLess()).isCloseTo(58971880067.0 / 68923264410L, offset(TIGHT));
  }

  @Test
  void ties_useTieCorrectedNormalApproximation() {
    double[] candidate = {1, 2, 2, 3, 3, 3, 5, 8};
    double[] control = {0, 1, 1, 2, 3, 4, 4};

    Result result = MannWhitney.test(candidate, candidate.length, control, control.length);

    assertThat(result.u()).isEqualTo(36.5);
    // Variance 72.1333 with the tie correction, against 74.667 without it.
    assertThat(result.z()).isCloseTo(0.9419372808393985, offset(TIGHT));
    assertThat(result.pGreater()).isCloseTo(0.1731123758491125, offset(TIGHT));
    assertThat(result.pLess()).isCloseTo(0.8553547704969555, offset(TIGHT));
    assertThat(result.hodgesLehmannShift()).isEqualTo(1.0);
  }

  @Test
  void sampleAboveExactSize_usesNormalApproximation() {
    double[] candidate = new double[21];
    double[] control = new double[6];
    for (int i = 0; i < candidate.length; i++) {
      candidate[i] = i * 1.5 + 0.3;
    }
    for (int i = 0; i < control.length; i++) {
      control[i] = i * 2.0 + 0.1;
    }

    Result result = MannWhitney.test(candidate, candidate.length, control, control.length);

    assertThat(result.u()).isEqualTo(104.0);
    assertThat(result.z()).isCloseTo(2.362007966255207, offset(TIGHT));
    // The exact value would be 0.0075470423296510256.
    assertThat(result.pGreater()).isCloseTo(0.009088125808799072, offset(TIGHT));
    assertThat(result.pLess()).isCloseTo(0.992246767961742, offset(TIGHT));
  }

  @Test
  void identicalSamples_showNoDifference() {
    double[] values = new double[30];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i * 7) % 30;
    }

    Result result = MannWhitney.test(values, values.length, values.clone(), values.length);

    assertThat(result.u()).isEqualTo(450.0);
    assertThat(result.z()).isEqualTo(0.0);
    // Continuity correction puts both one-sided p-values just above one half.
    assertThat(result.pGreater()).isEqualTo(result.pLess()).isBetween(0.5, 0.51);
    assertThat(result.hodgesLehmannShift()).isEqualTo(0.0);
    assertThat(result.candidateMedian()).isEqualTo(result.controlMedian()).isEqualTo(14.5);
  }

  @Test
  void clearShift_isSignificantAndEstimatedExactly() {
    double[] control = new double[50];
    double[] candidate = new double[50];
    for (int i = 0; i < 50; i++) {
      control[i] = (i * 37) % 50 * 0.5;
      candidate[i] = control[i] + 10;
    }

    Result result = MannWhitney.test(candidate, 50, control, 50);

    assertThat(result.u()).isEqualTo(2050.0);
    assertThat(result.pGreater()).isLessThan(1e-6).isCloseTo(1.7728348575716347e-08, within(1e-15));
    assertThat(result.pLess()).isGreaterThan(1 - 1e-6);
    assertThat(result.z()).isCloseTo(5.512105151836036, offset(TIGHT));
    assertThat(result.hodgesLehmannShift()).isEqualTo(10.0);
    assertThat(result.candidateMedian() - result.controlMedian()).isEqualTo(10.0);
  }

  @Test
  void emptySample_givesNoEvidence() {
    double[] control = {1, 2, 3};

    Result result = MannWhitney.test(new double[4], 0, control, 3);

    assertThat(result.candidateSize()).isZero();
    assertThat(result.u()).isZero();
    assertThat(result.z()).isZero();
    assertThat(result.pGreater()).isEqualTo(1.0);
    assertThat(result.pLess()).isEqualTo(1.0);
    assertThat(result.candidateMedian()).isNaN();
    assertThat(result.controlMedian()).isEqualTo(2.0);
    assertThat(result.hodgesLehmannShift()).isNaN();

    Result bothEmpty = MannWhitney.test(new double[0], 0, new double[0], 0);
    assertThat(bothEmpty.pGreater()).isEqualTo(1.0);
    assertThat(bothEmpty.pLess()).isEqualTo(1.0);
  }

  @Test
  void allValuesTied_givesNoEvidence() {
    double[] fives = {5, 5, 5, 5};

    Result result = MannWhitney.test(fives, 4, new double[] {5, 5, 5}, 3);

    assertThat(result.u()).isEqualTo(6.0);
    assertThat(result.z()).isZero();
    assertThat(result.pGreater()).isEqualTo(1.0);
    assertThat(result.pLess()).isEqualTo(1.0);
    assertThat(result.hodgesLehmannShift()).isZero();
  }

  @Test
  void inputs_areNotModified() {
    double[] candidate = {9, 1, 7, 3, 5, 3};
    double[] control = {4, 8, 2, 6, 0};
    double[] candidateBefore = candidate.clone();
    double[] controlBefore = control.clone();

    MannWhitney.test(candidate, candidate.length, control, control.length);

    assertThat(candidate).containsExactly(candidateBefore);
    assertThat(control).containsExactly(controlBefore);
  }

  @Test
  void counts_limitTheValuesUsed() {
    double[] candidate = {19, 22, 16, 29, 24, Double.NaN, 1e9};
    double[] control = {20, 11, 17, 12, -1e9, Double.POSITIVE_INFINITY};

    Result result = MannWhitney.test(candidate, 5, control, 4);

    assertThat(result)
        .isEqualTo(MannWhitney.test(new double[] {19, 22, 16, 29, 24}, 5, new double[] {20, 11, 17, 12}, 4));
    assertThat(result.candidateSize()).isEqualTo(5);
    assertThat(result.u()).isEqualTo(17.0);
  }

  @Test
  void badArguments_throwNamingTheArgument() {
    double[] values = {1, 2, 3};
    assertThatThrownBy(() -> MannWhitney.test(values, -1, values, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("candidateCount");
    assertThatThrownBy(() -> MannWhitney.test(values, 3, values, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("controlCount");
    assertThatThrownBy(() -> MannWhitney.test(new double[] {1, Double.NaN}, 2, values, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("candidate[1]");
    assertThatThrownBy(() -> MannWhitney.test(values, 3, new double[] {Double.NaN}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control[0]");
    assertThatThrownBy(() -> MannWhitney.test(values, 3, new double[] {0, Double.NEGATIVE_INFINITY}, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control[1]");
  }

  @Test
  void hodgesLehmann_largeSamples_subsampleCloseToAllPairs() {
    SplittableRandom random = new SplittableRandom(20240719L);
    // 600 x 2000 pairs: 500 of each sample are used. 100 x 5000: all 100, and 2500 of the 5000.
    int[][] sizes = {{600, 2000}, {100, 5000}, {5000, 100}};
    for (int[] size : sizes) {
      double[] candidate = gaussian(random, size[0], 0.7);
      double[] control = gaussian(random, size[1], 0.0);

      Result result = MannWhitney.test(candidate, candidate.length, control, control.length);

      // Sampling error over the evenly spaced order statistics is ~1e-3 for these sizes (measured in
      // Python over 20 seeds); a biased subset, such as the first 500 sorted values, is off by ~1.
      assertThat(result.hodgesLehmannShift())
          .as("sizes %s", Arrays.toString(size))
          .isCloseTo(allPairsMedian(candidate, control), offset(0.01));
    }
  }

  @Test
  void hodgesLehmann_largeShiftedCopy_isExact() {
    double[] control = new double[1000];
    double[] candidate = new double[1000];
    for (int i = 0; i < control.length; i++) {
      control[i] = (i * 389) % 1000;
      candidate[i] = control[i] + 10;
    }

    Result result = MannWhitney.test(candidate, 1000, control, 1000);

    assertThat(result.hodgesLehmannShift()).isEqualTo(10.0);
    assertThat(result.pGreater()).isLessThan(0.5);
  }

  /**
   * Swapping the samples mirrors every output. Values are small integers over a random spread, so
   * some tries have many ties (normal approximation) and some none (exact below 21 values).
   */
  @Test
  void swappingSamples_mirrorsTheResult() {
    forAll("swappingSamples_mirrorsTheResult", 42, 500, c -> {
      List<Integer> candidateRaw = c.intList("candidateRaw", 30, 0, 1_000_000);
      List<Integer> controlRaw = c.intList("controlRaw", 30, 0, 1_000_000);
      int spread = c.intBetween("spread", 1, 100_000);
      checkSwapMirrors(candidateRaw, controlRaw, spread);
    });
  }

  private static void checkSwapMirrors(List<Integer> candidateRaw, List<Integer> controlRaw, int spread) {
    double[] candidate = candidateRaw.stream().mapToDouble(v -> (v % spread) * 0.25).toArray();
    double[] control = controlRaw.stream().mapToDouble(v -> (v % spread) * 0.25 - 1).toArray();

    Result forward = MannWhitney.test(candidate, candidate.length, control, control.length);
    Result backward = MannWhitney.test(control, control.length, candidate, candidate.length);

    assertThat(backward.pGreater()).isCloseTo(forward.pLess(), offset(TIGHT));
    assertThat(backward.pLess()).isCloseTo(forward.pGreater(), offset(TIGHT));
    assertThat(backward.z()).isCloseTo(-forward.z(), offset(TIGHT));
    assertThat(backward.u()).isEqualTo((double) candidate.length * control.length - forward.u());
    if (candidate.length > 0 && control.length > 0) {
      assertThat(backward.hodgesLehmannShift()).isCloseTo(-forward.hodgesLehmannShift(), offset(TIGHT));
      assertThat(forward.hodgesLehmannShift()).isCloseTo(allPairsMedian(candidate, control), offset(TIGHT));
    }
    // Both one-sided p-values include P(U = u), so they can never both be small.
    assertThat(forward.pGreater() + forward.pLess()).isGreaterThanOrEqualTo(1.0 - TIGHT);
    assertThat(forward.pGreater()).isBetween(0.0, 1.0);
    assertThat(forward.pLess()).isBetween(0.0, 1.0);
  }

  private static double[] gaussian(SplittableRandom random, int n, double mean) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
      double r = Math.sqrt(-2 * Math.log(1 - random.nextDouble()));
      values[i] = mean + r * Math.cos(2 * Math.PI * random.nextDouble());
    }
    return values;
  }

  /** Brute-force median of every candidate - control difference. */
  private static double allPairsMedian(double[] candidate, double[] control) {
    double[] differences = new double[candidate.length * control.length];
    int k = 0;
    for (double c : candidate) {
      for (double b : control) {
        differences[k++] = c - b;
      }
    }
    Arrays.sort(differences);
    int mid = differences.length / 2;
    return differences.length % 2 == 1 ? differences[mid] : (differences[mid - 1] + differences[mid]) / 2;
  }
}
