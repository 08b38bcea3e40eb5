package dev.ringfence.agent;

import dev.ringfence.protocol.RingfenceException;

/**
 * A new version was offered while another is still on trial (activated, not yet confirmed healthy).
 * Call {@link RolloutAgent#confirmHealthy()} first, or let the agent revert it; then offer again.
 */
public final class UpdateInProgressException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /**
   * @param offered the version offered
   * @param pending the version on trial
   */
  public UpdateInProgressException(long offered, long pending) {
    super("version: " + offered + " cannot be activated while version " + pending + " is on trial; call"
        + " confirmHealthy() once the host runs well, or let the agent revert it");
  }
}
