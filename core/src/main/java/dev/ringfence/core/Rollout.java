package dev.ringfence.core;

import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Signal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One rollout, managed by a {@link RolloutEngine}. Handles are cheap and thread-safe; every command
 * is written to the store before it takes effect, and a refused command changes nothing. A command's reason is
 * recorded with it: a blank one where a reason is required, or one above 4,096 characters, is an
 * {@link dev.ringfence.protocol.InvalidInputException} naming {@code reason}.
 */
public interface Rollout {

  /** @return the rollout's id */
  String id();

  /** @return what is rolled out, by which plan */
  RolloutSpec spec();

  /** @return the current state */
  RolloutState state();

  /** @return a consistent view of the rollout */
  RolloutStatus status();

  /** @return the plan lint's findings, including the overridden ones with their reasons */
  LintReport lintReport();

  /**
   * Which version an endpoint gets. Lock-free, and allocation-free unless the endpoint is admitted
   * just now.
   *
   * @param endpointId the endpoint's stable id
   * @param attributes what is known about the endpoint
   * @param currentVersion the version it runs now
   * @return OFFER, STAY, REVERT or HOLD, with the ring and the reason
   * @throws dev.ringfence.protocol.InvalidInputException if the id is blank or above 1,024 characters, the attributes
   *     null or the version negative
   * @throws UnknownVersionException if the version is above the candidate
   */
  Decision decide(String endpointId, EndpointAttributes attributes, long currentVersion);

  /**
   * Takes one health signal from an endpoint: lock-free, and allocation-free except for the first
   * signal of a control endpoint.
   *
   * <p>An admitted endpoint's signals on the candidate count for the candidate arm; signals on the
   * baseline from endpoints never admitted count for the control arm; a signal claiming a version the
   * endpoint was never offered is an anomaly and is kept out of every verdict. Duplicates and replays
   * (same or older {@code (bootId, sequence)}) are ignored and counted.
   *
   * @param signal the signal, validated when it was built
   * @return what was done with it
   */
  IngestResult ingest(Signal signal);

  /**
   * Opens the first ring.
   *
   * @throws IllegalStateTransitionException unless PLANNED
   * @throws FreezeWindowException inside a freeze window
   */
  void start();

  /**
   * Stops admitting endpoints; exposed endpoints keep the candidate, a FAIL still halts. On a store shared by
   * replicas, a replica that has not yet seen another's transition catches up first: if the other paused the rollout
   * a moment ago, it is paused, which is what was asked, and this call records nothing.
   *
   * @param reason why, recorded
   * @throws IllegalStateTransitionException unless RUNNING
   */
  void pause(String reason);

  /**
   * Continues a paused rollout in the same ring.
   *
   * @param reason why, recorded
   * @throws IllegalStateTransitionException unless PAUSED
   */
  void resume(String reason);

  /**
   * Stops the rollout for good and rolls back every exposed endpoint at once.
   *
   * @param reason why, recorded
   * @throws IllegalStateTransitionException if already halted or finished
   */
  void halt(String reason);

  /**
   * Withdraws the rollout: closes it before start, halts and rolls back after.
   *
   * @param reason why, recorded
   * @throws IllegalStateTransitionException if already halted or finished
   */
  void abort(String reason);

  /**
   * Approves the open ring, whose gate requires approval ({@code "approval": "required"} or gate type {@code
   * approval}): once its gate passes after its bake time with its minimum sample, the next ring opens (the last ring
   * completes the rollout) at the next tick. May be given before the gate passes. Approving a ring already approved
   * changes nothing.
   *
   * @param reason why, recorded; may be null or blank
   * @throws IllegalStateTransitionException unless RUNNING
   * @throws CommandRefusedException ({@link CommandRefusedException.Reason#NO_APPROVAL_REQUIRED}) if the open ring's
   *     gate does not require approval
   */
  void approve(@Nullable String reason);

  /**
   * Opens the next ring now, the open ring's gate having passed: its most recent verdict is PASS (or the gate runs
   * dry) and its minimum sample is exposed. Skips the rest of the bake time and any wait for approval (the promotion
   * is the approval).
   *
   * @param reason why, recorded; may be null or blank
   * @throws IllegalStateTransitionException unless RUNNING
   * @throws CommandRefusedException if the gate has not passed, the sample is too small or the open ring is the last
   * @throws FreezeWindowException inside a freeze window
   */
  void promote(@Nullable String reason);

  /**
   * Opens the next ring now, whatever the open ring's gate says: a person overrides the gate. The transition
   * ({@link Trigger#SKIP_GATE}) journals the skipped verdict with its numbers, the actor and the reason. Also from
   * PAUSED (a gate that paused the rollout with {@code "onFail": "pause"}, say), which it ends.
   *
   * @param reason why the gate is skipped, recorded; required
   * @throws dev.ringfence.protocol.InvalidInputException if the reason is blank
   * @throws IllegalStateTransitionException unless RUNNING or PAUSED
   * @throws CommandRefusedException ({@link CommandRefusedException.Reason#LAST_RING}) if the open ring is the last
   * @throws FreezeWindowException inside a freeze window
   */
  void promoteSkippingGate(String reason);

  /**
   * The same rollout, with every command recorded as coming from {@code actor}: {@code
   * rollout.by("alice@example.org").halt("crash reports from the field")} journals "halted by
   * alice@example.org: crash reports from the field". Commands without it are recorded as by
   * "operator".
   *
   * @param actor who acts, 1 to 200 characters
   * @return a view of this rollout whose commands name the actor
   * @throws dev.ringfence.protocol.InvalidInputException if the actor is blank or too long
   */
  Rollout by(String actor);

  /**
   * Exposed endpoints that have not reported the baseline again, sorted; empty unless rolling back
   * or rolled back.
   *
   * @return endpoint ids
   */
  List<String> stragglers();

  /**
   * The rollout's running counts (signals per kind, arm and result, silent failures, verdicts, halts),
   * for metrics systems.
   *
   * @return a live view; reading it takes no lock
   */
  RolloutMetrics metrics();
}
