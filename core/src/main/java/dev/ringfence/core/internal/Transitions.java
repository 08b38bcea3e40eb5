package dev.ringfence.core.internal;

import dev.ringfence.core.IllegalStateTransitionException;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.protocol.RingfenceException;
import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rollout's state machine: the {@link Snapshot} decisions read, the journaled transitions that replace it, their
 * replay, and the catch-up with a shared store.
 *
 * <p>Every method that changes the snapshot runs under the rollout's lock (the caller holds it); the fields that
 * decisions read are volatile and read directly. A transition writes its journal entry before it swaps the snapshot,
 * so a refused write changes nothing.
 */
final class Transitions {

  // One rollout's lines under one logger name, as before the runtime was split.
  private static final Logger LOG = LoggerFactory.getLogger(RolloutRuntime.class);

  private final String id;
  private final Clock clock;
  private final RolloutStore store;
  /** The store's shared capabilities; null for a store one process owns. */
  final @Nullable SharedRolloutStore sharedStore;
  final long stalenessMillis;
  private final EventBus events;
  /** Only counted, for the cause of the rollback's start. */
  private final TrackTable admitted;
  private final long baseline;

  volatile Snapshot snapshot = Snapshot.INITIAL;
  /**
   * Set while a halting transition is being written: from before the write starts until the snapshot
   * says halted (or the write failed). Decisions that would OFFER answer HOLD meanwhile, so no OFFER is
   * answered after a HALT reached the journal.
   */
  volatile boolean halting;
  /** With a shared store: when this replica last knew it had every transition, in clock millis. */
  volatile long syncedAtMillis;

  Transitions(String id, Clock clock, RolloutStore store, long stalenessMillis, EventBus events, TrackTable admitted,
      long baseline, long syncedAtMillis) {
    this.id = id;
    this.clock = clock;
    this.store = store;
    this.sharedStore = store.shared().orElse(null);
    this.stalenessMillis = stalenessMillis;
    this.events = events;
    this.admitted = admitted;
    this.baseline = baseline;
    this.syncedAtMillis = syncedAtMillis;
  }

  /**
   * Whether this replica shares its store and has not caught up with it within the staleness bound since
   * {@code synced}: then it may be offering a candidate that another replica has halted.
   */
  boolean isStale(long synced) {
    if (sharedStore == null) {
      return false;
    }
    long now = Times.millis(clock.instant());
    // A clock set back behind the last catch-up cannot say how old the view is: stale until the next catch-up.
    return now - synced > stalenessMillis || now < synced;
  }

  /** The snapshot, if the table lets {@code trigger} leave its state; the caller holds the lock. */
  Snapshot requireAllowed(Trigger trigger) {
    Snapshot s = snapshot;
    if (s.state().next(trigger).isEmpty()) {
      throw new IllegalStateTransitionException(id, s.state(), trigger);
    }
    return s;
  }

  /** Runs one transition; the caller holds the lock. Journals first; a refusal changes nothing. */
  void transition(Trigger trigger, String cause, @Nullable Verdict verdict) {
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
    // A resume starts the wait for a conclusive verdict again: a person looked (RingJudge.pauseIfInconclusiveTooLong).
    Instant resumedAt = opens ? null : trigger == Trigger.RESUME ? entry.at() : s.resumedAt();
    return new Snapshot(entry.to(), entry.ringIndex(), openedAt, entry.sequence(), entry.cause(), rollbackStarted,
        trigger, awaiting, approvedAt, approval, resumedAt);
  }

  /**
   * Re-applies one stored transition during recovery or catch-up. Checks that the journal is consistent with the
   * transition table; an inconsistent journal stops recovery rather than guess.
   */
  void replay(JournalEntry.Transitioned t) {
    Snapshot s = snapshot;
    if (t.sequence() != s.sequence() + 1 || t.from() != s.state()
        || s.state().next(t.trigger()).orElse(null) != t.to()) {
      throw new RingfenceException("rollout '" + id + "': stored transition " + t.sequence() + " (" + t.from()
          + " -" + t.trigger() + "-> " + t.to() + ") does not follow state " + s.state() + " at transition "
          + s.sequence() + "; the journal is inconsistent, restore it from a backup");
    }
    snapshot = apply(s, t);
  }

  /** Pulls the transitions other replicas committed; the caller holds the lock. */
  void refreshLocked() {
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

  /** Like {@link #refreshLocked()}, but a store that cannot answer is logged, not thrown: offers hold meanwhile. */
  void refreshOrLog() {
    try {
      refreshLocked();
    } catch (StoreException e) {
      LOG.warn("rollout '{}': cannot catch up with the shared store; offers hold once the view is older than {} ms",
          id, stalenessMillis, e);
    }
  }

  /** HALTED goes on to ROLLING_BACK at once; if the store refuses, the next tick tries again. */
  void beginRollback() {
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
}
