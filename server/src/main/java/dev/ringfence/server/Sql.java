package dev.ringfence.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The statements the server's PostgreSQL tables share: parameters bound in order, rows read in order, UTC times. */
final class Sql {

  private Sql() {}

  /** Reads one row. */
  interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs an insert or update on the caller's connection, its parameters bound in order ({@code setObject}: the
   * driver maps String, long, boolean, byte[] and OffsetDateTime to their column types).
   *
   * @return the rows it changed
   */
  static int update(Connection c, String statement, Object... parameters) throws SQLException {
    try (PreparedStatement u = c.prepareStatement(statement)) {
      bind(u, parameters);
      return u.executeUpdate();
    }
  }

  /** The first row, if any, of a query whose parameters are bound in order, read on the caller's connection. */
  static <T> Optional<T> first(Connection c, String query, Row<T> row, Object... parameters) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(query)) {
      bind(q, parameters);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
      }
    }
  }

  /** The rows of a query whose parameters are bound in order, in its order, read on the caller's connection. */
  static <T> List<T> rows(Connection c, String query, Row<T> row, Object... parameters) throws SQLException {
    List<T> rows = new ArrayList<>();
    try (PreparedStatement q = c.prepareStatement(query)) {
      bind(q, parameters);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          rows.add(row.read(rs));
        }
      }
    }
    return rows;
  }

  /** An instant as the tables keep it: {@code timestamptz}, written in UTC. */
  static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }

  /** A {@code timestamptz} column as an instant, null when the column is. */
  static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
  }
}
