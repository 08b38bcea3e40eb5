package dev.ringfence.core.testing;

import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.testing.RolloutStoreConformanceKit;
import java.util.Optional;

/** The conformance kit, shared cases included, on the shared in-memory fake the replica tests use. */
class SharedStoreTest extends RolloutStoreConformanceKit {

  private SharedStore opened;

  @Override
  protected RolloutStore newStore() {
    opened = new SharedStore();
    return opened;
  }

  @Override
  protected Optional<RolloutStore> anotherProcess() {
    return Optional.of(opened.handle());
  }
}
