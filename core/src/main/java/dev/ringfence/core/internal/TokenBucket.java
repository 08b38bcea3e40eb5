package dev.ringfence.core.internal;

import java.time.Clock;

/**
 * Velocity limit: at most {@code perHour} new admissions per hour on average, with a burst of at most
 * one hour's budget. Time comes from the injected clock; a clock that goes backwards refills nothing.
 * Admissions are off the common decision path, so a monitor is cheap enough here.
 */
final class TokenBucket {

  private static final long MILLIS_PER_HOUR = 3_600_000L;

  private final Clock clock;
  /** Capacity in micro-units: one token is MILLIS_PER_HOUR units, each elapsed milli adds perHour units. */
  private final long capacity;
  private final long perHour;
  private long units;
  private long lastMillis;

  TokenBucket(Clock clock, long perHour, long recentlyUsed) {
    this.clock = clock;
    this.perHour = perHour;
    this.capacity = Math.multiplyExact(perHour, MILLIS_PER_HOUR);
    this.units = Math.max(0, capacity - Math.multiplyExact(Math.min(recentlyUsed, perHour), MILLIS_PER_HOUR));
    this.lastMillis = Times.millis(clock.instant());
  }

  synchronized boolean tryAcquire() {
    refill();
    if (units < MILLIS_PER_HOUR) {
      return false;
    }
    units -= MILLIS_PER_HOUR;
    return true;
  }

  synchronized void refund() {
    units = Math.min(capacity, units + MILLIS_PER_HOUR);
  }

  private void refill() {
    long now = Times.millis(clock.instant());
    if (now > lastMillis) {
      long elapsed = now - lastMillis;
      // Saturate: a long pause refills to capacity without overflowing.
      units = elapsed >= MILLIS_PER_HOUR ? capacity : Math.min(capacity, units + elapsed * perHour);
      lastMillis = now;
    }
  }
}
