package dev.ringfence.core.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The embedded, durable {@link RolloutStore}: an append-only journal in one directory, forced to disk
 * before every append returns, compacted into snapshots so that start-up time follows the state's
 * size, not the history's. Open with {@link RolloutStores#file(Path)}; close to release the
 * directory. Format and recovery rules: {@code docs/journal.md}.
 */
public interface FileRolloutStore extends RolloutStore, AutoCloseable {

  /** @return the journal directory */
  Path directory();

  /**
   * What recovery repaired when the store was opened: a torn tail that was truncated (a write that was
   * never acknowledged), with file and offset.
   *
   * @return the report, or empty if the journal was clean
   */
  Optional<String> recoveryReport();

  /** Writes the current state as a snapshot and starts an empty journal. Also happens by itself. */
  void compact();

  /**
   * @return the tamper-evident audit trail, JSON Lines; check it against the heads the journal records with
   *     {@link AuditTrail#verifyJournal(Path)} on {@link #directory()}
   */
  Path auditFile();

  /** Releases the directory. */
  @Override
  void close();
}
