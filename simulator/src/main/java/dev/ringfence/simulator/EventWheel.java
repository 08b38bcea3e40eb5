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
  private final TreeMap<Integer, long[]> far = new TreeMap<>();
  private int current;

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
      far.merge(at, new long[] {ev}, (a, b) -> {
        long[] joined = Arrays.copyOf(a, a.length + 1);
        joined[a.length] = b[0];
        return joined;
      });
      return;
    }
    int b = at & mask;
    if (sizes[b] == buckets[b].length) {
      buckets[b] = Arrays.copyOf(buckets[b], sizes[b] * 2);
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
    current = t;
    long[] later = far.remove(t);
    if (later != null) {
      for (long ev : later) {
        handler.accept(ev);
      }
    }
    int b = t & mask;
    for (int k = 0; k < sizes[b]; k++) {
      handler.accept(buckets[b][k]);
    }
    sizes[b] = 0;
    if (buckets[b].length > 1 << 16) {
      buckets[b] = new long[16];
    }
  }
}
