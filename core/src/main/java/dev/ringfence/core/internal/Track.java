package dev.ringfence.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the engine keeps per endpoint it tracks: the ring it was admitted in (or {@link #CONTROL}),
 * the newest {@code (bootId, sequence)} accepted from it, its health status and, for the candidate
 * arm, its silence deadline. Updated with compare-and-set only.
 */
final class Track {

  static final int CONTROL = -1;

  static final int PENDING = 0;
  static final int HEALTHY = 1;
  static final int CRASHED = 2;
  static final int FAILED_APPLY = 3;
  static final int SILENT = 4;
  static final int REVERTED_BY_AGENT = 5;
  static final int STATUSES = 6;

  private static final VarHandle LAST_ORDER;
  private static final VarHandle STATUS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LAST_ORDER = lookup.findVarHandle(Track.class, "lastOrder", long.class);
      STATUS = lookup.findVarHandle(Track.class, "status", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final int ring;
  final long deadlineMillis;
  /** Newest accepted (bootId << 32 | sequence), compared unsigned; -1 (all ones) means none yet. */
  @SuppressWarnings("unused")
  private volatile long lastOrder = -1;
  @SuppressWarnings("unused")
  private volatile int status = PENDING;

  Track(int ring, long deadlineMillis) {
    this.ring = ring;
    this.deadlineMillis = deadlineMillis;
  }

  /**
   * Accepts a signal's order if it is newer than every one accepted before.
   *
   * @return false for a duplicate or a replay
   */
  boolean advance(long order) {
    while (true) {
      long last = (long) LAST_ORDER.getVolatile(this);
      if (last != -1 && Long.compareUnsigned(order, last) <= 0) {
        return false;
      }
      if (LAST_ORDER.compareAndSet(this, last, order)) {
        return true;
      }
    }
  }

  int status() {
    return (int) STATUS.getVolatile(this);
  }

  /**
   * Moves to a new status. A failure is final; HEALTHY only follows PENDING.
   *
   * @return the previous status, or -1 if nothing changed
   */
  int moveTo(int next) {
    while (true) {
      int current = status();
      if (current >= CRASHED || current == next || (next == HEALTHY && current != PENDING)) {
        return -1;
      }
      if (STATUS.compareAndSet(this, current, next)) {
        return current;
      }
    }
  }
}
