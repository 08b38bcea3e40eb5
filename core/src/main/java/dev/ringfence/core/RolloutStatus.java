package dev.ringfence.core;

import dev.ringfence.core.gate.Verdict;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A consistent view of one rollout at one moment, for status pages and logs.
 *
 * @param rolloutId the rollout
 * @param channel its channel
 * @param state its state
 * @param ringIndex the open ring, -1 before start
 * @param ringName the open ring's name, empty before start
 * @param ringOpenedAt when the open ring opened, null before start
 * @param exposedPerRing endpoints admitted while each ring was open
 * @param exposedTotal endpoints admitted in all
 * @param revertedCount exposed endpoints that reported the baseline again during the rollback
 * @param lastVerdict the most recent journaled verdict, or null (a verdict is journaled when its outcome or ring
 *     changes, so its numbers are those of that moment)
 * @param currentVerdict the open ring's verdict at the most recent tick on this replica, with today's numbers, or
 *     null before the first
 * @param currentVerdictAt when {@code currentVerdict} was reached, or null
 * @param cause the cause of the most recent transition, empty before the first
 * @param approvalRequired whether the open ring's gate requires an operator's approval before the next ring opens
 * @param awaitingApprovalSince when the open ring passed its gate and began to await approval, null if it does not
 *     (yet)
 * @param approvedAt when an operator approved the open ring, null if not
 * @param approval who approved the open ring and why, null if not approved
 */
public record RolloutStatus(String rolloutId, String channel, RolloutState state, int ringIndex, String ringName,
    @Nullable Instant ringOpenedAt, List<Long> exposedPerRing, long exposedTotal, long revertedCount, @Nullable Verdict lastVerdict,
    @Nullable Verdict currentVerdict, @Nullable Instant currentVerdictAt, String cause, boolean approvalRequired,
    @Nullable Instant awaitingApprovalSince, @Nullable Instant approvedAt, @Nullable String approval) {

  /**
   * Copies the list.
   *
   * @param rolloutId the rollout
   * @param channel its channel
   * @param state its state
   * @param ringIndex the open ring, -1 before start
   * @param ringName the open ring's name, empty before start
   * @param ringOpenedAt when the open ring opened, null before start
   * @param exposedPerRing endpoints admitted while each ring was open
   * @param exposedTotal endpoints admitted in all
   * @param revertedCount exposed endpoints that reported the baseline again during the rollback
   * @param lastVerdict the most recent journaled verdict, or null (a verdict is journaled when its outcome or ring
   *     changes, so its numbers are those of that moment)
   * @param currentVerdict the open ring's verdict at the most recent tick on this replica, with today's numbers, or
   *     null before the first
   * @param currentVerdictAt when {@code currentVerdict} was reached, or null
   * @param cause the cause of the most recent transition, empty before the first
   * @param approvalRequired whether the open ring's gate requires an operator's approval before the next ring opens
   * @param awaitingApprovalSince when the open ring passed its gate and began to await approval, null if it does not
   *     (yet)
   * @param approvedAt when an operator approved the open ring, null if not
   * @param approval who approved the open ring and why, null if not approved
   */
  public RolloutStatus {
    exposedPerRing = List.copyOf(exposedPerRing);
  }

  /**
   * The 0.1.0 constructor: a ring that requires no approval.
   *
   * @param rolloutId the rollout
   * @param channel its channel
   * @param state its state
   * @param ringIndex the open ring, -1 before start
   * @param ringName the open ring's name, empty before start
   * @param ringOpenedAt when the open ring opened, null before start
   * @param exposedPerRing endpoints admitted while each ring was open
   * @param exposedTotal endpoints admitted in all
   * @param revertedCount exposed endpoints that reported the baseline again during the rollback
   * @param lastVerdict the most recent journaled verdict, or null
   * @param currentVerdict the open ring's verdict at the most recent tick on this replica, or null
   * @param currentVerdictAt when {@code currentVerdict} was reached, or null
   * @param cause the cause of the most recent transition, empty before the first
   */
  public RolloutStatus(String rolloutId, String channel, RolloutState state, int ringIndex, String ringName,
      @Nullable Instant ringOpenedAt, List<Long> exposedPerRing, long exposedTotal, long revertedCount,
      @Nullable Verdict lastVerdict, @Nullable Verdict currentVerdict, @Nullable Instant currentVerdictAt,
      String cause) {
    this(rolloutId, channel, state, ringIndex, ringName, ringOpenedAt, exposedPerRing, exposedTotal, revertedCount,
        lastVerdict, currentVerdict, currentVerdictAt, cause, false, null, null, null);
  }

  /**
   * Whether the open ring has passed its gate and awaits an operator's approval (or promotion) now.
   *
   * @return true while RUNNING in such a ring, not yet approved
   */
  public boolean awaitingApproval() {
    return state == RolloutState.RUNNING && awaitingApprovalSince != null && approvedAt == null;
  }
}
