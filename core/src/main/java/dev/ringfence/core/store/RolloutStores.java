package dev.ringfence.core.store;

import dev.ringfence.core.internal.FileJournalStore;
import dev.ringfence.core.internal.InMemoryRolloutStore;
import dev.ringfence.core.internal.JdbcRolloutStore;
import java.nio.file.Path;
import javax.sql.DataSource;

/** Factories of the built-in {@link RolloutStore}s. */
public final class RolloutStores {

  private RolloutStores() {}

  /**
   * A store that keeps entries in memory: for tests, simulations and single-process demos. Lost with
   * the process; use {@link #file(Path) the file journal} (one process) or {@link #jdbc(DataSource) PostgreSQL}
   * (several replicas) for anything that must survive a restart.
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
      throw new dev.ringfence.core.InvalidInputException("directory", "is null");
    }
    if (compactAfterBytes < 1) {
      throw new dev.ringfence.core.InvalidInputException("compactAfterBytes", compactAfterBytes + " is below 1");
    }
    return FileJournalStore.open(directory, compactAfterBytes);
  }

  /**
   * A store in a PostgreSQL database (tested with PostgreSQL 15), shared by every replica of the update
   * server that points at it. Each {@link RolloutStore#append append} is one transaction: it returns once
   * the entry is committed, and if it throws, nothing of the entry was stored. Two replicas racing for the
   * same transition number: exactly one commits, the other gets a {@link dev.ringfence.core.StoreException}.
   * Every committed transition is announced with {@code NOTIFY ringfence_transition,
   * '<rolloutId>:<sequence>'}.
   *
   * <p><b>Creating the store runs the schema migrations</b> the database lacks (the {@code ringfence_*}
   * tables, in the first schema of the connection's {@code search_path}), each in its own transaction under
   * an advisory lock, so replicas may start together. The user needs {@code CREATE} on that schema for the
   * first start, and {@code SELECT, INSERT, UPDATE} on the tables after it. A database migrated by a newer
   * Ringfence is refused. Tables, constraints and the notification channel: {@code docs/postgresql.md}.
   *
   * <p>The store takes one connection from {@code dataSource} per operation and returns it at once; pass a
   * pooling data source in production. Ringfence compiles against {@code java.sql} only: the application
   * brings the PostgreSQL JDBC driver ({@code org.postgresql:postgresql}).
   *
   * @param dataSource connections to the database
   * @return the store, its schema up to date
   * @throws dev.ringfence.core.InvalidInputException if {@code dataSource} is null
   * @throws dev.ringfence.core.StoreException if the database cannot be reached, a migration fails, or the
   *     schema is newer than this library ({@code schema version N is newer than this library (M); upgrade
   *     Ringfence})
   */
  public static RolloutStore jdbc(DataSource dataSource) {
    return new JdbcRolloutStore(dataSource);
  }
}
