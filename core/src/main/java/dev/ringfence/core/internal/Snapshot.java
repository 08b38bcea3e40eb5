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
 */
record Snapshot(RolloutState state, int ringIndex, Instant ringOpenedAt, long sequence, String cause,
    Instant rollbackStartedAt, Trigger trigger) {

  static final Snapshot INITIAL = new Snapshot(RolloutState.PLANNED, -1, null, 0, "", null, null);
}
