package dev.ringfence.core.internal;

import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import java.time.Instant;

/**
 * The immutable part of a rollout's state that decisions read. Replaced as a whole, atomically, on
 * every transition; never changed in place.
 *
 * @param state the state
 * @param ringIndex the open ring, -1 before start
 * @param ringOpenedAt when the open ring opened, null before start
 * @param sequence number of transitions so far
 * @param cause cause of the last transition
 * @param rollbackStartedAt when ROLLING_BACK began, null before
 * @param trigger what caused the last transition, null before the first
 * @param awaitingApprovalSince when the open ring passed its gate and began to await approval ({@code
 *     AWAIT_APPROVAL}), null otherwise; cleared when a ring opens
 * @param approvedAt when an operator approved the open ring ({@code APPROVE}), null otherwise; cleared when a ring
 *     opens
 * @param approval the cause of the open ring's approval (who and why), null until approved
 */
record Snapshot(RolloutState state, int ringIndex, Instant ringOpenedAt, long sequence, String cause,
    Instant rollbackStartedAt, Trigger trigger, Instant awaitingApprovalSince, Instant approvedAt, String approval,
    Instant resumedAt) {

  static final Snapshot INITIAL = new Snapshot(RolloutState.PLANNED, -1, null, 0, "", null, null, null, null, null,
      null);
}
