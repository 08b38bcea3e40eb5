package dev.ringfence.core.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Time arithmetic that saturates instead of overflowing: clocks set near the end of time, limits of "forever". */
final class Times {

  private Times() {}

  static long millis(Instant instant) {
    try {
      return instant.toEpochMilli();
    } catch (ArithmeticException e) {
      return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    // Overflow only if both have the same sign and the sum's sign differs.
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return sum;
  }

  /** {@code a + b}, or the longest duration when that overflows (a limit of "forever" is a valid setting). */
  static Duration saturatedPlus(Duration a, Duration b) {
    try {
      return a.plus(b);
    } catch (ArithmeticException e) {
      return ChronoUnit.FOREVER.getDuration();
    }
  }

  /** {@code at + d}, or {@link Instant#MAX} when that is beyond it. */
  static Instant saturatedPlus(Instant at, Duration d) {
    try {
      return at.plus(d);
    } catch (ArithmeticException | DateTimeException e) {
      return Instant.MAX;
    }
  }
}
