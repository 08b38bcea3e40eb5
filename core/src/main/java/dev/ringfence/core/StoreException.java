package dev.ringfence.core;

import dev.ringfence.protocol.RingfenceException;

/**
 * The {@link dev.ringfence.core.store.RolloutStore} could not durably record an entry.
 *
 * <p>Whatever the entry described did not take effect: the engine writes before it acts. {@link
 * dev.ringfence.core.store.StoreClosedException} says the store was closed.
 */
public class StoreException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what could not be written and where
   * @param cause the underlying failure, if any
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates the exception.
   *
   * @param message what could not be written and where
   */
  public StoreException(String message) {
    super(message);
  }
}
