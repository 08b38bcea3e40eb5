package dev.ringfence.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the engine keeps per endpoint it tracks: its id, the ring it was admitted in (or {@link #CONTROL}),
 * the newest {@code (bootId, sequence)} accepted from it, its health status and, for the candidate
 * arm, its silence deadline. Updated with compare-and-set only.
 *
 * <p>One object per endpoint and nothing around it: the track is its own entry in the {@link TrackTable}
 * (it holds its id) and its own node in the deadline queue ({@link #next}), so a tracked endpoint costs
 * one 48-byte object plus its table slot (measured with JOL by the benchmarks' {@code MemoryPerEndpoint}).
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
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LAST_ORDER = lookup.findVarHandle(Track.class, "lastOrder", long.class);
      STATUS = lookup.findVarHandle(Track.class, "status", int.class);
      NEXT = lookup.findVarHandle(Track.class, "next", Track.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The endpoint's id (the caller's string, not a copy). */
  final String id;
  final int ring;
  final long deadlineMillis;
  /** Newest accepted (bootId << 32 | sequence), compared unsigned; -1 (all ones) means none yet. */
  @SuppressWarnings("unused")
  private volatile long lastOrder = -1;
  @SuppressWarnings("unused")
  private volatile int status = PENDING;
  /** The track admitted after this one: the deadline queue's link. Written once, with release. */
  @SuppressWarnings("unused")
  private Track next;

  Track(String id, int ring, long deadlineMillis) {
    this.id = id;
    this.ring = ring;
    this.deadlineMillis = deadlineMillis;
  }

  /** @return the next track in the deadline queue, or null */
  Track next() {
    return (Track) NEXT.getAcquire(this);
  }

  void linkNext(Track track) {
    NEXT.setRelease(this, track);
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
