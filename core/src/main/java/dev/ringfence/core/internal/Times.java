package dev.ringfence.core.internal;

import java.time.Instant;

/** Millisecond arithmetic that saturates instead of overflowing, for clocks set near the end of time. */
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
}
