package dev.ringfence.core.store;

import static java.util.Objects.requireNonNull;

import dev.ringfence.core.StoreException;

/**
 * A {@link RolloutStore} was used after {@link RolloutStore#close()}: nothing was read or written. A {@link
 * StoreException}, so the engine treats it as any store failure (a command rethrows it, an admission answers
 * HOLD, a tick retries), which is what a request still in flight while its server shuts down should get.
 */
public final class StoreClosedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** The closed store's name, as its {@code toString()} gives it. */
  private final String store;

  /**
   * Creates the exception.
   *
   * @param store the closed store, as its {@code toString()} names it (its directory, its database)
   * @throws NullPointerException if {@code store} is null
   */
  public StoreClosedException(String store) {
    super(requireNonNull(store, "store") + " is closed; nothing was read or written (open the store again)");
    this.store = store;
  }

  /**
   * The closed store.
   *
   * @return the store's name, as its {@code toString()} gives it
   */
  public String store() {
    return store;
  }
}
