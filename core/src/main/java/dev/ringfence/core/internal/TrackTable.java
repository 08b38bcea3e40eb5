package dev.ringfence.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Endpoint id to {@link Track}: an open-addressing hash table (linear probing) of tracks, which hold
 * their ids, so that an entry costs one array slot instead of a map node (32 bytes) per endpoint.
 * Entries are only ever added, never removed or replaced. Beside each slot a 16-bit tag (from a second hash
 * of the id; never 0, which marks an empty slot) lets a lookup probe a compact array and
 * touch a track only when its tag matches: a lookup that misses, the common case for the admitted table,
 * reads one or two cache lines of tags instead of one track per probe.
 *
 * <p>Concurrency: {@link #get} takes no lock; it reads the current arrays and their tags and slots with
 * acquire semantics, and a slot once set never changes. {@link #putIfAbsent} and resizing run under the
 * table's monitor: a track is fully built before its slot is set, its slot before its tag (both with release
 * semantics), so a reader that sees a tag sees the slot; a resized table is filled completely before it is
 * published. A {@code get} racing with an insertion may miss it, as with
 * {@code ConcurrentHashMap}; a {@code putIfAbsent} never misses one.
 */
final class TrackTable {

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Track[].class);
  private static final VarHandle TAGS = MethodHandles.arrayElementVarHandle(short[].class);
  private static final int INITIAL_CAPACITY = 64;

  /** The slots and their tags, replaced together on a resize. */
  private static final class Table {
    final Track[] slots;
    final short[] tags;

    Table(int capacity) {
      slots = new Track[capacity];
      tags = new short[capacity];
    }
  }

  private volatile Table table = new Table(INITIAL_CAPACITY);
  private volatile int size;

  /** Spreads String.hashCode (cached in the string, and in the track) so that similar ids do not cluster. */
  private static int spread(int hashCode) {
    int h = hashCode * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /** A tag from a second multiplicative hash, independent of the index's bits; never 0. */
  private static short tag(int hashCode) {
    return (short) (((hashCode * 0x85EBCA6B) >>> 16) | 1);
  }

  /**
   * @param id an endpoint id
   * @return its track, or null
   */
  Track get(String id) {
    Table t = table;
    int i = find(t, id, true);
    return i < 0 ? null : (Track) SLOTS.getAcquire(t.slots, i);
  }

  /**
   * The slot of {@code id} in {@code t}, or -1: probes the tags, and with {@code confirm} reads the track of a
   * matching tag to compare ids; without it, the first matching tag is taken as the id's.
   */
  private static int find(Table t, String id, boolean confirm) {
    int mask = t.slots.length - 1;
    int hashCode = id.hashCode();
    short tag = tag(hashCode);
    for (int i = spread(hashCode) & mask; ; i = (i + 1) & mask) {
      short seen = (short) TAGS.getAcquire(t.tags, i);
      if (seen == 0) {
        return -1;
      }
      if (seen == tag) {
        if (!confirm) {
          return i;
        }
        Track track = (Track) SLOTS.getAcquire(t.slots, i);
        if (track.id == id || (track.hash == hashCode && track.id.equals(id))) {
          return i;
        }
      }
    }
  }

  /**
   * Whether a track of this id is probably there, read from the tags alone (no track is touched): never
   * false for an id added before the call; true for an absent id only when another id on its probe run has
   * the same 16-bit tag (about one in 30,000 per track passed).
   *
   * @param id an endpoint id
   * @return false when no track of {@code id} was there
   */
  boolean mightContain(String id) {
    return find(table, id, false) >= 0;
  }

  /**
   * Adds a track under its id unless one is there.
   *
   * @param track the new track
   * @return the track already there, or null when {@code track} was added
   */
  synchronized Track putIfAbsent(Track track) {
    Table t = table;
    int mask = t.slots.length - 1;
    short tag = tag(track.hash);
    int i = spread(track.hash) & mask;
    // Only a track with the same tag and hash is read for its id (under this monitor, as every writer is).
    for (Track existing; (existing = t.slots[i]) != null; i = (i + 1) & mask) {
      if (t.tags[i] == tag && existing.hash == track.hash && existing.id.equals(track.id)) {
        return existing;
      }
    }
    int count = size + 1;
    if (count > t.slots.length - (t.slots.length >>> 2)) {
      // Above 3/4 full: double, then insert into the new table before anyone can see it.
      t = grow(t);
      place(t, track);
      table = t; // publishes the filled table (volatile write)
    } else {
      SLOTS.setRelease(t.slots, i, track);
      TAGS.setRelease(t.tags, i, tag);
    }
    size = count;
    return null;
  }

  /** Puts a track into a table nobody else sees yet. */
  private static void place(Table t, Track track) {
    int mask = t.slots.length - 1;
    int i = spread(track.hash) & mask;
    while (t.slots[i] != null) {
      i = (i + 1) & mask;
    }
    t.slots[i] = track;
    t.tags[i] = tag(track.hash);
  }

  private static Table grow(Table old) {
    Table t = new Table(old.slots.length << 1);
    for (Track track : old.slots) {
      if (track != null) {
        place(t, track);
      }
    }
    return t;
  }

  /** @return the number of tracks */
  int size() {
    return size;
  }

  /** @return the number of slots: a sweep's budget is measured in slots */
  int capacity() {
    return table.slots.length;
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
    Track[] slots = table.slots;
    int mask = slots.length - 1;
    int i = cursor & mask;
    for (int n = Math.min(count, slots.length); n > 0; n--) {
      Track track = (Track) SLOTS.getAcquire(slots, i);
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
    Track[] slots = table.slots;
    for (int i = 0; i < slots.length; i++) {
      Track track = (Track) SLOTS.getAcquire(slots, i);
      if (track != null) {
        action.accept(track);
      }
    }
  }
}
