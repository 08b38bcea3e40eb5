package dev.ringfence.core.store;

import dev.ringfence.testing.RolloutStoreConformanceKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class FileRolloutStoreTest extends RolloutStoreConformanceKit {

  @TempDir
  Path directory;

  private FileRolloutStore opened;

  @Override
  protected RolloutStore newStore() {
    try {
      opened = RolloutStores.file(Files.createTempDirectory(directory, "journal"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return opened;
  }

  @AfterEach
  void close() {
    opened.close();
  }
}
