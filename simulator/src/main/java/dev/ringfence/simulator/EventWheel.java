package dev.ringfence.simulator;

import java.util.Arrays;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Events by the second, in a ring of buckets as long as the longest usual delay; events further ahead
 * (a poll after the vendor's revert) wait in a sorted map until they come within reach.
 */
final class EventWheel {

  private final long[][] buckets;
  private final int[] sizes;
  private final int mask;
  /** Events beyond the ring, by their second: each second's in an array that doubles when full. */
  private final TreeMap<Integer, Far> far = new TreeMap<>();
  private int current;
  /** Arrays of drained seconds, for seconds to come that outgrow their first one. */
  private final java.util.ArrayDeque<long[]> spares = new java.util.ArrayDeque<>();
  private static final int SMALL = 1 << 10;
  /** How many events ahead {@link #drain(int, LongConsumer, LongConsumer, LongConsumer)} shows an event. */
  static final int AHEAD = 8;
  private static final int MAX_SPARES = 256;

  /**
   * An empty wheel.
   *
   * @param horizon the longest delay, in seconds, that most events are scheduled with; the ring holds at least
   *     this many buckets
   */
  EventWheel(int horizon) {
    int size = Integer.highestOneBit(Math.max(2, horizon)) << 1;
    buckets = new long[size][];
    sizes = new int[size];
    mask = size - 1;
    for (int b = 0; b < size; b++) {
      buckets[b] = new long[16];
    }
  }

  /**
   * Schedules an event.
   *
   * @param at the second it is due, after the last drained one
   * @param ev the event, as the simulator encodes it
   */
  void add(int at, long ev) {
    if (at - current > mask) {
      // Growing by doubling: a fleet of millions sends most of its hosts to the same few seconds far ahead (a
      // poll just after the vendor's revert), and an array copied at every event made that quadratic.
      far.computeIfAbsent(at, k -> new Far()).add(ev);
      return;
    }
    int b = at & mask;
    if (sizes[b] == buckets[b].length) {
      buckets[b] = grown(buckets[b], sizes[b]);
    }
    buckets[b][sizes[b]++] = ev;
  }

  /**
   * Handles every event due at {@code t}, those that waited far ahead first, then the bucket's in the order they
   * were added. Seconds must be drained one after the other.
   *
   * @param t the second
   * @param handler takes each event
   */
  void drain(int t, LongConsumer handler) {
    drain(t, handler, ev -> { }, ev -> { });
  }

  /**
   * {@link #drain(int, LongConsumer)}, showing each event to {@code farAhead} {@value #AHEAD} * 2 events before it
   * is handled and to {@code ahead} {@value #AHEAD} events before: a handler whose events each touch a host's state
   * somewhere in gigabytes of it loads that state early, the first step of a chain of references there and the next
   * step here, so that a few dozen misses are in flight at once instead of one after the other.
   *
   * @param t the second
   * @param handler takes each event
   * @param farAhead sees each event 2 * {@value #AHEAD} events before the handler takes it; must change nothing
   * @param ahead sees each event {@value #AHEAD} events before the handler takes it; must change nothing
   */
  void drain(int t, LongConsumer handler, LongConsumer farAhead, LongConsumer ahead) {
    current = t;
    Far later = far.remove(t);
    if (later != null) {
      drain(later.events, later.size, handler, farAhead, ahead);
    }
    int b = t & mask;
    drain(buckets[b], sizes[b], handler, farAhead, ahead);
    sizes[b] = 0;
    if (buckets[b].length > SMALL) {
      // A big array goes back to the spares for the next second that fills up: a fleet of millions fills every
      // second alike, and growing each one from a few slots copied it a dozen times a second (and, past a
      // megabyte, allocated it outside the young generation), while keeping it in its bucket would hold one per
      // second of the ring.
      if (spares.size() < MAX_SPARES) {
        spares.push(buckets[b]);
      }
      buckets[b] = new long[16];
    }
  }

  /** Handles a second's events (the handler adds none to the same second: every delay is a second or more). */
  private static void drain(long[] events, int size, LongConsumer handler, LongConsumer farAhead,
      LongConsumer ahead) {
    for (int k = 0; k < Math.min(2 * AHEAD, size); k++) {
      farAhead.accept(events[k]);
    }
    for (int k = 0; k < Math.min(AHEAD, size); k++) {
      ahead.accept(events[k]);
    }
    for (int k = 0; k < size; k++) {
      if (k + 2 * AHEAD < size) {
        farAhead.accept(events[k + 2 * AHEAD]);
      }
      if (k + AHEAD < size) {
        ahead.accept(events[k + AHEAD]);
      }
      handler.accept(events[k]);
    }
  }

  /** A bigger array with the first {@code size} events of {@code events}: a spare when one is big enough. */
  private long[] grown(long[] events, int size) {
    long[] spare = spares.poll(); // one too small for this second is dropped: seconds fill alike
    long[] bigger = spare != null && spare.length > size ? spare : new long[size * 2];
    System.arraycopy(events, 0, bigger, 0, size);
    return bigger;
  }

  /** The events of one second beyond the ring, in the order they were added. */
  private static final class Far {
    long[] events = new long[16];
    int size;

    void add(long ev) {
      if (size == events.length) {
        events = Arrays.copyOf(events, size * 2);
      }
      events[size++] = ev;
    }
  }
}
