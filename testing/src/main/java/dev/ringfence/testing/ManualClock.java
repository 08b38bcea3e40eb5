package dev.ringfence.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} that a test moves by hand, for every Ringfence type that takes a clock (the engine, the
 * agent, the update server). It stands still until {@link #advance advanced} or {@link #set set}, may be
 * set backwards (to test clock jumps), and is safe to read from any thread while one thread moves it.
 * Always UTC: {@link #withZone} returns this clock, since Ringfence reads instants only.
 */
public final class ManualClock extends Clock {

  private volatile Instant now;

  /**
   * A clock standing at an instant.
   *
   * @param start the first instant it reads
   */
  public ManualClock(Instant start) {
    this.now = requireNonNull(start, "start");
  }

  /**
   * A clock standing at an instant given in ISO-8601.
   *
   * @param instant e.g. {@code "2024-07-19T04:09:00Z"}
   * @return the clock
   * @throws java.time.format.DateTimeParseException if {@code instant} is not an ISO-8601 instant
   */
  public static ManualClock at(String instant) {
    return new ManualClock(Instant.parse(requireNonNull(instant, "instant")));
  }

  /**
   * Moves the clock by a duration; a negative one moves it back.
   *
   * @param duration how far
   */
  public void advance(Duration duration) {
    now = now.plus(requireNonNull(duration, "duration"));
  }

  /**
   * Sets the clock to an instant, before or after the current one.
   *
   * @param instant the new time
   */
  public void set(Instant instant) {
    now = requireNonNull(instant, "instant");
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public String toString() {
    return "ManualClock[" + now + "]";
  }
}
