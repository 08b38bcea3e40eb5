package dev.ringfence.core.internal;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.CommandRefusedException;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.FreezeWindowException;
import dev.ringfence.core.IllegalStateTransitionException;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutMetrics;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.UnknownVersionException;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.FreezeWindow;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.plan.Selector;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.InvalidSignalException;
import dev.ringfence.protocol.RingfenceException;
import dev.ringfence.protocol.Signal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rollout: its state machine, its admissions and its decisions.
 *
 * <p>Concurrency: decisions read a volatile {@link Snapshot} and a concurrent admission map and take
 * no lock. Transitions, gate evaluation and rollback bookkeeping run under {@code lock}; each writes
 * its journal entry to the store before it swaps the snapshot, so a refused write changes nothing.
 */
final class RolloutRuntime implements Rollout {

  private static final Logger LOG = LoggerFactory.getLogger(RolloutRuntime.class);
  private static final int STRAGGLERS_IN_CAUSE = 20;

  /** Who a command is recorded as coming from when the caller does not say. */
  static final String OPERATOR = "operator";

  private final RolloutSpec spec;
  private final String id;
  private final Plan plan;
  private final Gate[] gates;
  private final boolean[] dryRun;
  /** Per ring: a FAIL pauses the rollout instead of halting it ({@code "onFail": "pause"}). */
  private final boolean[] pauseOnFail;
  /**
   * Per ring: a PASS after bake time and sample does not open the next ring until an operator approves or promotes
   * ({@code "approval": "required"}, or gate type {@code approval}).
   */
  private final boolean[] approvalRequired;
  private final LintReport lint;
  private final Clock clock;
  private final RolloutStore store;
  private final EventBus events;
  private final long silenceMillis;
  private final Duration inconclusiveLimit;
  private final HealthTracker health;
  private final RolloutCounters counters = new RolloutCounters();
  private final RolloutMetrics metrics;

  private final Cohort cohort;
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
  private final List<Ring> rings;
  private final DecisionTable decisions;
  private final long baseline;
  private final long candidate;

  /** Endpoint id to its track (ring of admission, health). Never shrinks: a rollback forgets nothing. */
  private final TrackTable admitted = new TrackTable();
  private final AtomicLongArray admittedPerRing;
  /**
   * One bit per cohort bucket, set before any endpoint of that bucket is admitted: a clear bit proves
   * an endpoint is not admitted without touching the admission map. Most endpoints sit in buckets
   * above every open share, so most decisions never leave the CPU cache for the map.
   */
  private final AtomicLongArray admittedBuckets = new AtomicLongArray((Cohort.BUCKETS + 63) / 64);
  private final Set<String> reverted = ConcurrentHashMap.newKeySet();
  private final TokenBucket velocity;

  private final Object lock = new Object();
  private volatile Snapshot snapshot = Snapshot.INITIAL;
  private volatile boolean storeOutageLogged;
  /**
   * Set while a halting transition is being written: from before the write starts until the snapshot
   * says halted (or the write failed). Decisions that would OFFER answer HOLD meanwhile, so no OFFER is
   * answered after a HALT reached the journal.
   */
  private volatile boolean halting;
  /** With a shared store: when this replica last knew it had every transition, in clock millis. */
  private volatile long syncedAtMillis;
  /** The store's shared capabilities; null for a store one process owns. */
  private final @Nullable SharedRolloutStore sharedStore;
  private final long stalenessMillis;
  // Guarded by lock.
  private Verdict lastVerdict;
  private int lastVerdictRing = -1;
  /** The verdict of the most recent evaluation, journaled or not, and when: for status pages. */
  private volatile @Nullable Verdict currentVerdict;
  private volatile @Nullable Instant currentVerdictAt;
  /** The ring {@link #currentVerdict} judged: after a ring opens, the previous ring's verdict is not the open one's. */
  private volatile int currentVerdictRing = -1;
  private FreezeWindow deferredBy;

  /** Silence deadlines and the restart guard run on this, so that a clock set back cannot postpone them. */
  private final Timeline timeline;
  /**
   * On the timeline: deadlines of endpoints admitted before a restart start again from here, not from their
   * admission.
   */
  private final long recoveredAtMillis;
  /** Whether this runtime was rebuilt from stored admissions (a restart), not created fresh. */
  private volatile boolean recoveredFromStore;

  RolloutRuntime(RolloutSpec spec, Gate[] gates, boolean[] dryRun, boolean[] pauseOnFail, boolean[] approvalRequired,
      LintReport lint, RolloutEngineConfig config, EventBus events, long recentAdmissions) {
    this.spec = spec;
    this.id = spec.id();
    this.plan = spec.plan();
    this.gates = gates.clone();
    this.dryRun = dryRun.clone();
    this.pauseOnFail = pauseOnFail.clone();
    this.approvalRequired = approvalRequired.clone();
    this.lint = lint;
    this.clock = config.clock();
    this.store = config.store();
    this.events = events;
    this.silenceMillis = config.silenceDeadline().toMillis();
    this.inconclusiveLimit = config.inconclusiveLimit();
    this.timeline = new Timeline(clock);
    this.recoveredAtMillis = timeline.millis(); // a new timeline reads the clock: the same instant
    this.rings = plan.allRings();
    this.health = new HealthTracker(rings.size(), silenceMillis, admitted, timeline);
    this.holdbackFrom = Cohort.BUCKETS - config.controlHoldback();
    this.metrics = new RuntimeMetrics(health, counters);
    this.sharedStore = store.shared().orElse(null);
    this.stalenessMillis = config.stalenessBound().toMillis();
    this.syncedAtMillis = recoveredAtMillis;
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
    this.lastRing = n - 1;
    this.lastPlanRing = plan.rings().size() - 1;
    this.decisions = new DecisionTable(spec);
    this.baseline = spec.baselineVersion();
    this.candidate = spec.candidateVersion();
    this.admittedPerRing = new AtomicLongArray(n);
    this.velocity = plan.hasVelocityLimit()
        ? new TokenBucket(clock, plan.maxNewExposuresPerHour(), recentAdmissions)
        : null;
  }

  // ---------------------------------------------------------------- decisions (hot path)

  @Override
  public Decision decide(String endpointId, EndpointAttributes attributes, long currentVersion) {
    if (endpointId == null || endpointId.isBlank()) {
      throw new InvalidInputException("endpointId", "is null or blank; every endpoint needs a stable, non-blank id");
    }
    if (attributes == null) {
      throw new InvalidInputException("attributes", "is null; pass EndpointAttributes.UNKNOWN when nothing is known");
    }
    if (currentVersion < 0) {
      throw new InvalidInputException("currentVersion", currentVersion + " is negative; versions start at 0");
    }
    if (currentVersion > candidate) {
      throw new UnknownVersionException(id, currentVersion, candidate);
    }
    // Read the sync time before the snapshot: refresh writes the snapshot first and the sync time after,
    // so a fresh sync time guarantees a snapshot at least as new (no OFFER from a view older than it).
    long synced = sharedStore != null ? syncedAtMillis : 0; // a store one process owns is never stale: skip the read
    Snapshot s = snapshot;
    switch (s.state()) {
      case RUNNING:
      case PAUSED: {
        int bucket = cohort.bucket(endpointId);
        Track track = admittedTrack(endpointId, bucket);
        if (track != null) {
          if (track.stratum() == Track.UNKNOWN_STRATUM) {
            health.learnStratum(track, attributes); // restored from the journal, which keeps no attributes
          }
          return fresh(decisions.offer[track.ring], synced);
        }
        Decision decision = notYetAdmitted(endpointId, attributes, bucket, s, synced);
        Decision.Kind kind = decision.kind();
        if (kind != Decision.Kind.OFFER && kind != Decision.Kind.REVERT) {
          // Still on the baseline: observed as control. The lookup is the common path's one extra cost; the
          // track (and its attribute group) is made once per endpoint, and never for one admitted on its
          // first poll, which is at risk in the candidate arm from that poll instead.
          health.observeControl(endpointId, attributes);
        }
        return decision;
      }
      case HALTED:
      case ROLLING_BACK:
      case ROLLED_BACK:
        return decideHalted(endpointId, cohort.bucket(endpointId), currentVersion, s.state());
      case COMPLETED: {
        int bucket = cohort.bucket(endpointId);
        if (admittedTrack(endpointId, bucket) != null || outside(bucket, attributes, lastRing) == null) {
          return fresh(decisions.offerCompleted, synced);
        }
        return decisions.stayCompleted;
      }
      case ABORTED:
        return decisions.stayAborted;
      case PLANNED:
      default:
        return decisions.stayNotStarted;
    }
  }

  /** The decision for an endpoint not admitted before this call: STAY, HOLD, or its admission. */
  private Decision notYetAdmitted(String endpointId, EndpointAttributes attributes, int bucket, Snapshot s,
      long synced) {
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
    return isStale(synced) ? decisions.holdStale
        : admit(endpointId, attributes, bucket, admissionRing(attributes, s.ringIndex()));
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

  /**
   * An OFFER, unless this replica shares its store and has not caught up with it recently: then it
   * may be offering a candidate that another replica has halted, so it holds.
   */
  private Decision fresh(Decision offer, long synced) {
    if (halting) {
      return decisions.holdHalting;
    }
    return isStale(synced) ? decisions.holdStale : offer;
  }

  private boolean isStale(long synced) {
    if (sharedStore == null) {
      return false;
    }
    long now = Times.millis(clock.instant());
    // A clock set back behind the last catch-up cannot say how old the view is: stale until the next catch-up.
    return now - synced > stalenessMillis || now < synced;
  }

  /** The track of an admitted endpoint, or null; reads the map only when the bucket's bit is set. */
  private Track admittedTrack(String endpointId, int bucket) {
    if ((admittedBuckets.get(bucket >>> 6) & (1L << bucket)) == 0) {
      return null;
    }
    return admitted.get(endpointId);
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
      admittedPerRing.decrementAndGet(ring);
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
    if (halting || snapshot.state().isHalted()) {
      return decisions.revert;
    }
    return decisions.offer[ring];
  }

  private boolean reserve(int ring) {
    long cap = caps[ring];
    while (true) {
      long current = admittedPerRing.get(ring);
      if (current >= cap) {
        return false;
      }
      if (admittedPerRing.compareAndSet(ring, current, current + 1)) {
        return true;
      }
    }
  }

  private void release(int ring) {
    admittedPerRing.decrementAndGet(ring);
    if (velocity != null) {
      velocity.refund();
    }
  }

  private Decision decideHalted(String endpointId, int bucket, long currentVersion, RolloutState state) {
    boolean exposed = admittedTrack(endpointId, bucket) != null;
    if (!exposed && currentVersion != candidate) {
      return decisions.stayHalted;
    }
    if (exposed && state == RolloutState.ROLLING_BACK && currentVersion == baseline
        && !reverted.contains(endpointId)) {
      markReverted(endpointId);
    }
    return decisions.revert;
  }

  private void markReverted(String endpointId) {
    JournalEntry.Reverted entry = new JournalEntry.Reverted(id, clock.instant(), endpointId);
    try {
      store.append(entry);
      reverted.add(endpointId);
    } catch (RuntimeException e) {
      LOG.warn("rollout '{}': cannot record that '{}' is back on baseline; will record it on its next report",
          id, endpointId, e);
    }
  }

  // ---------------------------------------------------------------- health signals (hot path)

  @Override
  public IngestResult ingest(Signal signal) {
    if (signal == null) {
      throw new InvalidSignalException("signal", "is null");
    }
    String endpointId = signal.endpointId();
    long version = signal.version();
    Track track = admittedTrack(endpointId, cohort.bucket(endpointId));
    if (track != null) {
      if (version != candidate && version != baseline) {
        return health.count(signal, HealthTracker.ARM_CANDIDATE, IngestResult.ANOMALY);
      }
      if (!track.advance(signal.order())) {
        return health.count(signal, HealthTracker.ARM_CANDIDATE, IngestResult.DUPLICATE);
      }
      if (version == candidate) {
        health.apply(track, HealthTracker.ARM_CANDIDATE, signal, timeline.approxMillis());
      } else if (snapshot.state() == RolloutState.ROLLING_BACK && !reverted.contains(endpointId)) {
        markReverted(endpointId); // an exposed endpoint reports the baseline again
      }
      return health.count(signal, HealthTracker.ARM_CANDIDATE, IngestResult.ACCEPTED);
    }
    if (version == candidate && snapshot.state() == RolloutState.COMPLETED) {
      // Released to everyone: the candidate is the new normal, and no arm is being judged.
      return health.count(signal, HealthTracker.ARM_NONE, IngestResult.ACCEPTED);
    }
    if (version != baseline) {
      // Claims the candidate without having been offered it, or a version this rollout does not know.
      return health.count(signal, HealthTracker.ARM_NONE, IngestResult.ANOMALY);
    }
    Track control = health.controlTrack(endpointId, null); // its first poll will say its attributes
    if (!control.advance(signal.order())) {
      return health.count(signal, HealthTracker.ARM_CONTROL, IngestResult.DUPLICATE);
    }
    health.apply(control, HealthTracker.ARM_CONTROL, signal, timeline.approxMillis());
    return health.count(signal, HealthTracker.ARM_CONTROL, IngestResult.ACCEPTED);
  }

  @Override
  public RolloutMetrics metrics() {
    return metrics;
  }

  HealthTracker health() {
    return health;
  }

  RolloutCounters counters() {
    return counters;
  }

  // ---------------------------------------------------------------- commands

  @Override
  public void start() {
    start(OPERATOR);
  }

  @Override
  public Rollout by(String actor) {
    String who = requireActor(actor);
    return new ActingRollout(this, who);
  }

  void start(String actor) {
    synchronized (lock) {
      Snapshot s = snapshot;
      if (s.state() == RolloutState.PLANNED) {
        Optional<FreezeWindow> freeze = plan.freezeAt(clock.instant());
        if (freeze.isPresent()) {
          throw new FreezeWindowException(id, freeze.get().to(), freeze.get().reason());
        }
      }
      transition(Trigger.START, "started by " + actor + "; opening ring '" + rings.get(0).name() + "'", null);
    }
  }

  @Override
  public void pause(String reason) {
    pause(OPERATOR, reason);
  }

  void pause(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      transition(Trigger.PAUSE, "paused by " + actor + ": " + why, null);
    }
  }

  @Override
  public void resume(String reason) {
    resume(OPERATOR, reason);
  }

  void resume(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      transition(Trigger.RESUME, "resumed by " + actor + ": " + why, null);
    }
  }

  @Override
  public void halt(String reason) {
    halt(OPERATOR, reason);
  }

  void halt(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      try {
        transition(Trigger.HALT, "halted by " + actor + ": " + why, null);
      } catch (StoreException e) {
        // Another replica may have moved the rollout on: catch up, then halt from where it is now.
        if (sharedStore == null) {
          throw e;
        }
        refreshLocked();
        if (snapshot.state().isHalted()) {
          return; // another replica halted it first: the rollout is halted, which is what was asked
        }
        transition(Trigger.HALT, "halted by " + actor + ": " + why, null);
      }
      counters.halted();
      beginRollback();
    }
  }

  /** Pulls transitions other replicas committed; the engine calls this on every tick with a shared store. */
  void refresh() {
    synchronized (lock) {
      try {
        refreshLocked();
      } catch (StoreException e) {
        LOG.warn("rollout '{}': cannot catch up with the shared store; offers hold once the view is older than {} ms",
            id, stalenessMillis, e);
      }
    }
  }

  private void refreshLocked() {
    if (sharedStore == null) {
      return; // one process owns the store: nothing to catch up with
    }
    long now = Times.millis(clock.instant());
    for (JournalEntry.Transitioned t : sharedStore.transitionsAfter(id, snapshot.sequence())) {
      replay(t);
      LOG.info("rollout '{}': {} -> {} ({}) on another replica: {}", id, t.from(), t.to(), t.trigger(), t.cause());
      events.publish(t);
    }
    syncedAtMillis = now;
  }

  @Override
  public void abort(String reason) {
    abort(OPERATOR, reason);
  }

  void abort(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      transition(Trigger.ABORT, "aborted by " + actor + ": " + why, null);
      if (snapshot.state() == RolloutState.HALTED) {
        counters.halted();
        beginRollback();
      }
    }
  }

  @Override
  public void approve(@Nullable String reason) {
    approve(OPERATOR, reason);
  }

  void approve(String actor, @Nullable String reason) {
    String why = optionalReason(reason);
    synchronized (lock) {
      Snapshot s = requireAllowed(Trigger.APPROVE);
      int ring = s.ringIndex();
      if (!approvalRequired[ring]) {
        throw new CommandRefusedException(id, CommandRefusedException.Reason.NO_APPROVAL_REQUIRED, "nothing to"
            + " approve: the rollout is " + s.state() + " in ring '" + ringName(ring) + "', whose gate does not require"
            + " approval (\"approval\": \"required\"); it opens the next ring when its gate passes, or promote opens"
            + " it now once the gate has passed");
      }
      if (s.approvedAt() != null) {
        return; // the same ring approved twice is one approval: the first is the one recorded
      }
      transition(Trigger.APPROVE, "approved by " + actor + (why == null ? "" : ": " + why) + "; ring '"
          + ringName(ring) + "' " + (s.awaitingApprovalSince() != null
              ? "has passed its gate: " + (ring == lastRing ? "the rollout completes" : "the next ring opens")
                  + " at the next tick at which it still passes"
              : "has not passed its gate yet: " + (ring == lastRing ? "the rollout completes" : "the next ring opens")
                  + " once it passes after its bake time"), null);
    }
  }

  @Override
  public void promote(@Nullable String reason) {
    promote(OPERATOR, reason);
  }

  void promote(String actor, @Nullable String reason) {
    String why = optionalReason(reason);
    synchronized (lock) {
      Snapshot s = requireAllowed(Trigger.PROMOTE);
      int ring = s.ringIndex();
      requireNextRing(s, "promote");
      Verdict verdict = openRingVerdict(ring);
      if (!dryRun[ring] && (verdict == null || verdict.outcome() != Verdict.Outcome.PASS)) {
        throw new CommandRefusedException(id, CommandRefusedException.Reason.GATE_NOT_PASSED, "cannot promote: ring '"
            + ringName(ring) + "' has not passed its gate, whose current verdict is " + describe(verdict)
            + "; wait for PASS, or skip the gate with a written reason (promote --skip-gate \"reason\")");
      }
      long exposed = admittedPerRing.get(ring);
      Ring current = rings.get(ring);
      if (exposed < current.minSample()) {
        throw new CommandRefusedException(id, CommandRefusedException.Reason.SAMPLE_TOO_SMALL, "cannot promote: ring '"
            + current.name() + "' has " + exposed + " exposed of its minimum sample " + current.minSample()
            + "; promote skips the bake time, not the sample (skip the gate with a written reason to open it anyway)");
      }
      requireNoFreeze();
      Duration open = Duration.between(s.ringOpenedAt(), clock.instant());
      transition(Trigger.PROMOTE, "promoted by " + actor + (why == null ? "" : ": " + why) + "; ring '" + current.name()
          + "' passed its gate" + (dryRun[ring] ? " (dry run: its verdicts are not obeyed)" : "") + " after "
          + open.getSeconds() + "s of its " + current.bakeTime().getSeconds() + "s bake time with " + exposed
          + " exposed" + (verdict == null ? "" : ": " + verdict.reason()) + "; opening ring '" + ringName(ring + 1) + "'",
          verdict);
    }
  }

  @Override
  public void promoteSkippingGate(String reason) {
    promoteSkippingGate(OPERATOR, reason);
  }

  void promoteSkippingGate(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      Snapshot s = requireAllowed(Trigger.SKIP_GATE);
      int ring = s.ringIndex();
      requireNextRing(s, "promote --skip-gate");
      requireNoFreeze();
      Verdict verdict = openRingVerdict(ring);
      Ring current = rings.get(ring);
      Duration open = Duration.between(s.ringOpenedAt(), clock.instant());
      transition(Trigger.SKIP_GATE, "gate skipped by " + actor + ": " + why + "; ring '" + current.name() + "' was "
          + s.state() + ", open " + open.getSeconds() + "s of its " + current.bakeTime().getSeconds() + "s bake time"
          + " with " + admittedPerRing.get(ring) + " exposed of its minimum sample " + current.minSample()
          + ", its gate's skipped verdict " + describe(verdict) + "; opening ring '" + ringName(ring + 1) + "'",
          verdict);
    }
  }

  /** The snapshot, if the table lets {@code trigger} leave its state; the caller holds {@code lock}. */
  private Snapshot requireAllowed(Trigger trigger) {
    Snapshot s = snapshot;
    if (s.state().next(trigger).isEmpty()) {
      throw new IllegalStateTransitionException(id, s.state(), trigger);
    }
    return s;
  }

  private void requireNextRing(Snapshot s, String command) {
    if (s.ringIndex() == lastRing) {
      throw new CommandRefusedException(id, CommandRefusedException.Reason.LAST_RING, "cannot " + command + ": ring '"
          + ringName(s.ringIndex()) + "' is the last ring, there is no next ring to open; the rollout completes when"
          + " its gate passes after its bake time" + (approvalRequired[s.ringIndex()] ? " and it is approved" : ""));
    }
  }

  private void requireNoFreeze() {
    Optional<FreezeWindow> freeze = plan.freezeAt(clock.instant());
    if (freeze.isPresent()) {
      throw new FreezeWindowException(id, freeze.get().to(), freeze.get().reason());
    }
  }

  /** The most recent verdict of the open ring on this replica (journaled or from the last tick), or null. */
  private @Nullable Verdict openRingVerdict(int ring) {
    Verdict verdict = currentVerdict;
    return verdict != null && currentVerdictRing == ring ? verdict : null;
  }

  private static String describe(@Nullable Verdict verdict) {
    if (verdict == null) {
      return "none yet (not judged since the ring opened)";
    }
    return verdict.outcome() + " (" + verdict.test() + ": " + verdict.reason() + (verdict.evidence().isEmpty() ? ""
        : "; " + verdict.evidence()) + ")";
  }

  private static @Nullable String optionalReason(@Nullable String reason) {
    return reason == null || reason.isBlank() ? null : reason.strip();
  }

  private static String requireActor(String actor) {
    if (actor == null || actor.isBlank() || actor.length() > 200) {
      throw new InvalidInputException("actor", "must be 1 to 200 characters naming who acts, e.g. alice@example.org");
    }
    return actor.strip();
  }

  private static String requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidInputException("reason", "is blank; every command is recorded with a reason");
    }
    return reason.strip();
  }

  /** Runs one transition; the caller holds {@code lock}. Journals first; a refusal changes nothing. */
  private void transition(Trigger trigger, String cause, Verdict verdict) {
    Snapshot s = snapshot;
    RolloutState to = s.state().next(trigger)
        .orElseThrow(() -> new IllegalStateTransitionException(id, s.state(), trigger));
    int ring = s.ringIndex();
    if (trigger == Trigger.START) {
      ring = 0;
    } else if (trigger.opensRing()) {
      ring = s.ringIndex() + 1;
    }
    JournalEntry.Transitioned entry = new JournalEntry.Transitioned(id, s.sequence() + 1, clock.instant(),
        s.state(), to, trigger, ring, cause, verdict);
    boolean halts = to.isHalted() && !s.state().isHalted();
    if (halts) {
      halting = true;
    }
    try {
      store.append(entry);
      snapshot = apply(s, entry);
    } finally {
      if (halts) {
        halting = false;
      }
    }
    syncedAtMillis = Math.max(syncedAtMillis, Times.millis(entry.at()));
    LOG.info("rollout '{}': {} -> {} ({}): {}", id, s.state(), to, trigger, cause);
    events.publish(entry);
  }

  /** The snapshot after a transition; shared by live transitions and replay so both agree exactly. */
  private static Snapshot apply(Snapshot s, JournalEntry.Transitioned entry) {
    Trigger trigger = entry.trigger();
    boolean opens = trigger.opensRing();
    Instant openedAt = opens ? entry.at() : s.ringOpenedAt();
    Instant rollbackStarted = trigger == Trigger.BEGIN_ROLLBACK ? entry.at() : s.rollbackStartedAt();
    // A ring's wait for approval and its approval belong to that ring: a newly opened ring starts without either.
    Instant awaiting = opens ? null : trigger == Trigger.AWAIT_APPROVAL ? entry.at() : s.awaitingApprovalSince();
    Instant approvedAt = opens ? null : trigger == Trigger.APPROVE ? entry.at() : s.approvedAt();
    String approval = opens ? null : trigger == Trigger.APPROVE ? entry.cause() : s.approval();
    return new Snapshot(entry.to(), entry.ringIndex(), openedAt, entry.sequence(), entry.cause(), rollbackStarted,
        trigger, awaiting, approvedAt, approval);
  }

  /** HALTED goes on to ROLLING_BACK at once; if the store refuses, the next tick tries again. */
  private void beginRollback() {
    try {
      transition(Trigger.BEGIN_ROLLBACK, "rolling back " + admitted.size() + " exposed endpoints to baseline "
          + baseline + " without waiting for bake time", null);
    } catch (StoreException e) {
      if (sharedStore != null) {
        // Usually another replica started the rollback first; the next tick catches up or retries.
        LOG.info("rollout '{}': halted; the rollback start was not recorded here ({}); the next tick catches up",
            id, e.getMessage());
      } else {
        LOG.error("rollout '{}': halted, but cannot record the start of the rollback; retrying on the next tick", id,
            e);
      }
    }
  }

  // ---------------------------------------------------------------- tick

  void tick() {
    tick(null, List.of());
  }

  /**
   * The first half of a tick with a shared store: this replica's deadlines and sweep, and its health counts to
   * publish to the other replicas.
   *
   * @return the counts, or null once the rollout has ended (nothing more is judged)
   */
  @Nullable HealthCounts collectHealth() {
    synchronized (lock) {
      if (snapshot.state().isTerminal()) {
        return null;
      }
      long now = timeline.millis();
      health.expireDeadlines(now);
      health.sweepQuiet(now);
      return health.collect();
    }
  }

  /**
   * Runs a tick: the health counts merged with the other replicas' shares, the telemetry check, the gate and
   * the rollback.
   *
   * @param collected this replica's counts from {@link #collectHealth()} in the same tick, or null to collect them
   *     now (a store one process owns)
   * @param others the other replicas' latest shares of this rollout
   */
  void tick(@Nullable HealthCounts collected, List<HealthShare> others) {
    Snapshot judged = null;
    synchronized (lock) {
      try {
        Snapshot s = snapshot;
        if (!s.state().isTerminal()) {
          long now = timeline.millis();
          HealthCounts local = collected;
          if (local == null) {
            health.expireDeadlines(now);
            health.sweepQuiet(now);
            local = health.collect();
          }
          FleetHealth.record(health, id, now, local, others, clock.instant(), replicaExpiry(),
              (rings.size() + 1) * Track.STATUSES);
          checkTelemetry(s);
          s = snapshot;
        }
        switch (s.state()) {
          case RUNNING:
          case PAUSED:
            judged = s;
            break;
          case HALTED:
            beginRollback();
            break;
          case ROLLING_BACK:
            finishRollbackIfDone(s);
            break;
          default:
            break;
        }
      } catch (StoreException e) {
        LOG.error("rollout '{}': the store refused an entry; nothing changed, retrying on the next tick", id, e);
      }
    }
    if (judged != null) {
      judge(judged);
    }
  }

  /**
   * How long a replica's health share counts as live after it was published: three staleness bounds, since a
   * replica that has not refreshed within one answers HOLD anyway, and one that missed three has stopped.
   */
  private Duration replicaExpiry() {
    return Duration.ofMillis(stalenessMillis).multipliedBy(3);
  }

  /**
   * The data-quality check: reports that fell in both arms alike are a telemetry fault, not a
   * regression, so the rollout pauses (no new admissions; a FAIL still halts) and says which reports
   * fell; once they recover it resumes by itself. The tracker decides when a group has a fault
   * (hysteresis: from {@value HealthTracker#TELEMETRY_PAUSE_SHARE} of the observed endpoints overdue in
   * both arms until under {@value HealthTracker#TELEMETRY_RESUME_SHARE} in one) and leaves the silences
   * of a faulted group out of the judge's failures. Silence in the candidate alone (the CrowdStrike
   * shape) is no fault: the judge counts it.
   */
  private void checkTelemetry(Snapshot s) {
    String fault = health.telemetryFault();
    if (s.state() == RolloutState.RUNNING && fault != null) {
      transition(Trigger.TELEMETRY_PAUSE, fault + ": a telemetry fault, not a regression; paused, resumes by"
          + " itself when reports recover in both arms", null);
    } else if (s.state() == RolloutState.PAUSED && s.trigger() == Trigger.TELEMETRY_PAUSE && fault == null) {
      transition(Trigger.TELEMETRY_RESUME, "reports recovered in both arms (under "
          + Math.round(100 * HealthTracker.TELEMETRY_RESUME_SHARE) + "% overdue in an arm of every group);"
          + " resumed by itself", null);
    }
  }

  /**
   * Evaluates the open ring's gate without holding the rollout's lock, so that a slow or hung gate
   * can never block {@code halt()} or the rollback; acts on the verdict only if nothing changed the
   * rollout meanwhile.
   */
  private void judge(Snapshot s) {
    int ring = s.ringIndex();
    Instant now = clock.instant();
    RuntimeGateContext context = new RuntimeGateContext(spec, rings.get(ring), ring, s.ringOpenedAt(), now,
        admittedPerRing.get(ring), admitted.size(), health);
    Verdict verdict = evaluate(ring, context);
    synchronized (lock) {
      if (snapshot.sequence() != s.sequence()) {
        return; // an operator or another replica moved the rollout on while the gate ran
      }
      try {
        act(s, ring, verdict, now);
      } catch (StoreException e) {
        LOG.error("rollout '{}': the store refused an entry; nothing changed, retrying on the next tick", id, e);
      }
    }
  }

  private Verdict evaluate(int ring, RuntimeGateContext context) {
    Verdict verdict;
    try {
      verdict = gates[ring].evaluate(context);
      if (verdict == null) {
        verdict = Verdict.error(gateName(ring), new NullPointerException("the gate returned null"));
      }
    } catch (RuntimeException e) {
      LOG.warn("rollout '{}': gate of ring '{}' threw", id, ringName(ring), e);
      verdict = Verdict.error(gateName(ring), e);
    }
    return verdict;
  }

  private void act(Snapshot s, int ring, Verdict evaluated, Instant now) {
    Verdict verdict = evaluated;
    currentVerdict = verdict;
    currentVerdictAt = now;
    currentVerdictRing = ring;
    recordVerdict(ring, verdict, now);
    counters.verdict(verdict.outcome());
    if (dryRun[ring]) {
      // Dry-run gates are judged and recorded, never obeyed: bake time and sample alone decide.
      verdict = Verdict.pass("dry-run", "gate of ring '" + ringName(ring) + "' runs dry: " + verdict.reason(),
          verdict.evidence());
    }
    switch (verdict.outcome()) {
      case FAIL:
        if (pauseOnFail[ring]) {
          // The plan chose a person over the automatic rollback for this ring; paused once, it stays paused.
          if (s.state() == RolloutState.RUNNING) {
            transition(Trigger.GATE_FAIL_PAUSE, "ring '" + ringName(ring) + "' failed its gate: " + verdict.reason()
                + "; paused (onFail: pause): halt to roll back, or resume to judge again", verdict);
          }
          break;
        }
        transition(Trigger.GATE_FAIL, "ring '" + ringName(ring) + "' failed its gate: " + verdict.reason(), verdict);
        counters.halted();
        beginRollback();
        break;
      case ERROR:
        if (s.state() == RolloutState.RUNNING) {
          transition(Trigger.GATE_ERROR, "the gate of ring '" + ringName(ring) + "' broke: " + verdict.reason()
              + "; paused until an operator resumes", verdict);
        }
        break;
      case PASS:
        if (s.state() == RolloutState.RUNNING) {
          advanceIfDue(s, verdict, now);
        }
        break;
      case INCONCLUSIVE:
        pauseIfInconclusiveTooLong(s, verdict, now);
        break;
      default:
        break;
    }
  }

  /** INCONCLUSIVE never opens a ring; past the limit it pauses the rollout so that a person looks. */
  private void pauseIfInconclusiveTooLong(Snapshot s, Verdict verdict, Instant now) {
    if (s.state() != RolloutState.RUNNING) {
      return;
    }
    Duration limit = rings.get(s.ringIndex()).bakeTime().plus(inconclusiveLimit);
    Duration open = Duration.between(s.ringOpenedAt(), now);
    if (open.compareTo(limit) >= 0) {
      transition(Trigger.INCONCLUSIVE_LIMIT, "ring '" + ringName(s.ringIndex()) + "' is still INCONCLUSIVE after "
          + open.getSeconds() + "s open (bake time plus the " + inconclusiveLimit.getSeconds() + "s limit): "
          + verdict.reason() + "; paused until an operator resumes or halts", verdict);
    }
  }

  private void recordVerdict(int ring, Verdict verdict, Instant now) {
    if (ring == lastVerdictRing && lastVerdict != null && lastVerdict.outcome() == verdict.outcome()) {
      return;
    }
    JournalEntry.VerdictRecorded entry = new JournalEntry.VerdictRecorded(id, now, ring, verdict);
    store.append(entry);
    lastVerdict = verdict;
    lastVerdictRing = ring;
    events.publish(entry);
  }

  private void advanceIfDue(Snapshot s, Verdict verdict, Instant now) {
    int ring = s.ringIndex();
    Ring current = rings.get(ring);
    Duration open = Duration.between(s.ringOpenedAt(), now);
    // The engine enforces bake time and sample itself: no gate can make a ring open early.
    if (open.compareTo(current.bakeTime()) < 0 || admittedPerRing.get(ring) < current.minSample()) {
      return;
    }
    // After a restart the health counts start empty: wait until every endpoint admitted before it has
    // reported again or gone silent, so that failures seen before the restart cannot be forgotten into a PASS.
    if (recoveredFromStore && timeline.millis() < Times.saturatedAdd(recoveredAtMillis, silenceMillis)) {
      return;
    }
    Optional<FreezeWindow> freeze = plan.freezeAt(now);
    if (freeze.isPresent()) {
      if (!freeze.get().equals(deferredBy)) {
        deferredBy = freeze.get();
        LOG.info("rollout '{}': ring '{}' passed, but the next ring waits for the freeze window until {} ({})", id,
            current.name(), freeze.get().to(), freeze.get().reason());
      }
      return;
    }
    String passed = "ring '" + current.name() + "' passed after " + open.getSeconds() + "s with "
        + admittedPerRing.get(ring) + " exposed: " + verdict.reason();
    if (approvalRequired[ring]) {
      if (s.approvedAt() == null) {
        // Journaled once per ring, so that every replica and every restart agrees since when the ring has waited.
        if (s.awaitingApprovalSince() == null) {
          transition(Trigger.AWAIT_APPROVAL, passed + "; awaits an operator's approval before "
              + (ring == lastRing ? "the rollout completes" : "ring '" + ringName(ring + 1) + "' opens")
              + " (approve, or promote)", verdict);
        }
        return;
      }
      passed += "; " + s.approval();
    }
    if (ring == lastRing) {
      transition(Trigger.COMPLETE, passed + "; rollout complete", verdict);
    } else {
      transition(Trigger.ADVANCE, passed + "; opening ring '" + ringName(ring + 1) + "'", verdict);
    }
  }

  private void finishRollbackIfDone(Snapshot s) {
    if (sharedStore != null) {
      // Other replicas admitted endpoints too, and saw some of them come back: count them all.
      for (JournalEntry entry : store.read(id)) {
        if (entry instanceof JournalEntry.Admitted || entry instanceof JournalEntry.Reverted) {
          replay(entry);
        }
      }
    }
    int exposed = admitted.size();
    int back = reverted.size();
    if (back >= exposed) {
      transition(Trigger.FINISH_ROLLBACK, "all " + exposed + " exposed endpoints are back on baseline " + baseline,
          null);
      return;
    }
    Instant deadline = s.rollbackStartedAt().plus(plan.rollbackTimeout());
    if (!clock.instant().isBefore(deadline)) {
      List<String> stragglers = stragglers();
      String listed = String.join(", ", stragglers.subList(0, Math.min(STRAGGLERS_IN_CAUSE, stragglers.size())))
          + (stragglers.size() > STRAGGLERS_IN_CAUSE ? ", ..." : "");
      transition(Trigger.FINISH_ROLLBACK, "rollback deadline " + plan.rollbackTimeout() + " passed with "
          + stragglers.size() + " of " + exposed + " exposed endpoints not back on baseline " + baseline
          + "; stragglers: " + listed, null);
    }
  }

  private String gateName(int ring) {
    Ring r = rings.get(ring);
    return r.gate() == null ? "none" : r.gate().type();
  }

  private String ringName(int ring) {
    return rings.get(ring).name();
  }

  // ---------------------------------------------------------------- replay

  /**
   * Re-applies one stored entry during recovery. Checks that the journal is consistent with the
   * transition table; an inconsistent journal stops recovery rather than guess.
   */
  void replay(JournalEntry entry) {
    if (entry instanceof JournalEntry.Transitioned) {
      JournalEntry.Transitioned t = (JournalEntry.Transitioned) entry;
      Snapshot s = snapshot;
      if (t.sequence() != s.sequence() + 1 || t.from() != s.state()
          || s.state().next(t.trigger()).orElse(null) != t.to()) {
        throw new RingfenceException("rollout '" + id + "': stored transition " + t.sequence() + " (" + t.from()
            + " -" + t.trigger() + "-> " + t.to() + ") does not follow state " + s.state() + " at transition "
            + s.sequence() + "; the journal is inconsistent, restore it from a backup");
      }
      snapshot = apply(s, t);
    } else if (entry instanceof JournalEntry.Admitted) {
      JournalEntry.Admitted a = (JournalEntry.Admitted) entry;
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
        admittedPerRing.incrementAndGet(a.ringIndex());
        health.admitted(track);
      }
    } else if (entry instanceof JournalEntry.Reverted) {
      reverted.add(((JournalEntry.Reverted) entry).endpointId());
    } else if (entry instanceof JournalEntry.VerdictRecorded) {
      JournalEntry.VerdictRecorded v = (JournalEntry.VerdictRecorded) entry;
      lastVerdict = v.verdict();
      lastVerdictRing = v.ringIndex();
      // Until this replica judges again, the most recent verdict it knows is the journaled one.
      currentVerdict = v.verdict();
      currentVerdictAt = v.at();
      currentVerdictRing = v.ringIndex();
    } else {
      throw new RingfenceException("rollout '" + id + "': a second Created entry was found in the journal");
    }
  }

  // ---------------------------------------------------------------- views

  @Override
  public String id() {
    return id;
  }

  @Override
  public RolloutSpec spec() {
    return spec;
  }

  @Override
  public RolloutState state() {
    return snapshot.state();
  }

  @Override
  public LintReport lintReport() {
    return lint;
  }

  @Override
  public RolloutStatus status() {
    synchronized (lock) {
      Snapshot s = snapshot;
      List<Long> perRing = new ArrayList<>(admittedPerRing.length());
      for (int i = 0; i < admittedPerRing.length(); i++) {
        perRing.add(admittedPerRing.get(i));
      }
      return new RolloutStatus(id, spec.channel(), s.state(), s.ringIndex(),
          s.ringIndex() < 0 ? "" : ringName(s.ringIndex()), s.ringOpenedAt(), perRing, admitted.size(),
          reverted.size(), lastVerdict, currentVerdict, currentVerdictAt, s.cause(),
          s.ringIndex() >= 0 && approvalRequired[s.ringIndex()], s.awaitingApprovalSince(), s.approvedAt(),
          s.approval());
    }
  }

  @Override
  public List<String> stragglers() {
    if (!snapshot.state().isHalted()) {
      return List.of();
    }
    List<String> result = new ArrayList<>();
    admitted.forEach(track -> {
      if (!reverted.contains(track.id)) {
        result.add(track.id);
      }
    });
    Collections.sort(result);
    return result;
  }

  @Override
  public String toString() {
    Snapshot s = snapshot;
    return "Rollout[" + id + ", " + s.state() + ", ring " + s.ringIndex() + "]";
  }
}
