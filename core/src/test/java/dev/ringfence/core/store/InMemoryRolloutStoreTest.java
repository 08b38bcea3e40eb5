package dev.ringfence.core.store;

class InMemoryRolloutStoreTest extends RolloutStoreConformanceTest {

  @Override
  protected RolloutStore newStore() {
    return RolloutStores.inMemory();
  }
}
