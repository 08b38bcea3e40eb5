package dev.ringfence.core.store;

import dev.ringfence.core.internal.InMemoryRolloutStore;

/** Factories of the built-in {@link RolloutStore}s. */
public final class RolloutStores {

  private RolloutStores() {}

  /**
   * A store that keeps entries in memory: for tests, simulations and single-process demos. Lost with
   * the process; use the file journal for anything that must survive a restart.
   *
   * @return a new, empty store
   */
  public static RolloutStore inMemory() {
    return new InMemoryRolloutStore();
  }
}
