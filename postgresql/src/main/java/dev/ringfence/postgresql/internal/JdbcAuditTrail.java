package dev.ringfence.postgresql.internal;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.core.store.AuditTrail;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.protocol.InvalidInputException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The PostgreSQL store's audit trail (schema version 3): {@code ringfence_audit}, one {@link AuditRecord} a row,
 * and {@code ringfence_audit_head}, where it ends. A line is written in the transaction of its journal row, after
 * {@code SELECT ... FOR UPDATE} on the head row: that row lock serializes every audited append of every replica
 * until its commit, so the chain follows commit order and no two transactions chain onto the same line.
 */
final class JdbcAuditTrail {

  /** The first schema version with the audit tables. */
  static final int SCHEMA = 3;
  /** The journal kinds the trail holds ({@link AuditRecord#audits}). */
  static final String AUDITED_KINDS = "('created', 'transition', 'verdict')";

  private static final String LOCK_HEAD = "SELECT lines, hash FROM ringfence_audit_head WHERE id FOR UPDATE";
  private static final String READ_HEAD = "SELECT lines, hash FROM ringfence_audit_head WHERE id";
  private static final String INSERT_LINE = "INSERT INTO ringfence_audit (seq, position, prev, hash, entry)"
      + " VALUES (?, ?, ?, ?, ?)";
  private static final String MOVE_HEAD = "UPDATE ringfence_audit_head SET lines = ?, hash = ? WHERE id";
  private static final String LINES = "SELECT seq, prev, hash, entry FROM ringfence_audit ORDER BY seq";
  private static final String LINES_AFTER = "SELECT seq, prev, hash, entry FROM ringfence_audit WHERE seq > ?"
      + " ORDER BY seq LIMIT ?";
  private static final String UNAUDITED = "SELECT j.position, j.rollout_id, j.kind, a.seq FROM ringfence_journal j"
      + " LEFT JOIN ringfence_audit a ON a.position = j.position WHERE j.kind IN " + AUDITED_KINDS
      + " AND (a.seq IS NULL OR a.entry <> j.entry) ORDER BY j.position LIMIT 1";
  private static final String ORPHANED = "SELECT a.seq, a.position FROM ringfence_audit a"
      + " LEFT JOIN ringfence_journal j ON j.position = a.position WHERE j.position IS NULL ORDER BY a.seq LIMIT 1";
  private static final String BACKFILL = "SELECT position, entry FROM ringfence_journal WHERE kind IN "
      + AUDITED_KINDS + " ORDER BY position";

  private JdbcAuditTrail() {}

  /**
   * Chains the journal row at {@code position} onto the trail, in the caller's transaction.
   *
   * @return the line written
   */
  static AuditRecord append(Connection c, long position, String entryJson) throws SQLException {
    AuditHead head;
    try (PreparedStatement ps = c.prepareStatement(LOCK_HEAD); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new StoreException("the audit head row (ringfence_audit_head) is missing, so no audited entry can be"
            + " chained; the audit tables were tampered with: check them with `ringfence audit verify --jdbc-url`"
            + " and restore them from a backup");
      }
      head = head(rs);
    }
    AuditRecord line = AuditRecord.next(head, entryJson);
    try (PreparedStatement ps = c.prepareStatement(INSERT_LINE)) {
      ps.setLong(1, line.seq());
      ps.setLong(2, position);
      ps.setString(3, line.prev());
      ps.setString(4, line.hash());
      ps.setString(5, line.entryJson());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(MOVE_HEAD)) {
      ps.setLong(1, line.seq());
      ps.setString(2, line.hash());
      ps.executeUpdate();
    }
    return line;
  }

  /** Chains every audited row already in the journal, in position order: the upgrade to schema version 3. */
  static void backfill(Connection c) throws SQLException {
    List<Long> positions = new ArrayList<>();
    List<String> entries = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(BACKFILL); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        positions.add(rs.getLong(1));
        entries.add(rs.getString(2));
      }
    }
    for (int i = 0; i < entries.size(); i++) {
      append(c, positions.get(i), entries.get(i));
    }
  }

  /**
   * Streams the trail and reads its head in one read-only, repeatable-read transaction, so the two agree.
   *
   * @return the head recorded with the lines streamed
   */
  static AuditHead export(DataSource dataSource, Consumer<String> sink) {
    return readConsistently(dataSource, "export the audit trail", c -> {
      streamLines(c, sink);
      return readHead(c);
    });
  }

  /**
   * Lines after {@code seq}, at most {@code limit}, in one read-only transaction. A line commits only after the
   * one before it (the head row's lock), so what is read is always a gap-free run.
   */
  static List<AuditRecord> after(DataSource dataSource, long seq, int limit) {
    return readConsistently(dataSource, "read the audit trail after line " + seq, c -> {
      List<AuditRecord> lines = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(LINES_AFTER)) {
        ps.setLong(1, seq);
        ps.setInt(2, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            lines.add(new AuditRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
          }
        }
      }
      return lines;
    });
  }

  /** The head row, read alone. */
  static AuditHead head(DataSource dataSource) {
    return readConsistently(dataSource, "read the audit trail's head", JdbcAuditTrail::readHead);
  }

  /**
   * Checks the chain, its end against the head row, and that every audited journal row has its line with the same
   * entry (and every line its journal row), in one read-only, repeatable-read transaction.
   */
  static AuditVerification verify(DataSource dataSource) {
    return readConsistently(dataSource, "verify the audit trail", c -> {
      List<String> lines = new ArrayList<>();
      streamLines(c, lines::add);
      AuditHead head = readHead(c);
      AuditVerification chain = AuditTrail.verify(lines, head);
      if (!chain.intact()) {
        return chain;
      }
      String mismatch = journalMismatch(c);
      return mismatch == null ? chain
          : new AuditVerification(lines.size(), Optional.of(head), Optional.of(mismatch), Optional.empty());
    });
  }

  private static String journalMismatch(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(UNAUDITED)) {
      if (rs.next()) {
        String row = "journal row " + rs.getLong(1) + " (" + rs.getString(3) + " of rollout '" + rs.getString(2) + "')";
        long seq = rs.getLong(4);
        return rs.wasNull() ? row + " has no audit line: an audit line was deleted, or a replica older than schema"
            + " version " + SCHEMA + " wrote it"
            : row + " differs from its audit line " + seq + ": the journal row was changed";
      }
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(ORPHANED)) {
      if (rs.next()) {
        return "audit line " + rs.getLong(1) + " belongs to journal row " + rs.getLong(2) + ", which is gone: a"
            + " journal row was deleted";
      }
    }
    return null;
  }

  private static void streamLines(Connection c, Consumer<String> sink) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LINES)) {
      ps.setFetchSize(1_000); // a cursor, not the whole table in memory (auto-commit is off here)
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sink.accept(new AuditRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)).toLine());
        }
      }
    }
  }

  private static AuditHead readHead(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(READ_HEAD); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new StoreException("the audit head row (ringfence_audit_head) is missing: the audit tables were"
            + " tampered with; restore them from a backup");
      }
      return head(rs);
    }
  }

  private static AuditHead head(ResultSet rs) throws SQLException {
    try {
      return new AuditHead(rs.getLong(1), rs.getString(2));
    } catch (InvalidInputException e) {
      throw new StoreException("the audit head row (ringfence_audit_head) holds " + e.getMessage() + ": the audit"
          + " tables were tampered with; restore them from a backup", e);
    }
  }

  /** Work on a read-only connection. */
  @FunctionalInterface
  interface Read<T> {
    T run(Connection c) throws SQLException;
  }

  private static <T> T readConsistently(DataSource dataSource, String operation, Read<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        int version = schemaVersion(c);
        if (version < SCHEMA) {
          throw new StoreException(operation + ": the database's Ringfence schema is version " + version
              + ", which keeps no audit trail; the first store or server of this version that opens it migrates it"
              + " to version " + SCHEMA + " and chains the journal's rows");
        }
        return work.run(c);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new StoreException(operation + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
    }
  }

  private static int schemaVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('ringfence_schema_version') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return 0;
      }
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM ringfence_schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
