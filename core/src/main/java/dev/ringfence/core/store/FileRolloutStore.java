package dev.ringfence.core.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The embedded, durable {@link RolloutStore}: an append-only journal in one directory, forced to disk
 * before every append returns, compacted into snapshots so that start-up time follows the state's
 * size, not the history's. Open with {@link RolloutStores#file(Path)}; close to release the
 * directory. One process owns the directory, so the store has no {@link #shared() shared} capabilities.
 * Format and recovery rules: {@code docs/journal.md}.
 */
public interface FileRolloutStore extends RolloutStore {

  /** @return the journal directory */
  Path directory();

  /**
   * What recovery repaired when the store was opened: a torn tail that was truncated (a write that was
   * never acknowledged), with file and offset.
   *
   * @return the report, or empty if the journal was clean
   */
  Optional<String> recoveryReport();

  /**
   * Writes the current state as a snapshot and starts an empty journal. Also happens by itself.
   *
   * @throws dev.ringfence.core.StoreException if the snapshot cannot be written; the journal stays as it was
   * @throws StoreClosedException if the store was closed
   */
  void compact();

  /**
   * @return the tamper-evident audit trail, JSON Lines; check it against the heads the journal records with
   *     {@link AuditTrail#verifyJournal(Path)} on {@link #directory()}
   */
  Path auditFile();

  /**
   * Releases the directory (its lock and files); idempotent. Afterwards {@link #append}, {@link #read}, {@link
   * #rolloutIds()} and {@link #compact()} throw {@link StoreClosedException}.
   *
   * @throws dev.ringfence.core.StoreException if a file cannot be closed; the store is closed all the same
   */
  @Override
  void close();
}
