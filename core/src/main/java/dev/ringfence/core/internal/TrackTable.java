package dev.ringfence.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Endpoint id to {@link Track}: an open-addressing hash table (linear probing) of tracks, which hold
 * their ids, so that an entry costs one array slot instead of a map node (32 bytes) per endpoint.
 * Entries are only ever added, never removed or replaced.
 *
 * <p>Concurrency: {@link #get} takes no lock; it reads the current array and its slots with acquire
 * semantics, and a slot once set never changes. {@link #putIfAbsent} and resizing run under the table's
 * monitor: a track is fully built before its slot is set with release semantics, and a resized array is
 * filled completely before it is published. A {@code get} racing with an insertion may miss it, as with
 * {@code ConcurrentHashMap}; a {@code putIfAbsent} never misses one.
 */
final class TrackTable {

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Track[].class);
  private static final int INITIAL_CAPACITY = 64;

  private volatile Track[] slots = new Track[INITIAL_CAPACITY];
  private volatile int size;

  /** Spreads String.hashCode (cached in the string) so that similar ids do not cluster. */
  private static int index(String id, int mask) {
    int h = id.hashCode() * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask;
  }

  /**
   * @param id an endpoint id
   * @return its track, or null
   */
  Track get(String id) {
    Track[] table = slots;
    int mask = table.length - 1;
    for (int i = index(id, mask); ; i = (i + 1) & mask) {
      Track track = (Track) SLOTS.getAcquire(table, i);
      if (track == null) {
        return null;
      }
      if (track.id == id || track.id.equals(id)) {
        return track;
      }
    }
  }

  /**
   * Adds a track under its id unless one is there.
   *
   * @param track the new track
   * @return the track already there, or null when {@code track} was added
   */
  synchronized Track putIfAbsent(Track track) {
    Track[] table = slots;
    int mask = table.length - 1;
    int i = index(track.id, mask);
    for (Track existing; (existing = table[i]) != null; i = (i + 1) & mask) {
      if (existing.id.equals(track.id)) {
        return existing;
      }
    }
    int count = size + 1;
    if (count > table.length - (table.length >>> 2)) {
      // Above 3/4 full: double, then insert into the new array before anyone can see it.
      table = grow(table);
      mask = table.length - 1;
      i = index(track.id, mask);
      while (table[i] != null) {
        i = (i + 1) & mask;
      }
      table[i] = track;
      slots = table; // publishes the filled array (volatile write)
    } else {
      SLOTS.setRelease(table, i, track);
    }
    size = count;
    return null;
  }

  private static Track[] grow(Track[] old) {
    Track[] table = new Track[old.length << 1];
    int mask = table.length - 1;
    for (Track track : old) {
      if (track != null) {
        int i = index(track.id, mask);
        while (table[i] != null) {
          i = (i + 1) & mask;
        }
        table[i] = track;
      }
    }
    return table;
  }

  /** @return the number of tracks */
  int size() {
    return size;
  }

  /** @return the number of slots: a sweep's budget is measured in slots */
  int capacity() {
    return slots.length;
  }

  /**
   * Visits a run of slots, wrapping around at the end: a sweep that the caller spreads over many calls.
   * A resize between calls shifts what the cursor points at; a sweep may then visit some tracks twice
   * and others a call later, never none for more than one round.
   *
   * @param cursor the slot to start at, as returned by the previous call (any value is taken modulo)
   * @param count how many slots to visit, at most the capacity
   * @param action what to do with each track found
   * @return the cursor for the next call
   */
  int visit(int cursor, int count, Consumer<Track> action) {
    Track[] table = slots;
    int mask = table.length - 1;
    int i = cursor & mask;
    for (int n = Math.min(count, table.length); n > 0; n--) {
      Track track = (Track) SLOTS.getAcquire(table, i);
      if (track != null) {
        action.accept(track);
      }
      i = (i + 1) & mask;
    }
    return i;
  }

  /**
   * Visits every track added before the call (and possibly some added during it).
   *
   * @param action what to do with each
   */
  void forEach(Consumer<Track> action) {
    Track[] table = slots;
    for (int i = 0; i < table.length; i++) {
      Track track = (Track) SLOTS.getAcquire(table, i);
      if (track != null) {
        action.accept(track);
      }
    }
  }
}
