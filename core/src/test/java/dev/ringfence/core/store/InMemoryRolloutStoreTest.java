package dev.ringfence.core.store;

import dev.ringfence.testing.RolloutStoreConformanceKit;

class InMemoryRolloutStoreTest extends RolloutStoreConformanceKit {

  @Override
  protected RolloutStore newStore() {
    return RolloutStores.inMemory();
  }
}
