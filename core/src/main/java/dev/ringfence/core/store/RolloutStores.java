package dev.ringfence.core.store;

import dev.ringfence.core.internal.FileJournalStore;
import dev.ringfence.core.internal.InMemoryRolloutStore;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.file.Path;

/** Factories of the built-in {@link RolloutStore}s. */
public final class RolloutStores {

  private RolloutStores() {}

  /**
   * A store that keeps entries in memory: for tests, simulations and single-process demos. Lost with
   * the process; use {@link #file(Path) the file journal} (one process) or PostgreSQL ({@code ringfence-postgresql})
   * (several replicas) for anything that must survive a restart. It holds nothing to release: {@link
   * RolloutStore#close()} does nothing, and it keeps working afterwards.
   *
   * @return a new, empty store
   */
  public static RolloutStore inMemory() {
    return new InMemoryRolloutStore();
  }

  /** Journal size past which the file store compacts by default. */
  public static final long DEFAULT_COMPACT_AFTER_BYTES = 64L << 20;

  /**
   * The embedded file journal in a directory (created if missing), recovered at once: a torn tail is
   * truncated and reported; a corrupt record in the middle stops here with the file and offset.
   *
   * @param directory the journal directory; one process owns it at a time
   * @return the store; close it to release the directory
   * @throws dev.ringfence.core.StoreException if the directory is in use or corrupt
   */
  public static FileRolloutStore file(Path directory) {
    return file(directory, DEFAULT_COMPACT_AFTER_BYTES);
  }

  /**
   * The file journal with a chosen compaction threshold.
   *
   * @param directory the journal directory
   * @param compactAfterBytes journal size past which the next append compacts
   * @return the store
   */
  public static FileRolloutStore file(Path directory, long compactAfterBytes) {
    if (directory == null) {
      throw new dev.ringfence.protocol.InvalidInputException("directory", "is null");
    }
    if (compactAfterBytes < 1) {
      throw new dev.ringfence.protocol.InvalidInputException("compactAfterBytes", compactAfterBytes + " is below 1");
    }
    return FileJournalStore.open(directory, compactAfterBytes);
  }
}
