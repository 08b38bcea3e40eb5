package dev.ringfence.core.internal.stats;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The standard normal distribution: CDF, upper tail and quantile in double precision.
 *
 * <p>{@link #cdf} and {@link #sf} use W. J. Cody's rational Chebyshev approximations for erf and erfc
 * ("Rational Chebyshev approximations for the error function", Math. Comp. 23, 1969; the coefficients
 * of Netlib SPECFUN {@code CALERF}), whose relative error is near machine precision on each of its
 * three intervals. Both tails are computed directly, so the upper tail of a large {@code z} keeps
 * full relative precision down to the subnormal range instead of cancelling in {@code 1 - cdf(z)}.
 * {@link #quantile} is P. J. Acklam's rational approximation (relative error 1.15e-9) polished with
 * one Halley step against {@link #cdf}.
 */
public final class Normal {

  /** 1/sqrt(2): Cody's approximations are for erfc(x) with x = z/sqrt(2). */
  private static final double FRAC_1_SQRT_2 = 0.70710678118654752440;
  /** 1/sqrt(pi), the leading term of the asymptotic expansion of erfc. */
  private static final double FRAC_1_SQRT_PI = 0.56418958354775628695;
  /** 1/sqrt(2 pi), the normal density at 0. */
  private static final double FRAC_1_SQRT_2PI = 0.39894228040143267794;
  /** Beyond this |z| the upper tail is below the smallest subnormal double. */
  private static final double TAIL_UNDERFLOW = 40.0;

  // Cody: erf(x) = x A(x^2) / B(x^2) for |x| <= 0.46875.
  private static final double[] A = {
    3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
    3.20937758913846947e03, 1.85777706184603153e-1,
  };
  private static final double[] B = {
    2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
    2.84423683343917062e03,
  };
  // Cody: erfc(x) = exp(-x^2) C(x) / D(x) for 0.46875 < x <= 4.
  private static final double[] C = {
    5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
    2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
    2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8,
  };
  private static final double[] D = {
    1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
    1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
    3.43936767414372164e03, 1.23033935480374942e03,
  };
  // Cody: erfc(x) = exp(-x^2) / x (1/sqrt(pi) + P(1/x^2) / (x^2 Q(1/x^2))) for x > 4.
  private static final double[] P = {
    3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
    1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2,
  };
  private static final double[] Q = {
    2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
    6.05183413124413191e-2, 2.33520497626869185e-3,
  };

  // Acklam's inverse normal CDF: central region |p - 0.5| <= 0.5 - P_LOW ...
  private static final double[] ACKLAM_A = {
    -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
    1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
  };
  private static final double[] ACKLAM_B = {
    -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
    6.680131188771972e+01, -1.328068155288572e+01,
  };
  // ... and the tail region p < P_LOW.
  private static final double[] ACKLAM_C = {
    -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
    -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
  };
  private static final double[] ACKLAM_D = {
    7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
    3.754408661907416e+00,
  };
  private static final double P_LOW = 0.02425;

  private Normal() {}

  /**
   * The standard normal CDF, P(Z &lt;= z). Returns NaN for NaN, 0 and 1 at the infinities.
   *
   * @param z the point at which to evaluate
   * @return the lower tail probability, accurate to about 1e-16 absolute and, for z &lt; 0, about
   *     1e-15 relative
   */
  public static double cdf(double z) {
    return sf(-z);
  }

  /**
   * The standard normal upper tail (survival function), P(Z &gt; z) = 1 - cdf(z), computed without
   * forming {@code 1 - cdf(z)}. Returns NaN for NaN, 1 and 0 at the infinities.
   *
   * @param z the point at which to evaluate
   * @return the upper tail probability, accurate to about 1e-16 absolute and, for z &gt; 0, about
   *     1e-15 relative until it underflows near z = 38.5
   */
  public static double sf(double z) {
    if (Double.isNaN(z)) {
      return Double.NaN;
    }
    double x = Math.abs(z) * FRAC_1_SQRT_2;
    if (x <= 0.46875) {
      // Near 0 erf is the accurate quantity; the tails are not small here, so 0.5 - erf/2 is fine.
      double xx = x * x;
      double num = A[4] * xx;
      double den = xx;
      for (int i = 0; i < 3; i++) {
        num = (num + A[i]) * xx;
        den = (den + B[i]) * xx;
      }
      double erf = z * FRAC_1_SQRT_2 * (num + A[3]) / (den + B[3]);
      return 0.5 - 0.5 * erf;
    }
    double halfErfc = 0.5 * erfcScaled(x) * expMinusHalfSquare(Math.abs(z));
    return z > 0 ? halfErfc : 1.0 - halfErfc;
  }

  /**
   * The standard normal quantile (inverse CDF): the z with cdf(z) = p.
   *
   * <p>Acklam's approximation plus one Halley step: the step makes the result as accurate as
   * {@link #cdf} allows, about 1e-15 relative. For subnormal p the normal density itself is
   * subnormal, so the step is skipped and Acklam's 1.15e-9 relative error stands.
   *
   * @param p a probability strictly between 0 and 1
   * @return the quantile, antisymmetric: quantile(1 - p) = -quantile(p) whenever 1 - p is exact
   * @throws IllegalArgumentException if p is not in (0, 1), including NaN
   */
  public static double quantile(double p) {
    checkArgument(p > 0.0 && p < 1.0, "p must be in (0, 1), got %s", p);
    // 1 - p is exact for p in [0.5, 1) (Sterbenz), so working in the lower half loses nothing and
    // keeps the upper tail as precise as the lower one.
    return p > 0.5 ? -lowerQuantile(1.0 - p) : lowerQuantile(p);
  }

  /** Quantile for p in (0, 0.5]; the result is &lt;= 0. */
  private static double lowerQuantile(double p) {
    double x;
    if (p < P_LOW) {
      double q = Math.sqrt(-2.0 * Math.log(p));
      x = (((((ACKLAM_C[0] * q + ACKLAM_C[1]) * q + ACKLAM_C[2]) * q + ACKLAM_C[3]) * q
                  + ACKLAM_C[4]) * q + ACKLAM_C[5])
          / ((((ACKLAM_D[0] * q + ACKLAM_D[1]) * q + ACKLAM_D[2]) * q + ACKLAM_D[3]) * q + 1.0);
    } else {
      double q = p - 0.5;
      double r = q * q;
      x = (((((ACKLAM_A[0] * r + ACKLAM_A[1]) * r + ACKLAM_A[2]) * r + ACKLAM_A[3]) * r
                  + ACKLAM_A[4]) * r + ACKLAM_A[5]) * q
          / (((((ACKLAM_B[0] * r + ACKLAM_B[1]) * r + ACKLAM_B[2]) * r + ACKLAM_B[3]) * r
                  + ACKLAM_B[4]) * r + 1.0);
    }
    double density = FRAC_1_SQRT_2PI * expMinusHalfSquare(x);
    if (p >= Double.MIN_NORMAL && density > 0.0) {
      // Halley's method on f(x) = cdf(x) - p: f' = density, f''/f' = -x. cdf(x) for x <= 0 is a
      // directly computed lower tail, so the residual keeps its relative precision far out.
      double u = (cdf(x) - p) / density;
      x -= u / (1.0 + 0.5 * x * u);
    }
    return x;
  }

  /** erfc(x) exp(x^2) for x &gt; 0.46875, from Cody's second and third approximations. */
  private static double erfcScaled(double x) {
    if (x <= 4.0) {
      double num = C[8] * x;
      double den = x;
      for (int i = 0; i < 7; i++) {
        num = (num + C[i]) * x;
        den = (den + D[i]) * x;
      }
      return (num + C[7]) / (den + D[7]);
    }
    double inv = 1.0 / (x * x);
    double num = P[5] * inv;
    double den = inv;
    for (int i = 0; i < 4; i++) {
      num = (num + P[i]) * inv;
      den = (den + Q[i]) * inv;
    }
    return (FRAC_1_SQRT_PI - inv * (num + P[4]) / (den + Q[4])) / x;
  }

  /**
   * exp(-a^2 / 2) for a &gt;= 0, without the error of rounding a^2: exp amplifies the absolute error
   * of its argument into relative error, which would be ~1e-13 near a = 37. Splitting a into a
   * multiple of 1/16 (whose square is exact) and a small remainder keeps it near 1e-16.
   */
  private static double expMinusHalfSquare(double a) {
    double abs = Math.abs(a);
    if (!(abs < TAIL_UNDERFLOW)) {
      return 0.0;
    }
    double whole = Math.floor(abs * 16.0) / 16.0;
    double rest = (abs - whole) * (abs + whole);
    return Math.exp(-0.5 * whole * whole) * Math.exp(-0.5 * rest);
  }
}
