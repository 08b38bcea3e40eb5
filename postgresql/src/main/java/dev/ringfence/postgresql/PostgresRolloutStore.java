package dev.ringfence.postgresql;

import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.protocol.InvalidInputException;
import java.util.List;
import java.util.function.Consumer;
import dev.ringfence.postgresql.internal.JdbcRolloutStore;
import javax.sql.DataSource;

/**
 * A {@link SharedRolloutStore} in a PostgreSQL database (tested with PostgreSQL 15), shared by every replica of
 * the update server that points at it. Each {@link RolloutStore#append append} is one transaction: it
 * returns once the entry is committed, and if it throws, nothing of the entry was stored. Two replicas
 * racing for the same transition number: exactly one commits, the other gets a
 * {@link dev.ringfence.core.StoreException}. Every committed transition is announced with
 * {@code NOTIFY ringfence_transition, '<rolloutId>:<sequence>'}, which {@link #awaitChange} waits for (on a
 * {@code LISTEN}ing connection: no polling, no sleeping). {@link #admit} checks the ring's cap and the halt under
 * the rollout's row lock, so both hold across replicas.
 *
 * <p>Every created, transition and verdict entry also gets its line in the store's hash-chained audit trail (schema
 * version 3), in the same transaction, chained over the whole store in commit order under the lock of the trail's
 * head row; {@link #exportAudit} and {@link #verifyAudit} read it.
 *
 * <p>Replicas share the judge's numbers through it (schema version 4): {@link #exchangeHealth} upserts each
 * replica's row per rollout in {@code ringfence_replica_health} and reads the other replicas' rows, two round trips
 * per tick for every rollout together.
 *
 * <p><b>Creating the store runs the schema migrations</b> the database lacks (the {@code ringfence_*}
 * tables, in the first schema of the connection's {@code search_path}), each in its own transaction under
 * an advisory lock, so replicas may start together. The user needs {@code CREATE} on that schema for the
 * first start, and {@code SELECT, INSERT, UPDATE} on the tables after it. A database migrated by a newer
 * Ringfence is refused. Tables, constraints and the notification channel: {@code docs/postgresql.md}.
 *
 * <p>The store takes one connection from the data source per operation and returns it at once (pass a
 * pooling data source in production), plus one connection of its own that LISTENs from the first {@link
 * #awaitChange}: {@link #close()} releases it, and the store refuses every later call with {@link
 * dev.ringfence.core.store.StoreClosedException}. Thread safe.
 */
public interface PostgresRolloutStore extends SharedRolloutStore {

  /** The channel every committed transition is announced on. */
  String NOTIFY_CHANNEL = "ringfence_transition";

  /** The newest schema version this library knows (its migrations V1 .. V{@value}). */
  int SCHEMA_VERSION = 4;

  /**
   * Opens the store and brings the database's schema up to {@link #SCHEMA_VERSION}.
   *
   * @param dataSource connections to the database
   * @return the store, its schema up to date
   * @throws dev.ringfence.protocol.InvalidInputException if {@code dataSource} is null
   * @throws dev.ringfence.core.StoreException if the database cannot be reached, a migration fails, or the
   *     schema is newer than this library ({@code schema version N is newer than this library (M); upgrade
   *     Ringfence})
   */
  static PostgresRolloutStore create(DataSource dataSource) {
    return JdbcRolloutStore.open(dataSource);
  }

  /**
   * Streams the store's audit trail (schema version 3 on) as JSON Lines, the same lines as a file journal's
   * {@code audit.jsonl}, and returns the head recorded with them, read in the same repeatable-read transaction:
   * {@link dev.ringfence.core.store.AuditTrail#verify(java.util.List, AuditHead)} checks the export against it.
   * Reads only: it never migrates the schema.
   *
   * @param dataSource connections to the database
   * @param sink receives each line, without its newline, in order
   * @return the head the store recorded
   * @throws dev.ringfence.core.StoreException if the database cannot be read or has no audit trail (schema
   *     version below 3)
   */
  static AuditHead exportAudit(DataSource dataSource, Consumer<String> sink) {
    return JdbcRolloutStore.exportAudit(requireDataSource(dataSource), sink);
  }

  /**
   * Verifies the store's audit trail in one repeatable-read transaction: the hash chain, its end against the head
   * row (a deleted last line, an emptied table, a shorter chain), and that every created, transition and verdict row
   * of the journal has its line with the same entry (a deleted line or journal row, a changed journal row). Reads
   * only: it never migrates the schema.
   *
   * @param dataSource connections to the database
   * @return what was found
   * @throws dev.ringfence.core.StoreException if the database cannot be read or has no audit trail (schema
   *     version below 3)
   */
  static AuditVerification verifyAudit(DataSource dataSource) {
    return JdbcRolloutStore.verifyAudit(requireDataSource(dataSource));
  }

  /**
   * The store's audit trail after line {@code seq}, at most {@code limit} lines, in order: every created,
   * transition and verdict entry of every rollout, numbered in commit order across all replicas. A line commits
   * only after the one before it, so a reader that keeps the last line it handled and asks for the lines after it
   * never misses one: how the update server's notifications read the journal as their outbox. Reads only.
   *
   * @param dataSource connections to the database
   * @param seq the last line the caller has, 0 or more
   * @param limit the most lines returned, 1 or more
   * @return the lines after {@code seq}, each with its entry in {@link dev.ringfence.core.store.JournalFormat} JSON
   * @throws IllegalArgumentException if {@code seq} is negative or {@code limit} below 1
   * @throws dev.ringfence.core.StoreException if the database cannot be read or has no audit trail (schema
   *     version below 3)
   */
  static List<AuditRecord> auditAfter(DataSource dataSource, long seq, int limit) {
    return JdbcRolloutStore.auditAfter(requireDataSource(dataSource), seq, limit);
  }

  /**
   * Where the store's audit trail ends now. Reads only.
   *
   * @param dataSource connections to the database
   * @return the head row: the number of lines and the last line's hash
   * @throws dev.ringfence.core.StoreException if the database cannot be read or has no audit trail (schema
   *     version below 3)
   */
  static AuditHead auditHead(DataSource dataSource) {
    return JdbcRolloutStore.auditHead(requireDataSource(dataSource));
  }

  private static DataSource requireDataSource(DataSource dataSource) {
    if (dataSource == null) {
      throw new InvalidInputException("dataSource", "is null; pass the DataSource of the PostgreSQL database");
    }
    return dataSource;
  }

  /**
   * Closes the listening connection and ends every wait in {@link #awaitChange} (the thread reading the connection
   * within 100 ms); idempotent. Every
   * later call but {@code close()} and {@link #shared()} throws {@link dev.ringfence.core.store.StoreClosedException};
   * other replicas' stores on the same database are not affected.
   */
  @Override
  void close();
}
