package dev.ringfence.agent;

import dev.ringfence.protocol.RingfenceException;

/**
 * Base of every refusal of offered content: the content was not activated, the host keeps running what
 * it ran. Each subclass names one check; {@link #version()} is the version that was offered.
 */
public abstract class ContentRefusedException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** The content version refused. */
  private final long version;

  /**
   * @param version the refused version
   * @param message what was wrong, and what the publisher should do
   */
  protected ContentRefusedException(long version, String message) {
    super(message);
    this.version = version;
  }

  /** @return the version that was offered and refused */
  public long version() {
    return version;
  }
}
