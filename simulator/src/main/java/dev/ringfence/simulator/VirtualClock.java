package dev.ringfence.simulator;

import static com.google.common.base.Preconditions.checkArgument;

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

  /** The simulated time, one for a clock and its views in other zones, as they must move together. */
  private static final class Time {
    private Instant now;

    private Time(Instant start) {
      this.now = start;
    }
  }

  private final Time time;
  private final ZoneId zone;

  /**
   * Creates a clock standing still at an instant, in UTC.
   *
   * @param start the first instant the clock reads
   */
  public VirtualClock(Instant start) {
    this(new Time(start), ZoneOffset.UTC);
  }

  private VirtualClock(Time time, ZoneId zone) {
    this.time = time;
    this.zone = zone;
  }

  /**
   * Moves the clock forward.
   *
   * @param step how far; not negative
   * @throws IllegalArgumentException if {@code step} is negative
   */
  public void advance(Duration step) {
    checkArgument(!step.isNegative(), "a virtual clock only moves forward, not by %s", step);
    time.now = time.now.plus(step);
  }

  /**
   * Jumps the clock forward to an instant.
   *
   * @param instant the new time; not before the current one
   * @throws IllegalArgumentException if {@code instant} is before the current time
   */
  public void set(Instant instant) {
    checkArgument(!instant.isBefore(time.now), "a virtual clock only moves forward, not back to %s", instant);
    time.now = instant;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** @return a view in another zone that moves with this clock (and moves it, if advanced) */
  @Override
  public Clock withZone(ZoneId other) {
    return other.equals(zone) ? this : new VirtualClock(time, other);
  }

  @Override
  public Instant instant() {
    return time.now;
  }

  @Override
  public String toString() {
    return "VirtualClock[" + time.now + "]";
  }
}
