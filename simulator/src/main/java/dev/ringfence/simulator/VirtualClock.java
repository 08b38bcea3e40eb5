package dev.ringfence.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when told to, so that a simulated day runs in milliseconds and every run
 * with the same seed prints the same timestamps. Not thread-safe: the demo drives it from one thread.
 */
public final class VirtualClock extends Clock {

  private Instant now;

  /**
   * Creates a clock standing still at an instant.
   *
   * @param start the first instant the clock reads
   */
  public VirtualClock(Instant start) {
    this.now = start;
  }

  /**
   * Moves the clock forward.
   *
   * @param step how far; not negative
   */
  public void advance(Duration step) {
    if (step.isNegative()) {
      throw new IllegalArgumentException("a virtual clock only moves forward, not by " + step);
    }
    now = now.plus(step);
  }

  /**
   * Jumps the clock forward to an instant.
   *
   * @param instant the new time; not before the current one
   */
  public void set(Instant instant) {
    if (instant.isBefore(now)) {
      throw new IllegalArgumentException("a virtual clock only moves forward, not back to " + instant);
    }
    now = instant;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** @return a view in another zone that moves with this clock */
  @Override
  public Clock withZone(ZoneId zone) {
    if (zone.equals(getZone())) {
      return this;
    }
    VirtualClock source = this;
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return zone;
      }

      @Override
      public Clock withZone(ZoneId other) {
        return source.withZone(other);
      }

      @Override
      public Instant instant() {
        return source.instant();
      }
    };
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public String toString() {
    return "VirtualClock[" + now + "]";
  }
}
