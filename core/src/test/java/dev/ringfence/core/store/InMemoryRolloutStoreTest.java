package dev.ringfence.core.store;

import dev.ringfence.testing.RolloutStoreConformanceKit;

class InMemoryRolloutStoreTest extends RolloutStoreConformanceKit {

  @Override
  protected RolloutStore newStore() {
    return RolloutStores.inMemory();
  }

  /** It holds nothing: its close() does nothing, and it keeps working. */
  @Override
  protected boolean closeReleasesTheStore() {
    return false;
  }
}
