package dev.ringfence.core.internal;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutMetrics;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.UnknownVersionException;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.InvalidSignalException;
import dev.ringfence.protocol.RingfenceException;
import dev.ringfence.protocol.Signal;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One rollout, as the {@link Rollout} the engine hands out: it wires the rollout's parts, owns its lock and answers
 * for one actor. {@link #by(String)} gives another runtime over the same parts whose commands are recorded as that
 * actor's.
 *
 * <ul>
 *   <li>{@link Transitions}: the {@link Snapshot} decisions read, the journaled transitions that replace it, their
 *       replay and the catch-up with a shared store;
 *   <li>{@link Admissions}: who is exposed, the per-ring counts and caps, the velocity limit, the holdback, and who is
 *       back on the baseline;
 *   <li>{@link RingJudge}: the tick that judges the open ring's gate and acts on its verdict, and finishes a rollback;
 *   <li>{@link Commands}: an operator's commands, their checks and their causes.
 * </ul>
 *
 * <p>Concurrency: decisions read a volatile {@link Snapshot} and a concurrent admission map and take
 * no lock. Transitions, gate evaluation and rollback bookkeeping run under {@code lock}; each writes
 * its journal entry to the store before it swaps the snapshot, so a refused write changes nothing.
 */
final class RolloutRuntime implements Rollout {

  /** Who a command is recorded as coming from when the caller does not say. */
  static final String OPERATOR = "operator";

  private final RolloutSpec spec;
  private final String id;
  private final LintReport lint;
  private final long baseline;
  private final long candidate;
  /** The plan's rings, held tiers' included, built once. */
  private final List<Ring> rings;
  private final DecisionTable decisions;
  private final HealthTracker health;
  private final Timeline timeline;
  private final RolloutMetrics metrics;
  private final Object lock;
  private final Transitions transitions;
  private final Admissions admissions;
  private final RingJudge judge;
  private final Commands commands;
  /** Who this runtime's commands are recorded as coming from. */
  private final String actor;
  /** Appended to {@link #toString()}: empty for the engine's own runtime, else who acts. */
  private final String actingAs;

  RolloutRuntime(RolloutSpec spec, DefaultRolloutEngine.ResolvedGates resolved, LintReport lint,
      RolloutEngineConfig config, EventBus events, long recentAdmissions) {
    this.spec = spec;
    this.id = spec.id();
    this.lint = lint;
    this.baseline = spec.baselineVersion();
    this.candidate = spec.candidateVersion();
    this.rings = resolved.rings;
    this.decisions = new DecisionTable(spec, rings);
    this.actor = OPERATOR;
    this.actingAs = "";
    this.lock = new Object();
    Clock clock = config.clock();
    RolloutStore store = config.store();
    this.timeline = new Timeline(clock);
    long recoveredAtMillis = timeline.millis(); // a new timeline reads the clock: the same instant
    long silenceMillis = config.silenceDeadline().toMillis();
    TrackTable admitted = new TrackTable();
    int holdbackFrom = Cohort.BUCKETS - config.controlHoldback(); // never admitted, always in the control sample
    this.health = new HealthTracker(rings.size(), silenceMillis, admitted, timeline, holdbackFrom);
    RolloutCounters counters = new RolloutCounters();
    this.metrics = new RuntimeMetrics(health, counters);
    this.transitions = new Transitions(id, clock, store, config.stalenessBound().toMillis(), events, admitted,
        baseline, recoveredAtMillis);
    this.admissions = new Admissions(spec, rings, clock, store, events, health, timeline, transitions, admitted,
        decisions, holdbackFrom, recentAdmissions, recoveredAtMillis);
    boolean[] dry = resolved.dryRun.clone();
    boolean[] approval = resolved.approvalRequired.clone();
    this.judge = new RingJudge(spec, rings, resolved.gates.clone(), dry, resolved.pauseOnFail.clone(), approval,
        clock, store, events, silenceMillis, config.inconclusiveLimit(), health, counters, timeline, transitions,
        admissions, lock);
    this.commands = new Commands(spec.plan(), rings, id, dry, approval, clock, counters, transitions, admissions,
        judge, lock);
  }

  /** The same rollout, its commands recorded as {@code actor}'s. */
  private RolloutRuntime(RolloutRuntime of, String actor) {
    this.spec = of.spec;
    this.id = of.id;
    this.lint = of.lint;
    this.baseline = of.baseline;
    this.candidate = of.candidate;
    this.rings = of.rings;
    this.decisions = of.decisions;
    this.health = of.health;
    this.timeline = of.timeline;
    this.metrics = of.metrics;
    this.lock = of.lock;
    this.transitions = of.transitions;
    this.admissions = of.admissions;
    this.judge = of.judge;
    this.commands = of.commands;
    this.actor = actor;
    this.actingAs = " by " + actor;
  }

  // ---------------------------------------------------------------- decisions (hot path)

  /** The longest endpoint id a decision takes (an admission journals it; the update server allows 128). */
  static final int MAX_ENDPOINT_ID = 1_024;

  @Override
  public Decision decide(String endpointId, EndpointAttributes attributes, long currentVersion) {
    if (endpointId == null || endpointId.isEmpty() || (!startsVisibly(endpointId) && endpointId.isBlank())) {
      throw new InvalidInputException("endpointId", "is null or blank; every endpoint needs a stable, non-blank id");
    }
    if (endpointId.length() > MAX_ENDPOINT_ID) {
      throw new InvalidInputException("endpointId", "is " + endpointId.length() + " characters, above "
          + MAX_ENDPOINT_ID + "; an admission journals it");
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
    // A store one process owns is never stale: skip the read.
    long synced = transitions.sharedStore != null ? transitions.syncedAtMillis : 0;
    Snapshot s = transitions.snapshot;
    RolloutState state = s.state();
    if (state != RolloutState.RUNNING && state != RolloutState.PAUSED) {
      return decideSettled(endpointId, attributes, currentVersion, state, synced);
    }
    int bucket = admissions.cohort.bucket(endpointId);
    Track track = admissions.admittedTrack(endpointId, bucket);
    if (track != null) {
      if (track.stratum() == Track.UNKNOWN_STRATUM) {
        health.learnStratum(track, attributes); // restored from the journal, which keeps no attributes
      }
      return admissions.fresh(decisions.offer[track.ring], synced);
    }
    Decision decision = admissions.notYetAdmitted(endpointId, attributes, bucket, s, synced);
    Decision.Kind kind = decision.kind();
    if (kind != Decision.Kind.OFFER && kind != Decision.Kind.REVERT && health.samplesControl(bucket)) {
      // Still on the baseline, and in the control sample: observed as control. The lookup is the common
      // path's one extra cost, paid only for the sample; the track (and its attribute group) is made once per
      // endpoint, and never for one admitted on its first poll, which is at risk in the candidate arm from
      // that poll instead.
      health.observeControl(endpointId, attributes);
    }
    return decision;
  }

  /** The decision outside a running or paused rollout. */
  private Decision decideSettled(String endpointId, EndpointAttributes attributes, long currentVersion,
      RolloutState state, long synced) {
    switch (state) {
      case HALTED:
      case ROLLING_BACK:
      case ROLLED_BACK:
        return admissions.halted(endpointId, currentVersion, state);
      case COMPLETED:
        return admissions.completed(endpointId, attributes, synced);
      case ABORTED:
        return decisions.stayAborted;
      case PLANNED:
      default:
        return decisions.stayNotStarted;
    }
  }

  /**
   * Whether an id's first char is one that no whitespace test accepts ({@link Character#isWhitespace} is false
   * from U+0021 to U+167F): then the id is not blank, and the decision path need not scan it.
   */
  static boolean startsVisibly(String id) {
    char first = id.charAt(0);
    return first > ' ' && first < '\u1680';
  }

  // ---------------------------------------------------------------- health signals (hot path)

  @Override
  public IngestResult ingest(Signal signal) {
    if (signal == null) {
      throw new InvalidSignalException("signal", "is null");
    }
    String endpointId = signal.endpointId();
    long version = signal.version();
    int bucket = admissions.cohort.bucket(endpointId);
    Track track = admissions.admittedTrack(endpointId, bucket);
    if (track != null) {
      if (version != candidate && version != baseline) {
        return health.count(signal, HealthTracker.ARM_CANDIDATE, IngestResult.ANOMALY);
      }
      if (!track.advance(signal.order())) {
        return health.count(signal, HealthTracker.ARM_CANDIDATE, IngestResult.DUPLICATE);
      }
      if (version == candidate) {
        health.apply(track, HealthTracker.ARM_CANDIDATE, signal, timeline.approxMillis());
      } else if (transitions.snapshot.state() == RolloutState.ROLLING_BACK) {
        admissions.markReverted(endpointId); // an exposed endpoint reports the baseline again
      }
      return health.count(signal, HealthTracker.ARM_CANDIDATE, IngestResult.ACCEPTED);
    }
    RolloutState state = transitions.snapshot.state();
    if (version == candidate && state == RolloutState.COMPLETED) {
      // Released to everyone: the candidate is the new normal, and no arm is being judged.
      return health.count(signal, HealthTracker.ARM_NONE, IngestResult.ACCEPTED);
    }
    if (version != baseline) {
      // Claims the candidate without having been offered it, or a version this rollout does not know.
      return health.count(signal, HealthTracker.ARM_NONE, IngestResult.ANOMALY);
    }
    if (!RingJudge.judgesHealth(state)) {
      // Halted or ended: nothing is judged any more, so the control arm is no longer observed (its numbers stay
      // as they were when the candidate stopped); an endpoint on the baseline is counted and needs no track.
      return health.count(signal, HealthTracker.ARM_NONE, IngestResult.ACCEPTED);
    }
    // In the control sample a report before any poll makes the track (its first poll will say its attributes);
    // outside it only a track made before the sample began (while the arm was small) is kept up.
    Track control = health.samplesControl(bucket) ? health.controlTrack(endpointId, null)
        : health.control.get(endpointId);
    if (control == null) {
      return health.count(signal, HealthTracker.ARM_NONE, IngestResult.ACCEPTED); // not in the control sample
    }
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

  // ---------------------------------------------------------------- commands

  @Override
  public Rollout by(String actor) {
    if (actor == null || actor.isBlank() || actor.length() > 200) {
      throw new InvalidInputException("actor", "must be 1 to 200 characters naming who acts, e.g. alice@example.org");
    }
    return new RolloutRuntime(this, actor.strip());
  }

  @Override
  public void start() {
    commands.start(actor);
  }

  @Override
  public void pause(String reason) {
    commands.pause(actor, reason);
  }

  @Override
  public void resume(String reason) {
    commands.resume(actor, reason);
  }

  @Override
  public void halt(String reason) {
    commands.halt(actor, reason);
  }

  @Override
  public void abort(String reason) {
    commands.abort(actor, reason);
  }

  @Override
  public void approve(@Nullable String reason) {
    commands.approve(actor, reason);
  }

  @Override
  public void promote(@Nullable String reason) {
    commands.promote(actor, reason);
  }

  @Override
  public void promoteSkippingGate(String reason) {
    commands.promoteSkippingGate(actor, reason);
  }

  // ---------------------------------------------------------------- engine: tick, catch-up, replay

  void tick() {
    judge.tick(null, List.of());
  }

  /** See {@link RingJudge#tick(HealthCounts, List)}. */
  void tick(@Nullable HealthCounts collected, List<HealthShare> others) {
    judge.tick(collected, others);
  }

  /** See {@link RingJudge#collectHealth()}. */
  @Nullable HealthCounts collectHealth() {
    return judge.collectHealth();
  }

  /** Pulls transitions other replicas committed; the engine calls this on every tick with a shared store. */
  void refresh() {
    synchronized (lock) {
      transitions.refreshOrLog();
    }
  }

  /**
   * Re-applies one stored entry during recovery. Checks that the journal is consistent with the
   * transition table; an inconsistent journal stops recovery rather than guess.
   */
  void replay(JournalEntry entry) {
    if (entry instanceof JournalEntry.Transitioned t) {
      transitions.replay(t);
    } else if (entry instanceof JournalEntry.Admitted a) {
      admissions.replay(a);
    } else if (entry instanceof JournalEntry.Reverted r) {
      admissions.reverted.add(r.endpointId());
    } else if (entry instanceof JournalEntry.VerdictRecorded v) {
      judge.replay(v);
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
    return transitions.snapshot.state();
  }

  @Override
  public LintReport lintReport() {
    return lint;
  }

  @Override
  public RolloutStatus status() {
    synchronized (lock) {
      Snapshot s = transitions.snapshot;
      int ring = s.ringIndex();
      return new RolloutStatus(id, spec.channel(), s.state(), ring,
          ring < 0 ? "" : rings.get(ring).name(), s.ringOpenedAt(), admissions.perRingCounts(),
          admissions.admitted.size(), admissions.reverted.size(), judge.lastVerdict, judge.currentVerdict,
          judge.currentVerdictAt, s.cause(), ring >= 0 && judge.approvalRequired[ring], s.awaitingApprovalSince(),
          s.approvedAt(), s.approval());
    }
  }

  @Override
  public List<String> stragglers() {
    if (!transitions.snapshot.state().isHalted()) {
      return List.of();
    }
    return admissions.stragglers();
  }

  @Override
  public String toString() {
    Snapshot s = transitions.snapshot;
    return "Rollout[" + id + ", " + s.state() + ", ring " + s.ringIndex() + "]" + actingAs;
  }
}
