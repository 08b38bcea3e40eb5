package dev.ringfence.server;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The delivery cursors in PostgreSQL, shared by every replica: {@code ringfence_server_notify_cursor} (server
 * schema version 5), one row per sink with the last line handled, the replica holding the lease and when the lease
 * runs out. Each statement is one atomic compare-and-set on that row, so two replicas never both hold a sink: the
 * one whose {@code UPDATE} matched sends, the other's matched no row.
 */
final class JdbcNotificationCursors implements NotificationCursors {

  private static final String CREATE = "INSERT INTO ringfence_server_notify_cursor (sink, line) VALUES (?, ?)"
      + " ON CONFLICT (sink) DO NOTHING";
  private static final String CLAIM = "UPDATE ringfence_server_notify_cursor SET owner = ?, lease_until = ?"
      + " WHERE sink = ? AND (owner IS NULL OR owner = ? OR lease_until <= ?) RETURNING line";
  private static final String ADVANCE = "UPDATE ringfence_server_notify_cursor SET line = greatest(line, ?),"
      + " lease_until = ? WHERE sink = ? AND owner = ?";
  private static final String RELEASE = "UPDATE ringfence_server_notify_cursor SET owner = NULL, lease_until = NULL"
      + " WHERE sink = ? AND owner = ?";

  private final DataSource dataSource;

  JdbcNotificationCursors(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public OptionalLong claim(String sink, long initial, String owner, Instant now, Duration lease) {
    try (Connection c = dataSource.getConnection()) {
      Sql.update(c, CREATE, sink, initial);
      Optional<Long> line = Sql.first(c, CLAIM, rs -> rs.getLong(1), owner, Sql.utc(now.plus(lease)), sink, owner,
          Sql.utc(now));
      return line.map(OptionalLong::of).orElse(OptionalLong.empty());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot claim notification sink '" + sink + "' in PostgreSQL: "
          + e.getMessage(), e);
    }
  }

  @Override
  public boolean advance(String sink, String owner, long line, Instant now, Duration lease) {
    try (Connection c = dataSource.getConnection()) {
      return Sql.update(c, ADVANCE, line, Sql.utc(now.plus(lease)), sink, owner) == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot move the cursor of notification sink '" + sink + "' in PostgreSQL: "
          + e.getMessage(), e);
    }
  }

  @Override
  public void release(String sink, String owner) {
    try (Connection c = dataSource.getConnection()) {
      Sql.update(c, RELEASE, sink, owner);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot release notification sink '" + sink + "' in PostgreSQL: "
          + e.getMessage(), e);
    }
  }
}
