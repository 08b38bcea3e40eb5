package dev.ringfence.core.store;

import dev.ringfence.testing.RolloutStoreConformanceKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The conformance kit on the file journal; the kit closes each store. */
class FileRolloutStoreTest extends RolloutStoreConformanceKit {

  @TempDir
  Path directory;

  @Override
  protected RolloutStore newStore() {
    try {
      return RolloutStores.file(Files.createTempDirectory(directory, "journal"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
