package dev.ringfence.core;

import dev.ringfence.protocol.RingfenceException;
import java.time.Instant;

/** A ring was asked to open (for example by {@code start()}) inside one of the plan's freeze windows. */
public final class FreezeWindowException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param rolloutId the rollout
   * @param until the end of the freeze window in force
   * @param reason the window's recorded reason
   */
  public FreezeWindowException(String rolloutId, Instant until, String reason) {
    super("rollout '" + rolloutId + "' is inside a freeze window until " + until + " (" + reason
        + "); no ring opens before then, try again after it");
  }
}
