package dev.ringfence.postgresql.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.JournalFormat;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.StoreClosedException;
import dev.ringfence.postgresql.PostgresRolloutStore;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link RolloutStore}, on plain {@code java.sql}: one transaction per append, the entry
 * body in the {@link JournalFormat} form plus indexed columns, gapless transition numbers checked by a
 * compare-and-set of {@code ringfence_rollout.last_sequence} (and a {@code UNIQUE (rollout_id, sequence)}
 * constraint behind it), the exact admission set in {@code ringfence_admission}, and a
 * {@code NOTIFY ringfence_transition, '<rolloutId>:<sequence>'} sent on the commit of every transition.
 *
 * <p>Creating the store applies the versioned migrations under {@code dev/ringfence/postgresql/db/} that the
 * database lacks, each in its own transaction under {@code pg_advisory_xact_lock}, so replicas starting
 * together do not race. The schema is described in {@code docs/postgresql.md}.
 *
 * <p>Thread safe: it takes a connection from the {@link DataSource} per operation (pass a pooling data source in
 * production), plus one connection of its own that LISTENs once {@link #awaitChange} is first called. {@link
 * #close()} releases that one and refuses every later call.
 */
public final class JdbcRolloutStore implements PostgresRolloutStore {


  /** The migration scripts, in order: script i (0-based) brings the schema to version i + 1. */
  static final List<String> MIGRATIONS = List.of("V1__journal.sql", "V2__halted.sql", "V3__audit.sql",
      "V4__replica_health.sql");

  /**
   * For each schema version (index version - 1), the oldest library schema that still works on a database at
   * it: what makes a rolling upgrade possible. A replica of the older library keeps serving (and may restart)
   * while newer replicas have migrated the database, as long as every migration since its own is compatible
   * with it. Version 4 only adds the replicas' health table, which a version-3 library never touches; version 3
   * made every audited append write its audit row, which a version-2 library would not.
   */
  static final int[] COMPATIBLE_FROM = {1, 2, 3, 3};


  /** Where the migration scripts live, as resources of this module. */
  static final String MIGRATION_DIRECTORY = "/dev/ringfence/postgresql/db/";

  /** Key of the transaction-level advisory lock that serializes migrations ("Ringfenc" in ASCII). */
  static final long MIGRATION_LOCK = 0x52696e6766656e63L;

  // timestamptz is indexed at microseconds within years 1 to 9999 here; the body keeps the exact instant.
  private static final Instant AT_MIN = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant AT_MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

  private static final String INSERT_ROLLOUT = "INSERT INTO ringfence_rollout (rollout_id, created_at)"
      + " VALUES (?, ?) ON CONFLICT (rollout_id) DO NOTHING";
  private static final String ADVANCE_SEQUENCE = "UPDATE ringfence_rollout SET last_sequence = ?,"
      + " halted = halted OR ? WHERE rollout_id = ? AND last_sequence = ?";
  private static final String LAST_SEQUENCE = "SELECT last_sequence FROM ringfence_rollout WHERE rollout_id = ?";
  private static final String INSERT_ENTRY = "INSERT INTO ringfence_journal"
      + " (rollout_id, kind, sequence, at, endpoint_id, entry) VALUES (?, ?, ?, ?, ?, ?) RETURNING position";
  private static final String INSERT_ADMISSION = "INSERT INTO ringfence_admission"
      + " (rollout_id, endpoint_id, ring_index, admitted_at) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (rollout_id, endpoint_id) DO NOTHING";
  private static final String NOTIFY = "SELECT pg_notify(?, ?)";
  private static final String READ = "SELECT position, entry FROM ringfence_journal WHERE rollout_id = ?"
      + " ORDER BY position";
  private static final String ROLLOUT_IDS = "SELECT rollout_id FROM ringfence_rollout ORDER BY creation";
  private static final String LOCK_ROLLOUT = "SELECT halted FROM ringfence_rollout WHERE rollout_id = ?"
      + " FOR UPDATE";
  private static final String IS_ADMITTED = "SELECT 1 FROM ringfence_admission WHERE rollout_id = ?"
      + " AND endpoint_id = ?";
  private static final String COUNT_RING = "SELECT count(*) FROM ringfence_admission WHERE rollout_id = ?"
      + " AND ring_index = ?";
  private static final String TRANSITIONS_AFTER = "SELECT entry FROM ringfence_journal WHERE rollout_id = ?"
      + " AND kind = 'transition' AND sequence > ? ORDER BY sequence";

  private static final String PUBLISH_HEALTH = "INSERT INTO ringfence_replica_health"
      + " (rollout_id, replica_id, published_at, health) VALUES (?, ?, ?, ?) ON CONFLICT (rollout_id, replica_id)"
      + " DO UPDATE SET published_at = excluded.published_at, health = excluded.health";
  private static final String OTHERS_HEALTH = "SELECT rollout_id, replica_id, published_at, health"
      + " FROM ringfence_replica_health WHERE replica_id <> ?";

  private static final Logger LOG = LoggerFactory.getLogger(JdbcRolloutStore.class);

  /**
   * Longest single read of the listening connection in {@link #awaitChange}: how soon an interrupt or a {@link
   * #close()} is noticed by the thread reading it (the other waiters wait on a {@link Condition} and notice at once).
   */
  static final long INTERRUPT_CHECK_MILLIS = 100;

  private final DataSource dataSource;
  /** Names the store in {@link StoreClosedException} and logs: its database. */
  private final String name;
  /** Set once, under {@link #waitLock}; volatile so that the operations, which take no lock, see it. */
  private volatile boolean closed;

  // What awaitChange waits on. One waiter at a time reads the listening connection (the driver's wait is a socket
  // read that ignores interrupts); the others wait on `signalled`, which the reader signals after every read.
  private final ReentrantLock waitLock = new ReentrantLock();
  private final Condition signalled = waitLock.newCondition();
  // Guarded by waitLock.
  /** The connection that LISTENs for committed transitions; opened by the first awaitChange. */
  private @Nullable Connection listener;
  /** Whether a waiter is reading {@link #listener} (without holding the lock). */
  private boolean reading;
  /** Notifications read since the store first listened. */
  private long received;
  /** {@link #received} when an awaitChange last returned true: a later call reports what came after it. */
  private long reported;

  /**
   * Creates the store (through {@link PostgresRolloutStore#create}) and brings the database's
   * schema up to {@link #SCHEMA_VERSION}.
   *
   * @param dataSource connections to the PostgreSQL database
   * @throws InvalidInputException if {@code dataSource} is null
   * @throws StoreException if the database cannot be reached, a migration fails, or the database's schema
   *     is newer than this library
   */
  /**
   * See {@link PostgresRolloutStore#create}.
   *
   * @param dataSource connections to the PostgreSQL database
   * @return the store
   */
  public static JdbcRolloutStore open(DataSource dataSource) {
    return new JdbcRolloutStore(dataSource);
  }

  private JdbcRolloutStore(DataSource dataSource) {
    if (dataSource == null) {
      throw new InvalidInputException("dataSource", "is null; pass the DataSource of the PostgreSQL database");
    }
    this.dataSource = dataSource;
    migrate();
    this.name = "the PostgreSQL rollout store of database '" + withConnection("read the database's name", null, c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
        rs.next();
        return rs.getString(1);
      }
    }) + "'";
  }

  /**
   * See {@link PostgresRolloutStore#exportAudit}.
   *
   * @param dataSource connections to the database
   * @param sink receives each line
   * @return the head recorded with the lines
   */
  public static AuditHead exportAudit(DataSource dataSource, Consumer<String> sink) {
    return JdbcAuditTrail.export(dataSource, sink);
  }

  /**
   * See {@link PostgresRolloutStore#verifyAudit}.
   *
   * @param dataSource connections to the database
   * @return what was found
   */
  public static AuditVerification verifyAudit(DataSource dataSource) {
    return JdbcAuditTrail.verify(dataSource);
  }

  /**
   * See {@link PostgresRolloutStore#auditAfter}.
   *
   * @param dataSource connections to the database
   * @param seq the last line the caller has, 0 or more
   * @param limit the most lines returned, 1 or more
   * @return the lines after it, in order
   */
  public static java.util.List<AuditRecord> auditAfter(DataSource dataSource, long seq, int limit) {
    checkArgument(seq >= 0, "seq %s is below 0", seq);
    checkArgument(limit > 0, "limit %s is below 1", limit);
    return JdbcAuditTrail.after(dataSource, seq, limit);
  }

  /**
   * See {@link PostgresRolloutStore#auditHead}.
   *
   * @param dataSource connections to the database
   * @return where the trail ends
   */
  public static AuditHead auditHead(DataSource dataSource) {
    return JdbcAuditTrail.head(dataSource);
  }

  // ---------------------------------------------------------------- append

  @Override
  public void append(JournalEntry entry) {
    requireNonNull(entry, "entry");
    checkOpen();
    String operation = describe(entry);
    String body = new String(JournalFormat.encode(entry), StandardCharsets.UTF_8);
    inTransaction(operation, entry.rolloutId(), c -> {
      if (entry instanceof JournalEntry.Created) {
        insertRollout(c, operation, entry);
      } else if (entry instanceof JournalEntry.Transitioned) {
        advanceSequence(c, operation, (JournalEntry.Transitioned) entry);
      }
      long position = insertEntry(c, entry, body);
      if (AuditRecord.audits(entry)) {
        // Last, so the lock on the audit head (every replica's audited appends queue on it) is held the shortest.
        JdbcAuditTrail.append(c, position, body);
      }
      if (entry instanceof JournalEntry.Admitted) {
        insertAdmission(c, (JournalEntry.Admitted) entry);
      } else if (entry instanceof JournalEntry.Transitioned) {
        notifyTransition(c, (JournalEntry.Transitioned) entry);
      }
    });
  }

  private static void insertRollout(Connection c, String operation, JournalEntry entry) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_ROLLOUT)) {
      ps.setString(1, entry.rolloutId());
      ps.setObject(2, timestamp(entry.at()));
      if (ps.executeUpdate() == 0) {
        throw new StoreException(operation + ": rollout '" + entry.rolloutId() + "' already exists in this store");
      }
    }
  }

  /** The compare-and-set of last_sequence from n - 1 to n; a concurrent winner makes it match no row. */
  private static void advanceSequence(Connection c, String operation, JournalEntry.Transitioned t)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ADVANCE_SEQUENCE)) {
      ps.setLong(1, t.sequence());
      ps.setBoolean(2, t.to().isHalted());
      ps.setString(3, t.rolloutId());
      ps.setLong(4, t.sequence() - 1);
      if (ps.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement ps = c.prepareStatement(LAST_SEQUENCE)) {
      ps.setString(1, t.rolloutId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new StoreException(operation + ": " + noCreated(t.rolloutId()));
        }
        long expected = rs.getLong(1) + 1;
        throw new StoreException(operation + ": transition " + t.sequence() + " conflicts with the stored history,"
            + " which expects " + expected + " (another replica may have won); reload the rollout");
      }
    }
  }

  /** @return the row's position */
  private static long insertEntry(Connection c, JournalEntry entry, String body) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_ENTRY)) {
      ps.setString(1, entry.rolloutId());
      ps.setString(2, kind(entry));
      if (entry instanceof JournalEntry.Transitioned) {
        ps.setLong(3, ((JournalEntry.Transitioned) entry).sequence());
      } else {
        ps.setNull(3, Types.BIGINT);
      }
      ps.setObject(4, timestamp(entry.at()));
      String endpointId = endpointId(entry);
      if (endpointId != null) {
        ps.setString(5, endpointId);
      } else {
        ps.setNull(5, Types.VARCHAR);
      }
      ps.setString(6, body);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void insertAdmission(Connection c, JournalEntry.Admitted a) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_ADMISSION)) {
      ps.setString(1, a.rolloutId());
      ps.setString(2, a.endpointId());
      ps.setInt(3, a.ringIndex());
      ps.setObject(4, timestamp(a.at()));
      ps.executeUpdate();
    }
  }

  /** Queued in the transaction; PostgreSQL delivers it to listeners on commit, and never on rollback. */
  private static void notifyTransition(Connection c, JournalEntry.Transitioned t) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(NOTIFY)) {
      ps.setString(1, NOTIFY_CHANNEL);
      ps.setString(2, t.rolloutId() + ":" + t.sequence());
      ps.executeQuery().close();
    }
  }

  /**
   * Checks the ring's cap and stores the admission in one transaction, under a lock on the rollout's
   * row, so that replicas admitting at the same moment cannot together pass the cap.
   */
  @Override
  public boolean admit(JournalEntry.Admitted entry, long cap) {
    requireNonNull(entry, "entry");
    checkArgument(cap >= 0, "cap %s is below 0", cap);
    checkOpen();
    String operation = describe(entry);
    String body = new String(JournalFormat.encode(entry), StandardCharsets.UTF_8);
    boolean[] admitted = new boolean[1];
    inTransaction(operation, entry.rolloutId(), c -> {
      try (PreparedStatement ps = c.prepareStatement(LOCK_ROLLOUT)) {
        ps.setString(1, entry.rolloutId());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new StoreException(operation + ": " + noCreated(entry.rolloutId()));
          }
          if (rs.getBoolean(1)) {
            return; // halted by some replica: no new exposure, whatever this replica's view says
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(IS_ADMITTED)) {
        ps.setString(1, entry.rolloutId());
        ps.setString(2, entry.endpointId());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            admitted[0] = true; // admitted before, by this replica or another: sticky, nothing to store
            return;
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(COUNT_RING)) {
        ps.setString(1, entry.rolloutId());
        ps.setInt(2, entry.ringIndex());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) >= cap) {
            return;
          }
        }
      }
      insertEntry(c, entry, body);
      insertAdmission(c, entry);
      admitted[0] = true;
    });
    return admitted[0];
  }

  /**
   * Waits for {@code NOTIFY ringfence_transition} on a connection of its own that LISTENs, through the driver's
   * {@link PGConnection#getNotifications(int)}. That wait is a socket read that ignores interrupts, so one waiter
   * reads in slices of at most {@value #INTERRUPT_CHECK_MILLIS} ms, checking for an interrupt and a close between
   * them, and signals the other waiters after each. With a lost connection it waits out the rest of the timeout on
   * the same signal (which {@link #close()} also gives; polling by ticks stays the fallback) and opens a new
   * listening connection on the next call.
   */
  @Override
  public boolean awaitChange(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    checkArgument(!timeout.isNegative(), "timeout %s is negative", timeout);
    // The budget is spent read by read (each driver wait lasts its slice unless a notification comes) and by the
    // condition's own accounting, so the store reads no clock of its own.
    long left = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    waitLock.lockInterruptibly();
    try {
      boolean waited = false;
      boolean lost = false;
      while (true) {
        checkOpen();
        if (received > reported) {
          reported = received;
          return true;
        }
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for " + NOTIFY_CHANNEL);
        }
        if (waited && left <= 0) {
          return false;
        }
        if (reading || lost) {
          // Another waiter reads the connection and signals after every read; with the connection lost, only
          // close() or another waiter's read signals: the rest of the timeout passes here, never in a sleep.
          left = signalled.awaitNanos(Math.max(left, 1));
        } else {
          long slice = Math.min(left, TimeUnit.MILLISECONDS.toNanos(INTERRUPT_CHECK_MILLIS));
          if (readListener(slice)) {
            left -= slice;
          } else {
            lost = true;
          }
        }
        waited = true;
      }
    } finally {
      waitLock.unlock();
    }
  }

  /**
   * Reads the listening connection for up to {@code nanos} (at least a millisecond: the driver reads 0 as "wait
   * forever"), opening it first if needed, without holding {@link #waitLock}; then counts what came and signals the
   * other waiters. Called and returns with the lock held.
   *
   * @return false if the connection failed; it is closed then, and the next call opens a new one
   */
  private boolean readListener(long nanos) {
    reading = true;
    Connection connection = listener;
    int count = 0;
    boolean ok = true;
    waitLock.unlock();
    try {
      if (connection == null || connection.isClosed()) {
        connection = listen();
      }
      PGNotification[] notifications = connection.unwrap(PGConnection.class)
          .getNotifications((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
      count = notifications == null ? 0 : notifications.length;
    } catch (SQLException | RuntimeException e) {
      LOG.debug("{}: cannot wait for notifications; falling back to the timeout", name, e);
      ok = false;
    } finally {
      waitLock.lock();
      reading = false;
    }
    listener = connection;
    received += count;
    if (!ok || closed) {
      closeListener();
    }
    signalled.signalAll();
    return ok;
  }

  /** A new connection that LISTENs on {@link #NOTIFY_CHANNEL}. */
  private Connection listen() throws SQLException {
    Connection c = dataSource.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN " + NOTIFY_CHANNEL);
      return c;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /**
   * Closes the listening connection (at once, or when the waiter reading it is done with its slice) and ends every
   * wait; every later call throws {@link StoreClosedException}. Idempotent.
   */
  @Override
  public void close() {
    waitLock.lock();
    try {
      closed = true;
      if (!reading) {
        closeListener();
      }
      signalled.signalAll();
    } finally {
      waitLock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException(name);
    }
  }

  /** Under {@link #waitLock}, with no waiter reading the connection. */
  private void closeListener() {
    Connection c = listener;
    if (c != null) {
      listener = null;
      closeQuietly(c);
    }
  }

  @Override
  public String toString() {
    return name;
  }

  @Override
  public List<JournalEntry.Transitioned> transitionsAfter(String rolloutId, long sequence) {
    requireNonNull(rolloutId, "rolloutId");
    checkArgument(sequence >= 0, "sequence %s is below 0", sequence);
    checkOpen();
    return withConnection("read the transitions of rollout '" + rolloutId + "' after " + sequence, rolloutId, c -> {
      try (PreparedStatement ps = c.prepareStatement(TRANSITIONS_AFTER)) {
        ps.setString(1, rolloutId);
        ps.setLong(2, sequence);
        try (ResultSet rs = ps.executeQuery()) {
          List<JournalEntry.Transitioned> out = new ArrayList<>();
          while (rs.next()) {
            out.add((JournalEntry.Transitioned) JournalFormat.decode(rs.getString(1).getBytes(StandardCharsets.UTF_8)));
          }
          return out;
        }
      }
    });
  }

  /**
   * Upserts this replica's rows in one batch (one round trip, each row its own statement: a rollout deleted
   * meanwhile cannot refuse the others') and reads every other replica's rows in a second.
   */
  @Override
  public List<HealthShare> exchangeHealth(String replicaId, List<HealthShare> own) {
    requireNonNull(replicaId, "replicaId");
    requireNonNull(own, "own: pass an empty list when there is nothing to publish");
    checkArgument(!replicaId.isBlank(), "replicaId '%s' is blank", replicaId);
    checkOpen();
    return withConnection("exchange the health of replica '" + replicaId + "'", null, c -> {
      if (!own.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(PUBLISH_HEALTH)) {
          for (HealthShare share : own) {
            ps.setString(1, share.rolloutId());
            ps.setString(2, share.replicaId());
            ps.setObject(3, timestamp(share.publishedAt()));
            ps.setString(4, share.health());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(OTHERS_HEALTH)) {
        ps.setString(1, replicaId);
        try (ResultSet rs = ps.executeQuery()) {
          List<HealthShare> others = new ArrayList<>();
          while (rs.next()) {
            others.add(new HealthShare(rs.getString(1), rs.getString(2),
                rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4)));
          }
          return others;
        }
      }
    });
  }

  // ---------------------------------------------------------------- reads

  @Override
  public List<String> rolloutIds() {
    checkOpen();
    return withConnection("list the rollout ids", null, c -> {
      try (PreparedStatement ps = c.prepareStatement(ROLLOUT_IDS); ResultSet rs = ps.executeQuery()) {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        return List.copyOf(ids);
      }
    });
  }

  @Override
  public List<JournalEntry> read(String rolloutId) {
    requireNonNull(rolloutId, "rolloutId");
    checkOpen();
    String operation = "read rollout '" + rolloutId + "'";
    return withConnection(operation, rolloutId, c -> {
      try (PreparedStatement ps = c.prepareStatement(READ)) {
        ps.setString(1, rolloutId);
        try (ResultSet rs = ps.executeQuery()) {
          List<JournalEntry> entries = new ArrayList<>();
          while (rs.next()) {
            long position = rs.getLong(1);
            try {
              entries.add(JournalFormat.decode(rs.getString(2).getBytes(StandardCharsets.UTF_8)));
            } catch (StoreException e) {
              throw new StoreException(operation + ": journal position " + position + ": " + e.getMessage(), e);
            }
          }
          return List.copyOf(entries);
        }
      }
    });
  }

  // ---------------------------------------------------------------- migrations

  private static volatile boolean compatibleLogged;

  /**
   * This schema's migrations: its version table, lock and compatibility. A newer database that does not suit this
   * library is refused; one that does is used as it is, with a warning once per process.
   */
  private static final SchemaMigrator MIGRATOR = new SchemaMigrator("ringfence_schema_version",
      "version integer PRIMARY KEY, applied_at timestamptz NOT NULL, compatible_from integer", MIGRATION_LOCK,
      COMPATIBLE_FROM,
      (current, from, known) -> new StoreException("schema version " + current + " is newer than this library ("
          + known + ")" + (from == null ? "" : " and needs a library of schema " + from + " or newer")
          + "; upgrade Ringfence"),
      (current, from, known) -> {
        if (!compatibleLogged) {
          compatibleLogged = true;
          LOG.warn("the database's schema is version {}, newer than this library's {}; it suits libraries from"
              + " version {} on, so this replica runs as it is until it is upgraded (a rolling upgrade)", current,
              known, from);
        }
      });

  /** Each version in a transaction of its own; each script is read before its transaction starts. */
  private void migrate() {
    for (int i = 0; i < MIGRATIONS.size(); i++) {
      int version = i + 1;
      String script = MIGRATIONS.get(i);
      String operation = "migrate the schema to version " + version + " (" + script + ")";
      List<String> statements = statements(script);
      inTransaction(operation, null, c -> MIGRATOR.migrateTo(c, version, (tx, v) -> {
        // The versions before this one committed in the transactions before it.
        checkState(v == version, "migration to version %s reached version %s", version, v);
        try (Statement s = tx.createStatement()) {
          for (String statement : statements) {
            s.execute(statement);
          }
        }
        if (v == JdbcAuditTrail.SCHEMA) {
          JdbcAuditTrail.backfill(tx); // in the migration's transaction: no append can come in between
        }
      }));
    }
  }

  /**
   * A migration script's statements: whole-line {@code --} comments dropped, a statement ends with a line
   * that ends with {@code ;}.
   */
  static List<String> statements(String script) {
    return SchemaMigrator.scriptStatements(JdbcRolloutStore.class, MIGRATION_DIRECTORY + script);
  }

  // ---------------------------------------------------------------- connections

  /** Work on a connection. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Work in a transaction. */
  @FunctionalInterface
  private interface TransactionWork {
    void run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction and commits it. Any failure before the commit returns rolls it back
   * and throws (an SQLException as a {@link StoreException}); a failure to clean up the connection after the
   * commit does not make a stored entry look unstored.
   */
  private void inTransaction(String operation, @Nullable String rolloutId, TransactionWork work) {
    withConnection(operation, rolloutId, c -> {
      c.setAutoCommit(false);
      try {
        work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        if (rollbackQuietly(c, e)) {
          restoreAutoCommit(c);
        }
        throw e;
      }
      restoreAutoCommit(c);
      return null;
    });
  }

  private <T> T withConnection(String operation, @Nullable String rolloutId, Work<T> work) {
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw translate(operation, rolloutId, e);
    }
    try {
      return work.run(c);
    } catch (SQLException e) {
      throw translate(operation, rolloutId, e);
    } finally {
      closeQuietly(c);
    }
  }

  /** Back to the JDBC default for a pool that does not reset it; only once the transaction has ended. */
  private static void restoreAutoCommit(Connection c) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      LOG.debug("cannot reset auto-commit of a connection", e);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("cannot close a connection", e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String kind(JournalEntry entry) {
    if (entry instanceof JournalEntry.Created) {
      return "created";
    } else if (entry instanceof JournalEntry.Transitioned) {
      return "transition";
    } else if (entry instanceof JournalEntry.Admitted) {
      return "admitted";
    } else if (entry instanceof JournalEntry.VerdictRecorded) {
      return "verdict";
    }
    return "reverted";
  }

  private static @Nullable String endpointId(JournalEntry entry) {
    if (entry instanceof JournalEntry.Admitted) {
      return ((JournalEntry.Admitted) entry).endpointId();
    } else if (entry instanceof JournalEntry.Reverted) {
      return ((JournalEntry.Reverted) entry).endpointId();
    }
    return null;
  }

  private static String describe(JournalEntry entry) {
    String what;
    if (entry instanceof JournalEntry.Transitioned) {
      what = "Transitioned #" + ((JournalEntry.Transitioned) entry).sequence();
    } else if (entry instanceof JournalEntry.Admitted) {
      what = "Admitted of '" + ((JournalEntry.Admitted) entry).endpointId() + "'";
    } else if (entry instanceof JournalEntry.Reverted) {
      what = "Reverted of '" + ((JournalEntry.Reverted) entry).endpointId() + "'";
    } else {
      what = entry.getClass().getSimpleName();
    }
    return "append " + what + " to rollout '" + entry.rolloutId() + "'";
  }

  private static OffsetDateTime timestamp(Instant at) {
    Instant clamped = at.isBefore(AT_MIN) ? AT_MIN : at.isAfter(AT_MAX) ? AT_MAX : at;
    return OffsetDateTime.ofInstant(clamped, ZoneOffset.UTC);
  }

  private static String noCreated(String rolloutId) {
    return "rollout '" + rolloutId + "' has no Created entry in this store; create it first";
  }

  private static StoreException translate(String operation, @Nullable String rolloutId, SQLException e) {
    String state = e.getSQLState();
    String reason;
    if ("23503".equals(state) && rolloutId != null) {
      reason = noCreated(rolloutId);
    } else if ("23505".equals(state)) {
      reason = "refused by a uniqueness constraint, another replica stored it first: " + e.getMessage();
    } else if (state != null && state.startsWith("08")) {
      reason = "the database cannot be reached: " + e.getMessage();
    } else if (state != null && state.startsWith("57P")) {
      reason = "the database went away: " + e.getMessage();
    } else {
      reason = e.getMessage();
    }
    return new StoreException(operation + ": " + reason + " (SQLState " + state + ")", e);
  }

  /** @return whether the rollback went through */
  private static boolean rollbackQuietly(Connection c, Exception failure) {
    try {
      c.rollback();
      return true;
    } catch (SQLException e) {
      failure.addSuppressed(e);
      return false;
    }
  }
}
