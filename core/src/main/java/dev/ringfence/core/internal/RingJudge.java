package dev.ringfence.core.internal;

import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.FreezeWindow;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring judge: each tick collects the health counts, checks the telemetry, evaluates the open ring's gate and
 * acts on its verdict (halt, pause, await approval, open the next ring, complete), and finishes a rollback once the
 * exposed endpoints are back or its deadline has passed. It records the verdicts, journaled when they change.
 *
 * <p>Runs under the rollout's lock, except the gate's evaluation: a slow or hung gate never blocks a command.
 */
final class RingJudge {

  // One rollout's lines under one logger name, as before the runtime was split.
  private static final Logger LOG = LoggerFactory.getLogger(RolloutRuntime.class);
  private static final int STRAGGLERS_IN_CAUSE = 20;

  private final RolloutSpec spec;
  private final String id;
  private final Plan plan;
  private final List<Ring> rings;
  private final int lastRing;
  private final Gate[] gates;
  private final boolean[] dryRun;
  /** Per ring: a FAIL pauses the rollout instead of halting it ({@code "onFail": "pause"}). */
  private final boolean[] pauseOnFail;
  /**
   * Per ring: a PASS after bake time and sample does not open the next ring until an operator approves or promotes
   * ({@code "approval": "required"}, or gate type {@code approval}).
   */
  final boolean[] approvalRequired;
  private final Clock clock;
  private final RolloutStore store;
  private final EventBus events;
  private final long silenceMillis;
  private final Duration inconclusiveLimit;
  private final HealthTracker health;
  private final RolloutCounters counters;
  /** Silence deadlines and the restart guard run on this, so that a clock set back cannot postpone them. */
  private final Timeline timeline;
  private final Transitions transitions;
  private final Admissions admissions;
  private final Object lock;

  // Guarded by lock.
  @Nullable Verdict lastVerdict;
  private int lastVerdictRing = -1;
  private @Nullable FreezeWindow deferredBy;
  /** The verdict of the most recent evaluation, journaled or not, and when: for status pages. */
  volatile @Nullable Verdict currentVerdict;
  volatile @Nullable Instant currentVerdictAt;
  /** The ring {@link #currentVerdict} judged: after a ring opens, the previous ring's verdict is not the open one's. */
  private volatile int currentVerdictRing = -1;

  RingJudge(RolloutSpec spec, List<Ring> rings, Gate[] gates, boolean[] dryRun, boolean[] pauseOnFail, boolean[] approvalRequired,
      Clock clock, RolloutStore store, EventBus events, long silenceMillis, Duration inconclusiveLimit,
      HealthTracker health, RolloutCounters counters, Timeline timeline, Transitions transitions,
      Admissions admissions, Object lock) {
    this.spec = spec;
    this.id = spec.id();
    this.plan = spec.plan();
    this.rings = rings;
    this.lastRing = rings.size() - 1;
    this.gates = gates;
    this.dryRun = dryRun;
    this.pauseOnFail = pauseOnFail;
    this.approvalRequired = approvalRequired;
    this.clock = clock;
    this.store = store;
    this.events = events;
    this.silenceMillis = silenceMillis;
    this.inconclusiveLimit = inconclusiveLimit;
    this.health = health;
    this.counters = counters;
    this.timeline = timeline;
    this.transitions = transitions;
    this.admissions = admissions;
    this.lock = lock;
  }

  /**
   * The first half of a tick with a shared store: this replica's deadlines and sweep, and its health counts to
   * publish to the other replicas.
   *
   * @return the counts, or null once the rollout has ended (nothing more is judged)
   */
  @Nullable HealthCounts collectHealth() {
    synchronized (lock) {
      if (!judgesHealth(transitions.snapshot.state())) {
        return null;
      }
      return collectLocked(timeline.millis());
    }
  }

  /**
   * Whether the health of the arms is still collected: not once the candidate has stopped (halted, rolling back)
   * or the rollout has ended. Nothing is judged then, and the halting verdict is journaled with its numbers.
   */
  static boolean judgesHealth(RolloutState state) {
    return !state.isTerminal() && !state.isHalted();
  }

  private HealthCounts collectLocked(long now) {
    health.expireDeadlines(now);
    health.sweepQuiet(now);
    return health.collect();
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
        Snapshot s = transitions.snapshot;
        if (judgesHealth(s.state())) {
          long now = timeline.millis();
          HealthCounts local = collected != null ? collected : collectLocked(now);
          FleetHealth.record(health, id, now, local, others, clock.instant(), replicaExpiry(),
              (rings.size() + 1) * Track.STATUSES);
          checkTelemetry(s);
          s = transitions.snapshot;
        }
        switch (s.state()) {
          case RUNNING:
          case PAUSED:
            judged = s;
            break;
          case HALTED:
            transitions.beginRollback();
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
    return Duration.ofMillis(transitions.stalenessMillis).multipliedBy(3);
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
      transitions.transition(Trigger.TELEMETRY_PAUSE, fault + ": a telemetry fault, not a regression; paused,"
          + " resumes by itself when reports recover in both arms", null);
    } else if (s.state() == RolloutState.PAUSED && s.trigger() == Trigger.TELEMETRY_PAUSE && fault == null) {
      transitions.transition(Trigger.TELEMETRY_RESUME, "reports recovered in both arms (under "
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
        admissions.perRing.get(ring), admissions.admitted.size(), health);
    Verdict verdict = evaluate(ring, context);
    synchronized (lock) {
      if (transitions.snapshot.sequence() != s.sequence()) {
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
            transitions.transition(Trigger.GATE_FAIL_PAUSE, "ring '" + ringName(ring) + "' failed its gate: "
                + verdict.reason() + "; paused (onFail: pause): halt to roll back, or resume to judge again", verdict);
          }
          break;
        }
        transitions.transition(Trigger.GATE_FAIL, "ring '" + ringName(ring) + "' failed its gate: "
            + verdict.reason(), verdict);
        counters.halted();
        transitions.beginRollback();
        break;
      case ERROR:
        if (s.state() == RolloutState.RUNNING) {
          transitions.transition(Trigger.GATE_ERROR, "the gate of ring '" + ringName(ring) + "' broke: "
              + verdict.reason() + "; paused until an operator resumes", verdict);
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
    // From the ring's opening its bake time plus the limit; after a resume (a person looked, perhaps after this very
    // pause) the limit again, from the resume: a paused ring admits nobody, so it may still lack its reports.
    Instant resumed = s.resumedAt();
    Duration limit = resumed != null ? inconclusiveLimit
        : Times.saturatedPlus(rings.get(s.ringIndex()).bakeTime(), inconclusiveLimit);
    Duration waited = Duration.between(resumed != null ? resumed : s.ringOpenedAt(), now);
    if (waited.compareTo(limit) < 0) {
      return;
    }
    String since = resumed != null ? waited.getSeconds() + "s after it was resumed (the " : "after "
        + waited.getSeconds() + "s open (bake time plus the ";
    transitions.transition(Trigger.INCONCLUSIVE_LIMIT, "ring '" + ringName(s.ringIndex()) + "' is still INCONCLUSIVE "
        + since + inconclusiveLimit.getSeconds() + "s limit): " + verdict.reason()
        + "; paused until an operator resumes or halts", verdict);
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
    if (open.compareTo(current.bakeTime()) < 0 || admissions.perRing.get(ring) < current.minSample()) {
      return;
    }
    // After a restart the health counts start empty: wait until every endpoint admitted before it has
    // reported again or gone silent, so that failures seen before the restart cannot be forgotten into a PASS.
    if (admissions.recoveredFromStore
        && timeline.millis() < Times.saturatedAdd(admissions.recoveredAtMillis, silenceMillis)) {
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
        + admissions.perRing.get(ring) + " exposed: " + verdict.reason();
    if (approvalRequired[ring]) {
      if (s.approvedAt() == null) {
        // Journaled once per ring, so that every replica and every restart agrees since when the ring has waited.
        if (s.awaitingApprovalSince() == null) {
          transitions.transition(Trigger.AWAIT_APPROVAL, passed + "; awaits an operator's approval before "
              + (ring == lastRing ? "the rollout completes" : "ring '" + ringName(ring + 1) + "' opens")
              + " (approve, or promote)", verdict);
        }
        return;
      }
      passed += "; " + s.approval();
    }
    if (ring == lastRing) {
      transitions.transition(Trigger.COMPLETE, passed + "; rollout complete", verdict);
    } else {
      transitions.transition(Trigger.ADVANCE, passed + "; opening ring '" + ringName(ring + 1) + "'", verdict);
    }
  }

  private void finishRollbackIfDone(Snapshot s) {
    if (transitions.sharedStore != null) {
      // Other replicas admitted endpoints too, and saw some of them come back: count them all.
      for (JournalEntry entry : store.read(id)) {
        if (entry instanceof JournalEntry.Admitted a) {
          admissions.replay(a);
        } else if (entry instanceof JournalEntry.Reverted r) {
          admissions.reverted.add(r.endpointId());
        }
      }
    }
    int exposed = admissions.admitted.size();
    int back = admissions.reverted.size();
    long baseline = spec.baselineVersion();
    if (back >= exposed) {
      transitions.transition(Trigger.FINISH_ROLLBACK, "all " + exposed + " exposed endpoints are back on baseline "
          + baseline, null);
      return;
    }
    Instant deadline = Times.saturatedPlus(s.rollbackStartedAt(), plan.rollbackTimeout());
    if (!clock.instant().isBefore(deadline)) {
      List<String> stragglers = admissions.stragglers();
      String listed = String.join(", ", stragglers.subList(0, Math.min(STRAGGLERS_IN_CAUSE, stragglers.size())))
          + (stragglers.size() > STRAGGLERS_IN_CAUSE ? ", ..." : "");
      transitions.transition(Trigger.FINISH_ROLLBACK, "rollback deadline " + plan.rollbackTimeout() + " passed with "
          + stragglers.size() + " of " + exposed + " exposed endpoints not back on baseline " + baseline
          + "; stragglers: " + listed, null);
    }
  }

  /** Re-applies a stored verdict: until this replica judges again, it is the most recent verdict it knows. */
  void replay(JournalEntry.VerdictRecorded v) {
    lastVerdict = v.verdict();
    lastVerdictRing = v.ringIndex();
    currentVerdict = v.verdict();
    currentVerdictAt = v.at();
    currentVerdictRing = v.ringIndex();
  }

  /** The most recent verdict of the open ring on this replica (journaled or from the last tick), or null. */
  @Nullable Verdict openRingVerdict(int ring) {
    Verdict verdict = currentVerdict;
    return verdict != null && currentVerdictRing == ring ? verdict : null;
  }

  private String gateName(int ring) {
    Ring r = rings.get(ring);
    return r.gate() == null ? "none" : r.gate().type();
  }

  private String ringName(int ring) {
    return rings.get(ring).name();
  }
}
