package dev.ringfence.agent;

import dev.ringfence.protocol.RingfenceException;

/**
 * The server asked the agent to go back to a version that no verified slot holds any more. The host
 * keeps running what it runs; the remedy is to publish that content again as a new, higher version.
 */
public final class RevertUnavailableException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** The version the agent was told to revert to. */
  private final long version;

  /**
   * @param version the version asked for
   * @param detail what the slots hold instead
   */
  public RevertUnavailableException(long version, String detail) {
    super("version: v" + version + " cannot be reverted to on this endpoint (" + detail + "); publish its content"
        + " again as a new, higher version");
    this.version = version;
  }

  /** @return the version asked for */
  public long version() {
    return version;
  }
}
