package dev.ringfence.core.store;

import dev.ringfence.testing.RolloutStoreConformanceKit;

class InMemoryRolloutStoreTest extends RolloutStoreConformanceKit {

  @org.junit.jupiter.api.Test
  void awaitChange_singleOwnerStore_waitsTheTimeoutAndReportsNoChange() throws InterruptedException {
    org.assertj.core.api.Assertions.assertThat(RolloutStores.inMemory().awaitChange(java.time.Duration.ofMillis(1)))
        .isFalse();
  }

  @Override
  protected RolloutStore newStore() {
    return RolloutStores.inMemory();
  }
}
