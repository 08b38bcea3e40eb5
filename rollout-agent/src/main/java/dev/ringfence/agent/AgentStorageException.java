package dev.ringfence.agent;

import dev.ringfence.protocol.RingfenceException;

/**
 * The agent could not write or read its state directory (disk full, read-only, permissions). Nothing
 * half-done is left active: the state on disk is the one from before the failed operation, so the host
 * stays on its last-known-good. Free space or fix the directory's permissions, then retry.
 */
public final class AgentStorageException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what could not be done, where, and what to do
   * @param cause the I/O failure
   */
  public AgentStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
