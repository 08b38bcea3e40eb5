package dev.ringfence.core.internal;

import dev.ringfence.core.CommandRefusedException;
import dev.ringfence.core.FreezeWindowException;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.FreezeWindow;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.protocol.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * An operator's commands on one rollout: what each checks before it acts, and the cause it journals, which names
 * who acted and why. Each runs under the rollout's lock and is one transition (halt and abort also start the
 * rollback).
 */
final class Commands {

  private final String id;
  private final Plan plan;
  private final List<Ring> rings;
  private final int lastRing;
  private final boolean[] dryRun;
  private final boolean[] approvalRequired;
  private final Clock clock;
  private final RolloutCounters counters;
  private final Transitions transitions;
  private final Admissions admissions;
  private final RingJudge judge;
  private final Object lock;

  Commands(Plan plan, List<Ring> rings, String id, boolean[] dryRun, boolean[] approvalRequired, Clock clock, RolloutCounters counters,
      Transitions transitions, Admissions admissions, RingJudge judge, Object lock) {
    this.id = id;
    this.plan = plan;
    this.rings = rings;
    this.lastRing = rings.size() - 1;
    this.dryRun = dryRun;
    this.approvalRequired = approvalRequired;
    this.clock = clock;
    this.counters = counters;
    this.transitions = transitions;
    this.admissions = admissions;
    this.judge = judge;
    this.lock = lock;
  }

  void start(String actor) {
    synchronized (lock) {
      if (transitions.snapshot.state() == RolloutState.PLANNED) {
        requireNoFreeze();
      }
      transitions.transition(Trigger.START, "started by " + actor + "; opening ring '" + rings.get(0).name() + "'",
          null);
    }
  }

  void pause(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      // Another replica may have paused it a moment ago (for the same stop-all, say): paused is what was asked.
      transitionCatchingUp(Trigger.PAUSE, "paused by " + actor + ": " + why, state -> state == RolloutState.PAUSED);
    }
  }

  void resume(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      transitions.transition(Trigger.RESUME, "resumed by " + actor + ": " + why, null);
    }
  }

  void halt(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      // Another replica may have halted it first: the rollout is halted, which is what was asked.
      if (transitionCatchingUp(Trigger.HALT, "halted by " + actor + ": " + why, RolloutState::isHalted)) {
        counters.halted();
        transitions.beginRollback();
      }
    }
  }

  /**
   * A command's transition that survives, on a store shared by replicas, another replica having moved the rollout on
   * a moment ago: on the store's conflict it catches up, and is done if the rollout already is where the command
   * would take it, else makes the transition from where the rollout is now. Called under the lock.
   *
   * @param done whether a state is already what the command asks for
   * @return false when another replica had already made it
   */
  private boolean transitionCatchingUp(Trigger trigger, String cause, Predicate<RolloutState> done) {
    try {
      transitions.transition(trigger, cause, null);
    } catch (StoreException e) {
      if (transitions.sharedStore == null) {
        throw e;
      }
      transitions.refreshLocked();
      if (done.test(transitions.snapshot.state())) {
        return false;
      }
      transitions.transition(trigger, cause, null);
    }
    return true;
  }

  void abort(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      transitions.transition(Trigger.ABORT, "aborted by " + actor + ": " + why, null);
      if (transitions.snapshot.state() == RolloutState.HALTED) {
        counters.halted();
        transitions.beginRollback();
      }
    }
  }

  void approve(String actor, @Nullable String reason) {
    String why = optionalReason(reason);
    synchronized (lock) {
      Snapshot s = transitions.requireAllowed(Trigger.APPROVE);
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
      String next = ring == lastRing ? "the rollout completes" : "the next ring opens";
      transitions.transition(Trigger.APPROVE, "approved by " + actor + (why == null ? "" : ": " + why) + "; ring '"
          + ringName(ring) + "' " + (s.awaitingApprovalSince() != null
              ? "has passed its gate: " + next + " at the next tick at which it still passes"
              : "has not passed its gate yet: " + next + " once it passes after its bake time"), null);
    }
  }

  void promote(String actor, @Nullable String reason) {
    String why = optionalReason(reason);
    synchronized (lock) {
      Snapshot s = transitions.requireAllowed(Trigger.PROMOTE);
      int ring = s.ringIndex();
      requireNextRing(s, "promote");
      Verdict verdict = judge.openRingVerdict(ring);
      if (!dryRun[ring] && (verdict == null || verdict.outcome() != Verdict.Outcome.PASS)) {
        throw new CommandRefusedException(id, CommandRefusedException.Reason.GATE_NOT_PASSED, "cannot promote: ring '"
            + ringName(ring) + "' has not passed its gate, whose current verdict is " + describe(verdict)
            + "; wait for PASS, or skip the gate with a written reason (promote --skip-gate \"reason\")");
      }
      long exposed = admissions.perRing.get(ring);
      Ring current = rings.get(ring);
      if (exposed < current.minSample()) {
        throw new CommandRefusedException(id, CommandRefusedException.Reason.SAMPLE_TOO_SMALL, "cannot promote: ring '"
            + current.name() + "' has " + exposed + " exposed of its minimum sample " + current.minSample()
            + "; promote skips the bake time, not the sample (skip the gate with a written reason to open it anyway)");
      }
      requireNoFreeze();
      Duration open = Duration.between(s.ringOpenedAt(), clock.instant());
      transitions.transition(Trigger.PROMOTE, "promoted by " + actor + (why == null ? "" : ": " + why) + "; ring '"
          + current.name() + "' passed its gate" + (dryRun[ring] ? " (dry run: its verdicts are not obeyed)" : "")
          + " after " + open.getSeconds() + "s of its " + current.bakeTime().getSeconds() + "s bake time with "
          + exposed + " exposed" + (verdict == null ? "" : ": " + verdict.reason()) + "; opening ring '"
          + ringName(ring + 1) + "'", verdict);
    }
  }

  void promoteSkippingGate(String actor, String reason) {
    String why = requireReason(reason);
    synchronized (lock) {
      Snapshot s = transitions.requireAllowed(Trigger.SKIP_GATE);
      int ring = s.ringIndex();
      requireNextRing(s, "promote --skip-gate");
      requireNoFreeze();
      Verdict verdict = judge.openRingVerdict(ring);
      Ring current = rings.get(ring);
      Duration open = Duration.between(s.ringOpenedAt(), clock.instant());
      transitions.transition(Trigger.SKIP_GATE, "gate skipped by " + actor + ": " + why + "; ring '" + current.name()
          + "' was " + s.state() + ", open " + open.getSeconds() + "s of its " + current.bakeTime().getSeconds()
          + "s bake time with " + admissions.perRing.get(ring) + " exposed of its minimum sample "
          + current.minSample() + ", its gate's skipped verdict " + describe(verdict) + "; opening ring '"
          + ringName(ring + 1) + "'", verdict);
    }
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

  private String ringName(int ring) {
    return rings.get(ring).name();
  }

  private static String describe(@Nullable Verdict verdict) {
    if (verdict == null) {
      return "none yet (not judged since the ring opened)";
    }
    return verdict.outcome() + " (" + verdict.test() + ": " + verdict.reason() + (verdict.evidence().isEmpty() ? ""
        : "; " + verdict.evidence()) + ")";
  }

  /** The longest reason a command takes: the journal records it, and its records are bounded. */
  static final int MAX_REASON = 4_096;

  private static @Nullable String optionalReason(@Nullable String reason) {
    return reason == null || reason.isBlank() ? null : checkLength(reason.strip());
  }

  private static String requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidInputException("reason", "is blank; every command is recorded with a reason");
    }
    return checkLength(reason.strip());
  }

  private static String checkLength(String reason) {
    if (reason.length() > MAX_REASON) {
      throw new InvalidInputException("reason", "is " + reason.length() + " characters, above " + MAX_REASON
          + "; say why in a sentence or two and link to the rest");
    }
    return reason;
  }
}
