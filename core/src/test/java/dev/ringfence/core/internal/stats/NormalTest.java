package dev.ringfence.core.internal.stats;

import static dev.ringfence.core.testing.Properties.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reference values are 0.5 * erfc(z / sqrt(2)) evaluated with mpmath at 50 significant digits on the
 * exact decimal z, rounded to double; Python's {@code math.erfc} agrees to its own accuracy (it rounds
 * z / sqrt(2) first, so it drifts by ~1e-14 relative in the far tail). Quantile references are mpmath
 * roots of cdf(x) = p, which {@code statistics.NormalDist().inv_cdf} matches to the last digit or two.
 */
class NormalTest {

  /** Relative tolerance for tail values: Cody's approximations are good to ~1e-15 relative. */
  private static final double RELATIVE = 5e-15;

  /** Cases per property check. */
  private static final int TRIES = 1000;

  @ParameterizedTest(name = "sf({0}) = {1}")
  @CsvSource({
    "0, 0.5",
    "0.3, 0.3820885778110474",
    "0.6, 0.2742531177500736",
    // Either side of Cody's first break, x = 0.46875 with x = z / sqrt(2).
    "0.66291, 0.25369409838973994",
    "1, 0.15865525393145705",
    "1.959963984540054, 0.025000000000000012",
    "2.5, 0.006209665325776135",
    "3.7, 0.00010779973347738826",
    "5, 2.866515718791939e-07",
    // Cody's second break, x = 4.
    "5.656854249492381, 7.708628950139992e-09",
    "6, 9.86587645037698e-10",
    "8.5, 9.479534822203318e-18",
    "10, 7.619853024160525e-24",
    "20, 2.7536241186062337e-89",
    "30, 4.906713927148187e-198",
    "37, 5.725571222524577e-300",
    // z * z is not a double here; exp(-z * z / 2) would be off by ~3e-14 relative.
    "26.789, 2.170300613606682e-158",
    "33.3, 1.93050550592784e-243",
    "36.123, 4.938881482692821e-286",
  })
  void sf_positiveZ_matchesHighPrecisionReference(double z, double expected) {
    // Relative, not absolute: 1 - cdf(z) would be 0 from z = 8.3 on and fail every row past it.
    assertThat(Normal.sf(z)).isCloseTo(expected, within(expected * RELATIVE));
    assertThat(Normal.cdf(-z)).isCloseTo(expected, within(expected * RELATIVE));
  }

  @ParameterizedTest(name = "cdf({0}) = {1}")
  @CsvSource({
    "0, 0.5",
    "1, 0.8413447460685429",
    "1.959963984540054, 0.975",
    "-1, 0.15865525393145705",
    "-3, 0.0013498980316300946",
    "-8.2, 1.2019351542735859e-16",
    "3.7, 0.9998922002665226",
    "5, 0.9999997133484281",
  })
  void cdf_matchesHighPrecisionReference(double z, double expected) {
    assertThat(Normal.cdf(z)).isCloseTo(expected, within(Math.max(2e-16, expected * RELATIVE)));
  }

  @Test
  void sf_negativeZ_isOneMinusTheSmallTail() {
    assertThat(Normal.sf(-3)).isCloseTo(0.9986501019683699, offset(2e-16));
    assertThat(Normal.sf(-10)).isEqualTo(1.0);
  }

  @Test
  void extremes_andNaN() {
    assertThat(Normal.cdf(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(Normal.cdf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    assertThat(Normal.sf(Double.POSITIVE_INFINITY)).isEqualTo(0.0);
    assertThat(Normal.sf(Double.NEGATIVE_INFINITY)).isEqualTo(1.0);
    // The upper tail keeps going into the subnormals and underflows only below 4.9e-324.
    assertThat(Normal.sf(37.5)).isCloseTo(4.605353009581955e-308, within(4.605353009581955e-308 * RELATIVE));
    assertThat(Normal.sf(38)).isEqualTo(2.88542835e-316);
    assertThat(Normal.sf(38.4)).isEqualTo(6.4e-323);
    assertThat(Normal.sf(38.5)).isEqualTo(0.0);
    assertThat(Normal.cdf(Double.NaN)).isNaN();
    assertThat(Normal.sf(Double.NaN)).isNaN();
  }

  @Test
  void cdf_isSymmetric() {
    forAll("cdf_isSymmetric", 42, TRIES, c -> {
      double z = c.doubleBetween("z", -40, 40, true);
      assertThat(Normal.cdf(z) + Normal.cdf(-z)).isCloseTo(1.0, offset(3e-16));
      assertThat(Normal.sf(z)).isEqualTo(Normal.cdf(-z));
    });
  }

  @Test
  void cdf_isMonotone() {
    forAll("cdf_isMonotone", 42, TRIES, c -> {
      double z = c.doubleBetween("z", -12, 12, true);
      // Guards the seams between Cody's intervals, where a wrong coefficient would show as a step.
      double next = z + 1e-9;
      assertThat(Normal.cdf(next)).isGreaterThanOrEqualTo(Normal.cdf(z));
      assertThat(Normal.cdf(next) - Normal.cdf(z)).isCloseTo((next - z) * density(z), offset(5e-16));
    });
  }

  @ParameterizedTest(name = "quantile({0}) = {1}")
  @CsvSource({
    "0.5, 0.0",
    "0.975, 1.9599639845400538",
    "0.9, 1.2815515655446006",
    "0.3, -0.5244005127080408",
    "0.02425, -1.972961051311885",
    "0.01, -2.326347874040841",
    "1e-10, -6.361340902404057",
    "1e-300, -37.0470962993612",
    "0.99999, 4.264890793923841",
    "0.999999999999, 7.0344869100478356",
  })
  void quantile_matchesHighPrecisionReference(double p, double expected) {
    // Acklam alone is off by up to ~1e-9 relative; only the Halley step gets within this.
    assertThat(Normal.quantile(p)).isCloseTo(expected, offset(1e-13 * Math.max(1.0, Math.abs(expected))));
  }

  @Test
  void quantile_invertsCdf() {
    forAll("quantile_invertsCdf", 42, TRIES, c -> {
      double z = c.doubleBetween("z", -37, 3, true);
      // Above z = 3 the double nearest cdf(z) no longer pins z down to 1e-12: its spacing near 1 is
      // 1.1e-16, which is a step of 1.1e-16 / density(z) in z.
      assertThat(Normal.quantile(Normal.cdf(z))).isCloseTo(z, offset(1e-12));
    });
  }

  @Test
  void quantile_isAntisymmetric() {
    forAll("quantile_isAntisymmetric", 42, TRIES, c -> {
      double p = c.doubleBetween("p", 0.5, 1, false);
      assertThat(Normal.quantile(p)).isEqualTo(-Normal.quantile(1.0 - p));
    });
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 1.0, -0.1, 1.5, Double.NaN, Double.NEGATIVE_INFINITY})
  void quantile_outsideOpenUnitInterval_throwsNamingP(double p) {
    assertThatThrownBy(() -> Normal.quantile(p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("p must be in (0, 1)");
  }

  private static double density(double z) {
    return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  }
}
