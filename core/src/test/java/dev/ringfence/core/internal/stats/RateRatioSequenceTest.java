package dev.ringfence.core.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The mixture sequential test of a rate ratio: its arithmetic, its error rate and its interval. */
class RateRatioSequenceTest {

  /** The probability that a failure is the candidate's, given the ratio and the share at risk. */
  private static double p(double ratio, double share) {
    return ratio * share / (ratio * share + 1 - share);
  }

  /** Feeds one failure, the candidate's with probability {@code p(ratio, share)}. */
  private static void oneFailure(RateRatioSequence test, SplittableRandom random, double ratio, double share) {
    boolean candidate = random.nextDouble() < p(ratio, share);
    test.update(candidate ? 1 : 0, candidate ? 0 : 1, share);
  }

  @Test
  void twoCandidateFailures_matchTheMixtureWorkedByHand() {
    RateRatioSequence test = new RateRatioSequence(2);
    test.update(1, 0, 0.01);
    test.update(1, 0, 0.01);
    double p0 = p(2, 0.01);
    double sum = 0;
    for (int k = 1; k <= RateRatioSequence.COMPONENTS; k++) {
      double pk = p(2 * Math.pow(2, k / 2.0), 0.01);
      sum += Math.pow(pk / p0, 2) / RateRatioSequence.COMPONENTS;
    }
    assertThat(test.logEValue()).isCloseTo(Math.log(sum), offset(1e-9));
    // Two failures, both the candidate's, with 1% of the fleet at risk: already past 1/α at α = 1%.
    assertThat(test.logEValue()).isGreaterThan(Math.log(100));
    assertThat(test.candidateFailures()).isEqualTo(2);
  }

  @Test
  void aBatchIsTheSameAsItsFailuresOneByOne() {
    RateRatioSequence batched = new RateRatioSequence(1.5);
    batched.update(3, 5, 0.2);
    RateRatioSequence single = new RateRatioSequence(1.5);
    for (int i = 0; i < 3; i++) {
      single.update(1, 0, 0.2);
    }
    for (int i = 0; i < 5; i++) {
      single.update(0, 1, 0.2);
    }
    assertThat(batched.logEValue()).isCloseTo(single.logEValue(), offset(1e-9));
    assertThat(batched.lowerBound(0.05)).isEqualTo(single.lowerBound(0.05));
  }

  @Test
  void failuresInProportionToTimeAtRisk_neverCrossTheThreshold() {
    RateRatioSequence test = new RateRatioSequence(2);
    for (int i = 0; i < 1_000; i++) {
      test.update(1, 9, 0.1); // exactly the share at risk: ratio 1
    }
    assertThat(test.logEValue()).isLessThan(-10);
    assertThat(test.lowerBound(0.01)).isLessThanOrEqualTo(1.0);
    assertThat(test.upperBound(0.01)).isGreaterThanOrEqualTo(1.0).isLessThanOrEqualTo(2.0);
  }

  @Test
  void estimate_isMantelHaenszelOverTheBatches() {
    RateRatioSequence test = new RateRatioSequence(2);
    assertThat(test.estimate()).isNaN();
    test.update(2, 1, 0.5);
    test.update(1, 9, 0.1);
    // (2·0.5 + 1·0.9) / (1·0.5 + 9·0.1)
    assertThat(test.estimate()).isCloseTo(1.9 / 1.4, offset(1e-12));
    RateRatioSequence onlyCandidate = new RateRatioSequence(2);
    onlyCandidate.update(3, 0, 0.01);
    assertThat(onlyCandidate.estimate()).isInfinite();
  }

  @Test
  void emptyArms_tellNothing() {
    RateRatioSequence test = new RateRatioSequence(2);
    test.update(5, 0, 1.0); // no control at risk
    test.update(0, 5, 0.0); // no candidate at risk
    test.update(0, 0, 0.5);
    assertThat(test.logEValue()).isZero();
    assertThat(test.batches()).isZero();
    assertThat(test.lowerBound(0.01)).isZero();
    assertThat(test.upperBound(0.01)).isInfinite();
  }

  @Test
  void badArguments_areRefused() {
    assertThatThrownBy(() -> new RateRatioSequence(0.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nullRatio 0.5");
    assertThatThrownBy(() -> new RateRatioSequence(2).update(-1, 0, 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }

  /**
   * Ville's inequality, checked: at the null's edge (the candidate fails exactly {@code margin} times as
   * often), looking after every failure for 1,000 failures, the share of runs that ever cross {@code
   * ln(1/α)} stays under α. Seeded, so the count is the same on every run.
   */
  @Test
  void atTheMargin_everCrossingStaysUnderAlpha() {
    SplittableRandom random = new SplittableRandom(20261202);
    double alpha = 0.05;
    int runs = 1_000;
    int crossed = 0;
    for (int run = 0; run < runs; run++) {
      RateRatioSequence test = new RateRatioSequence(2);
      for (int i = 0; i < 1_000; i++) {
        // The share at risk drifts, as rings open: from 1% to 50%.
        double share = 0.01 + 0.49 * i / 1_000.0;
        oneFailure(test, random, 2, share);
        if (test.logEValue() >= Math.log(1 / alpha)) {
          crossed++;
          break;
        }
      }
    }
    assertThat(crossed).isLessThan((int) (alpha * runs));
  }

  /** The interval holds the true ratio at every look, in at least 1 - α of the runs. */
  @Test
  void theInterval_coversTheTrueRatioAtEveryLook() {
    SplittableRandom random = new SplittableRandom(7);
    double alpha = 0.05;
    int runs = 400;
    int missed = 0;
    for (int run = 0; run < runs; run++) {
      RateRatioSequence test = new RateRatioSequence(2);
      boolean covered = true;
      for (int i = 0; i < 500 && covered; i++) {
        oneFailure(test, random, 6, 0.1);
        covered = test.lowerBound(alpha) <= 6 && test.upperBound(alpha) >= 6;
      }
      if (covered) {
        assertThat(test.lowerBound(alpha)).isGreaterThanOrEqualTo(2); // 500 failures pin a ratio of 6 well
        assertThat(test.upperBound(alpha)).isLessThanOrEqualTo(16);
      } else {
        missed++;
      }
    }
    assertThat(missed).isLessThan((int) (alpha * runs));
  }
}
