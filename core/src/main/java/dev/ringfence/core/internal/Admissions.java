package dev.ringfence.core.internal;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.plan.Selector;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.RingfenceException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a rollout has exposed and who it may expose next: the admitted endpoints (a bitset over cohort buckets in front
 * of the track table), the per-ring counts against the caps, the velocity limit, the holdback, the ring an admission
 * counts against, and the endpoints back on the baseline after a halt.
 *
 * <p>On the decision path: lock-free and, on its common path, allocation-free; the runtime reads the fields it needs
 * directly. An admission is journaled before it takes effect.
 */
final class Admissions {

  // One rollout's lines under one logger name, as before the runtime was split.
  private static final Logger LOG = LoggerFactory.getLogger(RolloutRuntime.class);

  private final String id;
  private final Clock clock;
  private final RolloutStore store;
  private final @Nullable SharedRolloutStore sharedStore;
  private final EventBus events;
  private final HealthTracker health;
  private final Timeline timeline;
  private final Transitions transitions;
  private final DecisionTable decisions;
  private final long baseline;
  private final long candidate;

  final Cohort cohort;
  private final Selector[] selectors;
  private final int[] shares;
  private final long[] caps;
  /**
   * Held tier to its position in {@link Plan#heldTierOrder()}: its canary ring is {@code lastPlanRing + 1 + 2k},
   * the ring for the rest of it the one after.
   */
  private final Map<String, Integer> heldTiers;
  /** Buckets from here up are held back on the baseline while the rollout runs: the last ring's control. */
  private final int holdbackFrom;
  private final int lastRing;
  /** The plan's own last ring; the rings after it are the held tiers'. */
  private final int lastPlanRing;

  /** Endpoint id to its track (ring of admission, health). Never shrinks: a rollback forgets nothing. */
  final TrackTable admitted;
  /** Admitted endpoints per ring: what its cap and its minimum sample count. */
  final AtomicLongArray perRing;
  /**
   * One bit per cohort bucket, set before any endpoint of that bucket is admitted: a clear bit proves
   * an endpoint is not admitted without touching the admission map. Most endpoints sit in buckets
   * above every open share, so most decisions never leave the CPU cache for the map.
   */
  private final AtomicLongArray admittedBuckets = new AtomicLongArray((Cohort.BUCKETS + 63) / 64);
  /** Exposed endpoints seen back on the baseline after a halt. */
  final Set<String> reverted = ConcurrentHashMap.newKeySet();
  private final @Nullable TokenBucket velocity;
  private volatile boolean storeOutageLogged;

  /**
   * On the timeline: deadlines of endpoints admitted before a restart start again from here, not from their
   * admission.
   */
  final long recoveredAtMillis;
  /** Whether these admissions were rebuilt from stored ones (a restart), not made fresh. */
  volatile boolean recoveredFromStore;

  Admissions(RolloutSpec spec, List<Ring> rings, Clock clock, RolloutStore store, EventBus events, HealthTracker health,
      Timeline timeline, Transitions transitions, TrackTable admitted, DecisionTable decisions, int holdbackFrom,
      long recentAdmissions, long recoveredAtMillis) {
    Plan plan = spec.plan();
    this.id = spec.id();
    this.clock = clock;
    this.store = store;
    this.sharedStore = transitions.sharedStore;
    this.events = events;
    this.health = health;
    this.timeline = timeline;
    this.transitions = transitions;
    this.decisions = decisions;
    this.baseline = spec.baselineVersion();
    this.candidate = spec.candidateVersion();
    this.admitted = admitted;
    this.recoveredAtMillis = recoveredAtMillis;
    this.cohort = Cohort.withSalt(spec.salt());
    int n = rings.size();
    this.selectors = new Selector[n];
    this.shares = new int[n];
    this.caps = new long[n];
    for (int i = 0; i < n; i++) {
      selectors[i] = rings.get(i).selector();
      shares[i] = rings.get(i).share();
      caps[i] = rings.get(i).cap();
    }
    Map<String, Integer> held = new HashMap<>();
    for (String tier : plan.heldTierOrder()) {
      held.put(tier, held.size());
    }
    this.heldTiers = Map.copyOf(held);
    this.holdbackFrom = holdbackFrom;
    this.lastRing = n - 1;
    this.lastPlanRing = plan.rings().size() - 1;
    this.perRing = new AtomicLongArray(n);
    this.velocity = plan.hasVelocityLimit()
        ? new TokenBucket(clock, plan.maxNewExposuresPerHour(), recentAdmissions)
        : null;
  }

  // ---------------------------------------------------------------- decisions (hot path)

  /** The track of an admitted endpoint, or null; reads the map only when the bucket's bit is set. */
  Track admittedTrack(String endpointId, int bucket) {
    if ((admittedBuckets.get(bucket >>> 6) & (1L << bucket)) == 0) {
      return null;
    }
    return admitted.get(endpointId);
  }

  /** The decision for an endpoint not admitted before this call: STAY, HOLD, or its admission. */
  Decision notYetAdmitted(String endpointId, EndpointAttributes attributes, int bucket, Snapshot s, long synced) {
    if (bucket >= holdbackFrom) {
      return decisions.stayHoldback;
    }
    Decision outside = outside(bucket, attributes, s.ringIndex());
    if (outside != null) {
      return outside;
    }
    if (s.state() == RolloutState.PAUSED) {
      return decisions.holdPaused;
    }
    return transitions.isStale(synced) ? decisions.holdStale
        : admit(endpointId, attributes, bucket, admissionRing(attributes, s.ringIndex()));
  }

  /**
   * An OFFER, unless a halt is being written, or this replica shares its store and has not caught up with it
   * recently: then it may be offering a candidate that another replica has halted, so it holds.
   */
  Decision fresh(Decision offer, long synced) {
    if (transitions.halting) {
      return decisions.holdHalting;
    }
    return transitions.isStale(synced) ? decisions.holdStale : offer;
  }

  /** The decision of a completed rollout: the candidate for the admitted and for everyone in the last ring. */
  Decision completed(String endpointId, EndpointAttributes attributes, long synced) {
    int bucket = cohort.bucket(endpointId);
    if (admittedTrack(endpointId, bucket) != null || outside(bucket, attributes, lastRing) == null) {
      return fresh(decisions.offerCompleted, synced);
    }
    return decisions.stayCompleted;
  }

  /** The decision of a halted rollout: REVERT for the exposed (recording who is back), STAY for the rest. */
  Decision halted(String endpointId, long currentVersion, RolloutState state) {
    boolean exposed = admittedTrack(endpointId, cohort.bucket(endpointId)) != null;
    if (!exposed && currentVersion != candidate) {
      return decisions.stayHalted;
    }
    if (exposed && state == RolloutState.ROLLING_BACK && currentVersion == baseline) {
      markReverted(endpointId);
    }
    return decisions.revert;
  }

  /**
   * The ring an admission counts against while ring {@code open} is open: the open ring, except while a held tier's
   * rings are open. Then an endpoint of no held tier counts against the plan's last ring, which stays in force for
   * it, and an endpoint of a held tier counts against its tier's canary ring while that is open and else against the
   * ring for the rest of its tier, so a tier's canary cap and minimum sample count that tier alone.
   */
  private int admissionRing(EndpointAttributes attributes, int open) {
    if (open <= lastPlanRing) {
      return open;
    }
    Integer held = heldTiers.get(attributes.tier());
    if (held == null) {
      return lastPlanRing;
    }
    int canary = lastPlanRing + 1 + 2 * held;
    return open == canary ? canary : canary + 1;
  }

  private void markBucket(int bucket) {
    long bit = 1L << bucket;
    int word = bucket >>> 6;
    long current;
    do {
      current = admittedBuckets.get(word);
    } while ((current & bit) == 0 && !admittedBuckets.compareAndSet(word, current, current | bit));
  }

  /**
   * Whether the endpoint is outside every ring up to {@code ringIndex}.
   *
   * @return null when it is in a cohort, else the STAY decision that says why not
   */
  private Decision outside(int bucket, EndpointAttributes attributes, int ringIndex) {
    if (!heldTiers.isEmpty()) {
      Integer held = heldTiers.get(attributes.tier());
      if (held != null) {
        // A held tier sees none of the plan's rings; from its canary ring on it is judged by them all again.
        int canary = lastPlanRing + 1 + 2 * held;
        if (ringIndex < canary) {
          return decisions.stayHeldTier;
        }
        if (ringIndex == canary && bucket >= shares[canary]) {
          return decisions.stayHeldCanary;
        }
      }
    }
    int upTo = Math.min(ringIndex, lastPlanRing);
    for (int i = 0; i <= upTo; i++) {
      if (bucket < shares[i] && selectors[i].matches(attributes)) {
        return null;
      }
    }
    return decisions.stayOutside;
  }

  private Decision admit(String endpointId, EndpointAttributes attributes, int bucket, int ring) {
    if (!reserve(ring)) {
      return decisions.holdCapReached[ring];
    }
    if (velocity != null && !velocity.tryAcquire()) {
      perRing.decrementAndGet(ring);
      return decisions.holdVelocity;
    }
    Instant now = clock.instant();
    JournalEntry.Admitted entry = new JournalEntry.Admitted(id, now, endpointId, ring);
    markBucket(bucket); // before the map entry can be seen; a stale bit only costs a map lookup
    try {
      // Written before it takes effect. A concurrent duplicate may be journaled twice; replay keeps the first.
      // A shared store also checks the cap and halts across every replica.
      if (sharedStore == null) {
        store.append(entry);
      } else if (!sharedStore.admit(entry, caps[ring])) {
        release(ring);
        return decisions.holdNotAdmitted;
      }
    } catch (RuntimeException e) {
      release(ring);
      // Logged once per outage, not once per endpoint: a flood of decisions must not flood the log.
      if (!storeOutageLogged) {
        storeOutageLogged = true;
        LOG.warn("rollout '{}': cannot record the admission of '{}'; answering HOLD until the store recovers", id,
            endpointId, e);
      }
      return decisions.holdStore;
    }
    if (storeOutageLogged) {
      storeOutageLogged = false;
      LOG.info("rollout '{}': the store records admissions again", id);
    }
    Track track = new Track(endpointId, ring, timeline.millis(), health.stratum(attributes));
    Track previous = admitted.putIfAbsent(track);
    if (previous != null) {
      release(ring);
      return decisions.offer[previous.ring];
    }
    health.admitted(track);
    health.censorControl(endpointId);
    events.publish(entry);
    // A halt that raced with this admission wins: the endpoint is exposed, so it is told to revert.
    if (transitions.halting || transitions.snapshot.state().isHalted()) {
      return decisions.revert;
    }
    return decisions.offer[ring];
  }

  private boolean reserve(int ring) {
    long cap = caps[ring];
    while (true) {
      long current = perRing.get(ring);
      if (current >= cap) {
        return false;
      }
      if (perRing.compareAndSet(ring, current, current + 1)) {
        return true;
      }
    }
  }

  private void release(int ring) {
    perRing.decrementAndGet(ring);
    if (velocity != null) {
      velocity.refund();
    }
  }

  /** Records that an exposed endpoint is back on the baseline, once; a store that refuses is asked again later. */
  void markReverted(String endpointId) {
    if (reverted.contains(endpointId)) {
      return;
    }
    JournalEntry.Reverted entry = new JournalEntry.Reverted(id, clock.instant(), endpointId);
    try {
      store.append(entry);
      reverted.add(endpointId);
    } catch (RuntimeException e) {
      LOG.warn("rollout '{}': cannot record that '{}' is back on baseline; will record it on its next report",
          id, endpointId, e);
    }
  }

  // ---------------------------------------------------------------- replay

  /** Re-applies a stored admission: the endpoint is exposed again, with a fresh deadline from the restart. */
  void replay(JournalEntry.Admitted a) {
    if (a.ringIndex() < 0 || a.ringIndex() > lastRing) {
      throw new RingfenceException("rollout '" + id + "': stored admission of '" + a.endpointId() + "' names ring "
          + a.ringIndex() + ", which the plan does not have; the journal is inconsistent");
    }
    markBucket(cohort.bucket(a.endpointId()));
    // Health reports are not journaled: every endpoint gets a fresh deadline from the restart. An admission
    // stamped later than now (the clock went back) gets its deadline from now, not from that future.
    long from = Math.min(Math.max(Times.millis(a.at()), recoveredAtMillis), timeline.millis());
    Track track = new Track(a.endpointId(), a.ringIndex(), from, 0);
    recoveredFromStore = true;
    if (admitted.putIfAbsent(track) == null) {
      perRing.incrementAndGet(a.ringIndex());
      health.admitted(track);
    }
  }

  // ---------------------------------------------------------------- views

  /** The admitted count of each ring, in ring order. */
  List<Long> perRingCounts() {
    List<Long> counts = new ArrayList<>(perRing.length());
    for (int i = 0; i < perRing.length(); i++) {
      counts.add(perRing.get(i));
    }
    return counts;
  }

  /** The exposed endpoints not yet seen back on the baseline, sorted. */
  List<String> stragglers() {
    List<String> result = new ArrayList<>();
    admitted.forEach(track -> {
      if (!reverted.contains(track.id)) {
        result.add(track.id);
      }
    });
    Collections.sort(result);
    return result;
  }
}
