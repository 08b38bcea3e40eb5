package dev.ringfence.core.internal;

import dev.ringfence.core.health.ArmStats;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.health.ProbeSamples;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The health side of one rollout: per-arm outcome counters, per-signal counters, probe windows and the
 * silence deadlines of the candidate arm.
 *
 * <p>Each endpoint is counted once per arm, by the status of its {@link Track}: status changes are
 * compare-and-set, so a counter moves exactly once per change whatever the number of threads. Signal
 * counters are striped by thread, each stripe on cache lines of its own, so concurrent ingestion does not
 * contend on one cache line. (One {@link LongAdder} per counter did: adders that different threads
 * increment sit next to each other, so their base fields shared a line that the threads took turns to
 * own, and an adder only spreads over cells once a compare-and-set fails, which false sharing never
 * causes. Two threads ingested fewer signals per second than one.)
 */
final class HealthTracker {

  static final int ARM_CANDIDATE = 0;
  static final int ARM_CONTROL = 1;
  static final int ARM_NONE = 2;

  static final int TYPE_HEARTBEAT = 0;
  static final int TYPE_APPLY = 1;
  static final int TYPE_PROBE = 2;

  private static final int PROBE_WINDOW = 2_048;
  private static final IngestResult[] RESULTS = IngestResult.values();
  private static final int COUNTERS = 3 * 3 * RESULTS.length;
  /** Longs between stripes (and before the first): 128 bytes, the span the adjacent-line prefetcher pulls. */
  private static final int PAD = 16;
  private static final int STRIDE = PAD + ((COUNTERS + 7) & ~7);
  private static final int STRIPES = stripes(Runtime.getRuntime().availableProcessors());

  /**
   * Endpoints per status: [slot * STATUSES + status], where slot is the candidate's ring of admission
   * (0..rings-1) or {@code rings} for the control arm.
   */
  private final AtomicLongArray outcomes;
  private final int rings;
  /** Signals per [stripe][type][arm][result]; a thread counts in the stripe of its id. */
  private final AtomicLongArray signals = new AtomicLongArray(STRIPES * STRIDE + PAD);
  private final LongAdder silentExpired = new LongAdder();
  /**
   * Endpoints not admitted when they reported on the baseline: the control arm. An endpoint admitted
   * later keeps the outcome it had on the baseline here (it was observed on the baseline) and starts
   * afresh in the candidate arm; without that history the last ring, which admits everyone, would have
   * no control at all.
   */
  final TrackTable control = new TrackTable();
  /**
   * Candidate tracks in admission order (their deadlines are in the same order), linked through the
   * tracks themselves: a multi-producer, single-consumer queue (admissions append with one getAndSet;
   * {@link #expireDeadlines} consumes under the rollout's lock). {@code head} is the last track consumed
   * (or a stub); an append between its getAndSet and its link is seen on the next tick.
   */
  private final AtomicReference<Track> deadlineTail;
  private Track deadlineHead;
  private final ConcurrentHashMap<String, ProbeWindow[]> probes = new ConcurrentHashMap<>();

  HealthTracker(int rings) {
    this.rings = rings;
    this.outcomes = new AtomicLongArray((rings + 1) * Track.STATUSES);
    Track stub = new Track("", Track.CONTROL, Long.MIN_VALUE);
    this.deadlineHead = stub;
    this.deadlineTail = new AtomicReference<>(stub);
  }

  private static int stripes(int processors) {
    int stripes = 1;
    while (stripes < 2 * processors && stripes < 64) {
      stripes <<= 1;
    }
    return stripes;
  }

  private static int counter(int type, int arm, IngestResult result) {
    return (type * 3 + arm) * RESULTS.length + result.ordinal();
  }

  static int typeOf(Signal signal) {
    if (signal instanceof Heartbeat) {
      return TYPE_HEARTBEAT;
    }
    return signal instanceof ApplyResult ? TYPE_APPLY : TYPE_PROBE;
  }

  IngestResult count(Signal signal, int arm, IngestResult result) {
    // Thread ids are consecutive, so up to STRIPES threads that ingest together count in distinct stripes.
    int stripe = (int) Thread.currentThread().getId() & (STRIPES - 1);
    signals.getAndIncrement(PAD + stripe * STRIDE + counter(typeOf(signal), arm, result));
    return result;
  }

  long signals(int type, int arm, IngestResult result) {
    int index = PAD + counter(type, arm, result);
    long sum = 0;
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      sum += signals.get(index + stripe * STRIDE);
    }
    return sum;
  }

  long silentFailures() {
    return silentExpired.sum();
  }

  void watchDeadline(Track track) {
    deadlineTail.getAndSet(track).linkNext(track);
  }

  /**
   * Marks every candidate endpoint whose deadline has passed without a report as a silent failure.
   * Costs O(expired): the queue is in deadline order, so it stops at the first deadline to come.
   */
  void expireDeadlines(long nowMillis) {
    Track head;
    while ((head = deadlineHead.next()) != null && head.deadlineMillis <= nowMillis) {
      deadlineHead = head;
      if (head.status() == Track.PENDING && moveTo(head, ARM_CANDIDATE, Track.SILENT)) {
        silentExpired.increment();
      }
    }
  }

  /** Applies a signal's meaning to a track, counting the status change if there is one. */
  void apply(Track track, int arm, Signal signal) {
    int next;
    if (signal instanceof Heartbeat) {
      next = ((Heartbeat) signal).failedStarts() > 0 ? Track.CRASHED : Track.HEALTHY;
    } else if (signal instanceof ApplyResult) {
      switch (((ApplyResult) signal).outcome()) {
        case VALIDATION_FAILED:
          next = Track.FAILED_APPLY;
          break;
        case CRASHED:
          next = Track.CRASHED;
          break;
        case REVERTED_BY_AGENT:
          next = Track.REVERTED_BY_AGENT;
          break;
        case ACTIVATED:
        default:
          // Installed is not running: Channel File 291 was activated fine and crashed its hosts on
          // load, before they could say anything more. Only a heartbeat or a probe reading on the
          // version proves health, so an activation leaves the silence deadline running.
          return;
      }
    } else {
      ProbeReading reading = (ProbeReading) signal;
      window(reading.metric(), arm).record(reading.value());
      next = Track.HEALTHY; // a reading proves the endpoint runs
    }
    moveTo(track, arm, next);
  }

  private boolean moveTo(Track track, int arm, int next) {
    int previous = track.moveTo(next);
    if (previous < 0) {
      return false;
    }
    int base = (arm == ARM_CONTROL ? rings : track.ring) * Track.STATUSES;
    if (previous != Track.PENDING) {
      outcomes.decrementAndGet(base + previous);
    }
    outcomes.incrementAndGet(base + next);
    return true;
  }

  private ProbeWindow window(String metric, int arm) {
    ProbeWindow[] windows = probes.get(metric);
    if (windows == null) {
      windows = probes.computeIfAbsent(metric, m -> new ProbeWindow[] {
          new ProbeWindow(PROBE_WINDOW), new ProbeWindow(PROBE_WINDOW)});
    }
    return windows[arm];
  }

  /** @return the control arm, or the candidate arm over every ring */
  ArmStats arm(int arm) {
    if (arm == ARM_CONTROL) {
      return slot(rings, rings + 1);
    }
    return slot(0, rings);
  }

  /** @return the candidate endpoints admitted in one ring */
  ArmStats candidateInRing(int ring) {
    return slot(ring, ring + 1);
  }

  private ArmStats slot(int from, int to) {
    long[] sums = new long[Track.STATUSES];
    for (int slot = from; slot < to; slot++) {
      for (int status = 0; status < Track.STATUSES; status++) {
        sums[status] += outcomes.get(slot * Track.STATUSES + status);
      }
    }
    return new ArmStats(sums[Track.HEALTHY], sums[Track.CRASHED], sums[Track.FAILED_APPLY], sums[Track.SILENT],
        sums[Track.REVERTED_BY_AGENT]);
  }

  Set<String> probeMetrics() {
    return new TreeSet<>(probes.keySet());
  }

  ProbeSamples probeSamples(String metric) {
    ProbeWindow[] windows = probes.get(metric);
    if (windows == null) {
      return new ProbeSamples(metric, new double[0], new double[0]);
    }
    return new ProbeSamples(metric, windows[ARM_CANDIDATE].snapshot(), windows[ARM_CONTROL].snapshot());
  }
}
