package dev.ringfence.core.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StratifiedShiftTest {

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /** Growing samples: each window adds candidate and control values; returns whether a look ever excluded 0. */
  private static boolean everExcludesZero(long seed, double shift, double alpha, double[] drift) {
    SplittableRandom random = new SplittableRandom(seed);
    int windows = drift.length;
    double[] x = new double[0];
    int[] xw = new int[0];
    double[] y = new double[0];
    int[] yw = new int[0];
    for (int w = 0; w < windows; w++) {
      int nx = 5 + w * 3; // the candidate grows ring by ring; the control is steady
      int ny = 60;
      x = Arrays.copyOf(x, x.length + nx);
      xw = Arrays.copyOf(xw, xw.length + nx);
      for (int i = x.length - nx; i < x.length; i++) {
        x[i] = drift[w] + shift + gaussian(random);
        xw[i] = w;
      }
      y = Arrays.copyOf(y, y.length + ny);
      yw = Arrays.copyOf(yw, yw.length + ny);
      for (int i = y.length - ny; i < y.length; i++) {
        y[i] = drift[w] + gaussian(random);
        yw[i] = w;
      }
      StratifiedShift.Result r = StratifiedShift.compare(x, xw, y, yw, alpha);
      if (r.candidateCount() >= 20 && (r.lower() > 0 || r.upper() < 0)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void underTheNull_theIntervalExcludesZeroAtAnyLook_atMostAlphaOfTheTime_evenWhenTheMetricDrifts() {
    double[] drift = new double[20];
    for (int w = 0; w < drift.length; w++) {
      drift[w] = 0.3 * w; // a metric that climbs through the day: the candidate grows late, so pooling would fail
    }
    int runs = 1_000;
    int excluded = 0;
    for (long seed = 1; seed <= runs; seed++) {
      excluded += everExcludesZero(seed, 0, 0.05, drift) ? 1 : 0;
    }
    assertThat(excluded).as("runs whose interval ever excluded 0, of %d, at α 0.05 over 20 looks", runs)
        .isLessThanOrEqualTo(50);
  }

  @Test
  void halfAStandardDeviation_isFound_andTheIntervalHoldsIt() {
    double[] flat = new double[20];
    int found = 0;
    for (long seed = 1; seed <= 100; seed++) {
      found += everExcludesZero(seed, 0.5, 0.002, flat) ? 1 : 0;
    }
    assertThat(found).isGreaterThanOrEqualTo(95);
    SplittableRandom random = new SplittableRandom(3);
    double[] x = new double[400];
    double[] y = new double[2000];
    for (int i = 0; i < x.length; i++) {
      x[i] = 20 + 2.5 + 5 * gaussian(random);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = 20 + 5 * gaussian(random);
    }
    StratifiedShift.Result r = StratifiedShift.compare(x, new int[x.length], y, new int[y.length], 0.002);
    assertThat(r.estimate()).isBetween(1.8, 3.2);
    assertThat(r.lower()).isGreaterThan(0.5).isLessThan(r.estimate());
    assertThat(r.upper()).isGreaterThan(r.estimate()).isLessThan(5);
    assertThat(r.controlMedian()).isBetween(19.5, 20.5);
    assertThat(r.candidateCount()).isEqualTo(400);
    assertThat(r.controlCount()).isEqualTo(2000);
  }

  @Test
  void windowsWithoutTheOtherArm_areLeftOut_andTiesAreNoShift() {
    StratifiedShift.Result r = StratifiedShift.compare(new double[] {1, 2, 3}, new int[] {0, 0, 1},
        new double[] {1, 2}, new int[] {0, 2}, 0.01);
    assertThat(r.candidateCount()).isEqualTo(2);
    assertThat(r.controlCount()).isEqualTo(1);
    StratifiedShift.Result tied = StratifiedShift.compare(new double[] {5, 5}, new int[2], new double[] {5, 5, 5},
        new int[3], 0.01);
    assertThat(tied.estimate()).isZero();
    assertThat(StratifiedShift.compare(new double[0], new int[0], new double[] {1}, new int[1], 0.01)
        .candidateCount()).isZero();
    assertThatThrownBy(() -> StratifiedShift.compare(new double[1], new int[0], new double[0], new int[0], 0.01))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ in length");
    assertThatThrownBy(() -> StratifiedShift.compare(new double[0], new int[0], new double[0], new int[0], 1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha: 1.5");
  }

  @Test
  void boundary_isNearFourForTheProbesAlpha_overAWideRangeOfSampleSizes() {
    for (double t : new double[] {50, 200, 1_000}) {
      assertThat(StratifiedShift.boundary(t, 0.002)).isBetween(3.9, 4.6);
    }
    assertThat(StratifiedShift.boundary(10, 0.002)).isGreaterThan(StratifiedShift.boundary(100, 0.002));
  }
}
