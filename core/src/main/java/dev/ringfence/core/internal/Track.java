package dev.ringfence.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the engine keeps per endpoint it tracks: its id, the ring it was admitted in (or {@link #CONTROL}),
 * its stratum (the attribute values the judge compares within, see {@link HealthTracker#stratum}), the
 * newest {@code (bootId, sequence)} accepted from it, its health status and when it was last seen. Updated
 * with compare-and-set only.
 *
 * <p>Both arms are observed alike: a track is <em>at risk</em> while it is {@link #PENDING} (from the
 * endpoint's first poll, which admits a candidate, until its first report) or {@link #HEALTHY}; its
 * silence deadline is {@code lastSeen + silence} in either arm ({@link #UNHEARD} when it never reported,
 * {@link #SILENT} when it went quiet after reporting). A failure ends its time at risk, and a silent
 * endpoint that reports again is at risk again (silence is a recurrent event; a crash, a refused
 * validation or an agent's revert are final). {@link #CENSORED} ends a control track without an event:
 * the endpoint was admitted, so from then on it is observed in the candidate arm.
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
  static final int STATUS_BITS = 8;
  private static final int STATUS_MASK = (1 << STATUS_BITS) - 1;
  /** The stratum of an endpoint whose attributes are not known yet (restored, or seen first in a report). */
  static final int UNKNOWN_STRATUM = 0;

  private static final VarHandle LAST_ORDER;
  private static final VarHandle STATE;
  private static final VarHandle NEXT;
  private static final VarHandle LAST_SEEN;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LAST_ORDER = lookup.findVarHandle(Track.class, "lastOrder", long.class);
      STATE = lookup.findVarHandle(Track.class, "state", int.class);
      NEXT = lookup.findVarHandle(Track.class, "next", Track.class);
      LAST_SEEN = lookup.findVarHandle(Track.class, "lastSeenMillis", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The endpoint's id (the caller's string, not a copy). */
  final String id;
  /**
   * The id's {@code hashCode()}, kept here (the object has room for it within its 48 bytes) so that the table
   * places and compares tracks without reading their id strings: at millions of endpoints each one is a miss.
   */
  final int hash;
  final int ring;
  /** On the rollout's timeline: admission (candidate) or the newest report. Written with release. */
  @SuppressWarnings("unused")
  private long lastSeenMillis;
  /** Newest accepted (bootId << 32 | sequence), compared unsigned; -1 (all ones) means none yet. */
  @SuppressWarnings("unused")
  private volatile long lastOrder = -1;
  /**
   * The status (low {@value #STATUS_BITS} bits) and the stratum (the bits above): one word, so that a status
   * change and the stratum it is counted in are read and written by one compare-and-set. The stratum is
   * {@link #UNKNOWN_STRATUM} until the endpoint's attributes are known, and is learned at most once.
   */
  @SuppressWarnings("unused")
  private volatile int state;
  /** The track admitted after this one: the deadline queue's link. Written once, with release. */
  @SuppressWarnings("unused")
  private Track next;

  Track(String id, int ring, long seenMillis, int stratum) {
    this.id = id;
    this.hash = id.hashCode();
    this.ring = ring;
    LAST_SEEN.setRelease(this, seenMillis);
    STATE.setRelease(this, (stratum << STATUS_BITS) | PENDING);
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
    return state & STATUS_MASK;
  }

  /** @return the stratum the track is counted in */
  int stratum() {
    return state >>> STATUS_BITS;
  }

  static int statusOf(int word) {
    return word & STATUS_MASK;
  }

  static int stratumOf(int word) {
    return word >>> STATUS_BITS;
  }

  /**
   * Sets the stratum of a track whose stratum is {@link #UNKNOWN_STRATUM}, keeping its status.
   *
   * @return the previous word (status and unknown stratum), or -1 if the stratum was known already
   */
  int learnStratum(int stratum) {
    while (true) {
      int current = state;
      if (stratumOf(current) != UNKNOWN_STRATUM || stratum == UNKNOWN_STRATUM) {
        return -1;
      }
      if (STATE.compareAndSet(this, current, (stratum << STATUS_BITS) | statusOf(current))) {
        return current;
      }
    }
  }

  /** @return whether a status ends a track for good: a crash, a refused validation, a revert, censoring */
  static boolean isFinal(int status) {
    return status == CRASHED || status == FAILED_APPLY || status == REVERTED_BY_AGENT || status == CENSORED;
  }

  /**
   * Moves to a new status. Final statuses never change; HEALTHY follows PENDING, SILENT or UNHEARD (a
   * silent endpoint that reports again); SILENT follows HEALTHY; UNHEARD follows PENDING.
   *
   * @return the previous word (status and stratum: see {@link #statusOf}, {@link #stratumOf}), or -1 if
   *     nothing changed
   */
  int moveTo(int next) {
    while (true) {
      int word = state;
      int current = statusOf(word);
      if (isFinal(current) || current == next || (next == PENDING)
          || (next == HEALTHY && current != PENDING && current != SILENT && current != UNHEARD)
          || (next == SILENT && current != HEALTHY) || (next == UNHEARD && current != PENDING)) {
        return -1;
      }
      if (STATE.compareAndSet(this, word, (word & ~STATUS_MASK) | next)) {
        return word;
      }
    }
  }
}
