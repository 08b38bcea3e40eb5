package dev.ringfence.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the engine keeps per endpoint it tracks: its id, the ring it was admitted in (or {@link #CONTROL}),
 * its attribute group (for the data-quality check), the newest {@code (bootId, sequence)} accepted from
 * it, its health status and when it was last seen. Updated with compare-and-set only.
 *
 * <p>Both arms are observed alike: a track is <em>at risk</em> while it is {@link #PENDING} (from the
 * endpoint's first poll, which admits a candidate, until its first report) or {@link #HEALTHY}; its
 * silence deadline is {@code lastSeen + silence} in either arm ({@link #UNHEARD} when it never reported,
 * {@link #SILENT} when it went quiet after reporting). A failure ends its time at risk, and a silent endpoint that reports again is
 * at risk again (silence is a recurrent event; a crash, a refused validation or an agent's revert are
 * final). {@link #CENSORED} ends a control track without an event: the endpoint was admitted, so from
 * then on it is observed in the candidate arm.
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
  static final int CENSORED = 6;
  /** Silent without ever having reported health: a crash on load looks like this. */
  static final int UNHEARD = 7;
  static final int STATUSES = 8;

  private static final VarHandle LAST_ORDER;
  private static final VarHandle STATUS;
  private static final VarHandle NEXT;
  private static final VarHandle LAST_SEEN;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LAST_ORDER = lookup.findVarHandle(Track.class, "lastOrder", long.class);
      STATUS = lookup.findVarHandle(Track.class, "status", int.class);
      NEXT = lookup.findVarHandle(Track.class, "next", Track.class);
      LAST_SEEN = lookup.findVarHandle(Track.class, "lastSeenMillis", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The endpoint's id (the caller's string, not a copy). */
  final String id;
  final int ring;
  /** The attribute group (see {@link HealthTracker#group}); 0 when unknown. Never changes. */
  final short group;
  /** On the rollout's timeline: admission (candidate) or the newest report. Written with release. */
  @SuppressWarnings("unused")
  private long lastSeenMillis;
  /** Newest accepted (bootId << 32 | sequence), compared unsigned; -1 (all ones) means none yet. */
  @SuppressWarnings("unused")
  private volatile long lastOrder = -1;
  @SuppressWarnings("unused")
  private volatile int status = PENDING;
  /** The track admitted after this one: the deadline queue's link. Written once, with release. */
  @SuppressWarnings("unused")
  private Track next;

  Track(String id, int ring, long seenMillis, int group) {
    this.id = id;
    this.ring = ring;
    this.group = (short) group;
    LAST_SEEN.setRelease(this, seenMillis);
  }

  /** @return the next track in the deadline queue, or null */
  Track next() {
    return (Track) NEXT.getAcquire(this);
  }

  void linkNext(Track track) {
    NEXT.setRelease(this, track);
  }

  long lastSeenMillis() {
    return (long) LAST_SEEN.getAcquire(this);
  }

  /** Records a report; never moves the time back (reports from several threads may race). */
  void seen(long millis) {
    long last = (long) LAST_SEEN.getAcquire(this);
    while (millis > last) {
      long witness = (long) LAST_SEEN.compareAndExchangeRelease(this, last, millis);
      if (witness == last) {
        return;
      }
      last = witness;
    }
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

  /** @return whether a status ends a track for good: a crash, a refused validation, a revert, censoring */
  static boolean isFinal(int status) {
    return status == CRASHED || status == FAILED_APPLY || status == REVERTED_BY_AGENT || status == CENSORED;
  }

  /**
   * Moves to a new status. Final statuses never change; HEALTHY follows PENDING, SILENT or UNHEARD (a
   * silent endpoint that reports again); SILENT follows HEALTHY; UNHEARD follows PENDING.
   *
   * @return the previous status, or -1 if nothing changed
   */
  int moveTo(int next) {
    while (true) {
      int current = status();
      if (isFinal(current) || current == next || (next == PENDING)
          || (next == HEALTHY && current != PENDING && current != SILENT && current != UNHEARD)
          || (next == SILENT && current != HEALTHY) || (next == UNHEARD && current != PENDING)) {
        return -1;
      }
      if (STATUS.compareAndSet(this, current, next)) {
        return current;
      }
    }
  }
}
