package dev.ringfence.core.internal;

import dev.ringfence.core.EndpointAttributes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The control sample's polls on their way to the control table. While the control arm is small every sampled poll
 * is observed in place. Once it is sampled ({@link HealthTracker#CONTROL_SAMPLE_FROM} tracks, a table beyond the
 * caches), a sampled poll's look-up is a random read from memory, about 60 ns at 1M ids, on the request path of one
 * decision in eight; here the poll is queued instead (two stores and a compare-and-set), and the queued polls are
 * observed a batch at a time. A batch reads the first tag of every id before it looks at any ({@link
 * TrackTable#mightContainAll}), so its misses overlap instead of queueing behind each other: at 1M ids the decision
 * went from 1.3-1.4 times the bare hash to 1.05-1.15 (benchmarks/README.md).
 *
 * <p>Lossless. Polls queue in stripes chosen by thread, each a bounded ring with one compare-and-set on its tail. A
 * poll that finds its stripe full drains the stripe itself when no one else is draining, and is else observed in
 * place. Every tick drains all stripes first, before the deadlines and the counts are read ({@link #drain()}), and a
 * report that finds no control track drains them before it makes one, so that its poll's attributes place it.
 *
 * <p>What the judge sees does not change. A track made from a queued poll starts when its batch is observed, in the
 * same tick interval as its poll and before that interval's counts are taken, and the tracks of a batch go to the
 * deadline queue in order after any made before (a later start, never an earlier one). Its first deadline falls on
 * the same tick as before whenever the silence deadline is a whole number of tick intervals, and at most one tick
 * later otherwise. An endpoint admitted between its queued poll and the batch has its control track made and ended
 * ({@link HealthTracker#censorControl}), as when the poll was observed at once.
 *
 * <p>Concurrency: producers claim a slot by compare-and-set on their stripe's tail, fill it, and publish it by
 * writing its id last (release); the one drainer (under {@link #draining}) copies the published prefix of a stripe,
 * frees those slots and moves the head (volatile), and only then looks the batch up, so the stripe refills while it
 * works. A slot claimed but not yet published stops the copy there; it is taken by a later drain.
 */
final class ControlPolls {

  private static final VarHandle IDS = MethodHandles.arrayElementVarHandle(String[].class);
  /** Slots per stripe: a power of two, and the largest batch. */
  static final int STRIPE_CAPACITY = 128;
  /** Longs between two stripes' positions in {@link #positions}: 128 bytes, so that no two share a cache line. */
  private static final int PAD = 16;
  /** The head of stripe k is at {@code k * PAD + HEAD}, its tail at {@code k * PAD}. */
  private static final int HEAD = PAD / 2;

  private final HealthTracker health;
  private final Admissions admissions;
  private final int stripes;
  private final ReentrantLock draining = new ReentrantLock();

  /** Null until the control arm is sampled: a rollout that never is pays nothing for the stripes. */
  private volatile Slots slots;

  /** The stripes' slots and their positions. */
  private static final class Slots {
    final String[] ids;
    final EndpointAttributes[] attributes;
    final int[] buckets;
    /** Tail of stripe k at {@code k * PAD}, head at {@code k * PAD + HEAD}; each only grows. */
    final AtomicLongArray positions;

    Slots(int stripes) {
      ids = new String[stripes * STRIPE_CAPACITY];
      attributes = new EndpointAttributes[stripes * STRIPE_CAPACITY];
      buckets = new int[stripes * STRIPE_CAPACITY];
      positions = new AtomicLongArray(stripes * PAD);
    }
  }

  // The drainer's batch, under draining.
  private final String[] batchIds = new String[STRIPE_CAPACITY];
  private final EndpointAttributes[] batchAttributes = new EndpointAttributes[STRIPE_CAPACITY];
  private final int[] batchBuckets = new int[STRIPE_CAPACITY];
  private final boolean[] batchFound = new boolean[STRIPE_CAPACITY];
  private final int[] batchScratch = new int[2 * STRIPE_CAPACITY];

  /**
   * @param stripes how many stripes, a power of two (more than the threads that decide at once gain nothing)
   */
  ControlPolls(HealthTracker health, Admissions admissions, int stripes) {
    if (stripes < 1 || Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two, not " + stripes);
    }
    this.health = health;
    this.admissions = admissions;
    this.stripes = stripes;
  }

  /** One stripe per processor, rounded up to a power of two, at most 64. */
  static int defaultStripes() {
    int cpus = Math.min(64, Math.max(1, Runtime.getRuntime().availableProcessors()));
    return Integer.highestOneBit(cpus) == cpus ? cpus : Integer.highestOneBit(cpus) << 1;
  }

  /**
   * Observes the poll of an endpoint in the control sample, still on the baseline: queued once the arm is sampled,
   * else (and when its stripe stays full) at once.
   */
  void observe(String endpointId, EndpointAttributes attributes, int bucket) {
    Slots s = slots;
    if (s == null) {
      if (health.control.size() < HealthTracker.CONTROL_SAMPLE_FROM) {
        health.observeControl(endpointId, attributes);
        return;
      }
      s = start();
    }
    @SuppressWarnings("deprecation") // threadId() is Java 19+; getId() is the same number
    int stripe = (int) Thread.currentThread().getId() & (stripes - 1);
    if (offer(s, stripe, endpointId, attributes, bucket)) {
      return;
    }
    if (draining.tryLock()) {
      try {
        drainStripe(s, stripe);
      } finally {
        draining.unlock();
      }
      if (offer(s, stripe, endpointId, attributes, bucket)) {
        return;
      }
    }
    health.observeControl(endpointId, attributes); // someone else is draining, or the stripe refilled: in place
  }

  private synchronized Slots start() {
    Slots s = slots;
    if (s == null) {
      s = new Slots(stripes);
      slots = s;
    }
    return s;
  }

  private static boolean offer(Slots s, int stripe, String endpointId, EndpointAttributes attributes, int bucket) {
    int tailAt = stripe * PAD;
    while (true) {
      long tail = s.positions.get(tailAt);
      if (tail - s.positions.get(tailAt + HEAD) >= STRIPE_CAPACITY) {
        return false;
      }
      if (s.positions.compareAndSet(tailAt, tail, tail + 1)) {
        int slot = stripe * STRIPE_CAPACITY + (int) (tail & (STRIPE_CAPACITY - 1));
        s.attributes[slot] = attributes;
        s.buckets[slot] = bucket;
        IDS.setRelease(s.ids, slot, endpointId); // last: the drainer takes a slot once its id is there
        return true;
      }
    }
  }

  /**
   * Observes every queued poll: each tick does, before it reads the deadlines and the counts. Waits for a drain under
   * way to finish.
   */
  void drain() {
    Slots s = slots;
    if (s == null) {
      return;
    }
    draining.lock();
    try {
      for (int stripe = 0; stripe < stripes; stripe++) {
        drainStripe(s, stripe);
      }
    } finally {
      draining.unlock();
    }
  }

  /** The polls queued and not yet observed (a slot claimed but not yet filled included). */
  long queued() {
    Slots s = slots;
    long n = 0;
    for (int stripe = 0; s != null && stripe < stripes; stripe++) {
      n += s.positions.get(stripe * PAD) - s.positions.get(stripe * PAD + HEAD);
    }
    return n;
  }

  /** Under {@link #draining}. */
  private void drainStripe(Slots s, int stripe) {
    int headAt = stripe * PAD + HEAD;
    long head = s.positions.get(headAt);
    long tail = s.positions.get(stripe * PAD);
    int n = 0;
    for (long at = head; at < tail; at++) {
      int slot = stripe * STRIPE_CAPACITY + (int) (at & (STRIPE_CAPACITY - 1));
      String id = (String) IDS.getAcquire(s.ids, slot);
      if (id == null) {
        break; // claimed, not yet filled: a later drain takes it and what follows it
      }
      batchIds[n] = id;
      batchAttributes[n] = s.attributes[slot];
      batchBuckets[n] = s.buckets[slot];
      n++;
      s.ids[slot] = null;
      s.attributes[slot] = null;
    }
    if (n == 0) {
      return;
    }
    s.positions.set(headAt, head + n); // frees the slots: producers refill while the batch is looked up
    health.control.mightContainAll(batchIds, n, batchScratch, batchFound);
    for (int k = 0; k < n; k++) {
      String id = batchIds[k];
      health.observeControl(id, batchAttributes[k], batchFound[k]);
      if (admissions.admittedTrack(id, batchBuckets[k]) != null) {
        health.censorControl(id); // admitted since its poll: from then on it is a candidate
      }
    }
    Arrays.fill(batchIds, 0, n, null);
    Arrays.fill(batchAttributes, 0, n, null);
  }
}
