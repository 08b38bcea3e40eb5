package dev.ringfence.core.store;

class InMemoryRolloutStoreTest extends RolloutStoreContract {

  @Override
  protected RolloutStore newStore() {
    return RolloutStores.inMemory();
  }
}
