package dev.ringfence.core.internal;

import java.time.Clock;

/**
 * The engine's own millisecond timeline for deadlines kept in memory: the injected clock with every backward
 * step removed. Forward steps count in full (the engine cannot tell a clock that jumped a day from a day that
 * passed); a backward step counts as no time at all, and the timeline goes on from there at the clock's pace.
 * So a clock set back by an hour neither delays nor hastens a silence deadline, and deadlines taken in
 * admission order stay in that order.
 *
 * <p>Only what lives in memory runs on it: journaled instants stay the clock's, and so do the durations measured
 * from them (bake time), which survive restarts. A new timeline starts at the clock's reading.
 */
final class Timeline {

  private final Clock clock;
  // Guarded by this.
  private long lastClockMillis;
  private long millis;
  /** The timeline minus the clock at the last synchronized reading: what {@link #approxMillis} adds. */
  private volatile long offset;

  Timeline(Clock clock) {
    this.clock = clock;
    this.lastClockMillis = Times.millis(clock.instant());
    this.millis = lastClockMillis;
  }

  /** @return now on the timeline; never less than an earlier reading */
  synchronized long millis() {
    long now = Times.millis(clock.instant());
    if (now > lastClockMillis) {
      long step = now - lastClockMillis;
      millis = Times.saturatedAdd(millis, step < 0 ? Long.MAX_VALUE : step); // step < 0: the subtraction overflowed
    }
    lastClockMillis = now;
    offset = millis - now;
    return millis;
  }

  /**
   * Now on the timeline without taking its lock, for the signal path: the clock plus the offset of the last
   * {@link #millis} call. Behind the true timeline by a backward step not yet seen by {@link #millis} (the
   * engine calls it every tick), never ahead of it.
   *
   * @return an approximation of {@link #millis}, at most one backward step behind
   */
  long approxMillis() {
    return Times.saturatedAdd(Times.millis(clock.instant()), offset);
  }
}
