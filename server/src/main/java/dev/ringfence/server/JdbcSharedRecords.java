package dev.ringfence.server;

import dev.ringfence.postgresql.internal.SchemaMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Releases and enrollments in PostgreSQL, in the server's own tables next to the rollout store's. The
 * server's schema has its own version table ({@code ringfence_server_schema_version}) and migrations,
 * applied on start under a transaction-level advisory lock so that replicas starting together queue.
 *
 * <p>Inserts of one kind are serialized by an advisory lock held to the commit, so rows commit in the
 * order of their sequence numbers and a replica that reads "every row after the last I saw" misses none.
 * The lock also makes the release checks (version above the channel's newest; one general version)
 * exact across replicas.
 */
final class JdbcSharedRecords implements SharedRecords, TrustRecords, TokenRecords, StopAllRecords,
    DeferralRecords {

  /** Schema version i + 1 is reached by the statements of entry i. */
  static final List<List<String>> MIGRATIONS = List.of(List.of(
      "CREATE TABLE ringfence_server_content (sha256 text PRIMARY KEY, payload bytea NOT NULL)",
      "CREATE TABLE ringfence_server_release (seq bigserial PRIMARY KEY, channel text NOT NULL,"
          + " version bigint NOT NULL, sha256 text NOT NULL REFERENCES ringfence_server_content (sha256),"
          + " envelope bytea NOT NULL, general boolean NOT NULL, UNIQUE (channel, version))",
      "CREATE TABLE ringfence_server_enrollment (seq bigserial PRIMARY KEY, endpoint_id text NOT NULL UNIQUE,"
          + " enrollment bytea NOT NULL)"),
      // Version 2: every replica's admin token, by its SHA-256 (never the token), so any replica accepts it.
      List.of("CREATE TABLE ringfence_server_admin_token (sha256 bytea PRIMARY KEY,"
          + " added_at timestamptz NOT NULL DEFAULT now())"),
      // Version 3: the trust roots and each channel's signed timestamp, served alike by every replica.
      List.of("CREATE TABLE ringfence_server_root (version bigint PRIMARY KEY, document bytea NOT NULL)",
          "CREATE TABLE ringfence_server_timestamp (channel text PRIMARY KEY, serial bigint NOT NULL,"
              + " document bytea NOT NULL)"),
      // Version 4: named API tokens with roles (digests only; a name is never reused, so a revoked row stays), the
      // bootstrap tokens' last use, and the stop-all switch's every stop and lift.
      List.of("ALTER TABLE ringfence_server_admin_token ADD COLUMN last_used_at timestamptz",
          "CREATE TABLE ringfence_server_api_token (name text PRIMARY KEY, role text NOT NULL"
              + " CHECK (role IN ('viewer', 'operator', 'admin')), sha256 bytea NOT NULL UNIQUE,"
              + " created_at timestamptz NOT NULL, created_by text NOT NULL, last_used_at timestamptz,"
              + " revoked_at timestamptz, revoked_by text)",
          "CREATE TABLE ringfence_server_stop_all (seq bigserial PRIMARY KEY, stop boolean NOT NULL,"
              + " actor text NOT NULL, reason text NOT NULL, at timestamptz NOT NULL)"),
      // Version 5: each notification sink's delivery cursor (the last audit line handled) and which replica holds
      // its lease until when (JdbcNotificationCursors).
      List.of("CREATE TABLE ringfence_server_notify_cursor (sink text PRIMARY KEY, line bigint NOT NULL"
          + " CHECK (line >= 0), owner text, lease_until timestamptz)"),
      // Version 6: each channel's customer deferral policy, every change kept (who set it, when); the newest row of a
      // channel is its policy.
      List.of("CREATE TABLE ringfence_server_deferral (seq bigserial PRIMARY KEY, channel text NOT NULL,"
          + " deferrals text NOT NULL, actor text NOT NULL, at timestamptz NOT NULL)"));

  /**
   * For each server schema version (index version - 1), the oldest server schema that still works on it, so
   * older replicas keep serving during a rolling upgrade: version 2 only adds the token digests, which a
   * version-1 server never reads (its token is then not shared); version 3 only adds the trust documents,
   * which older servers neither read nor serve; version 4 only adds a nullable column to the bootstrap tokens'
   * table (older servers insert their digest as before) and two tables older servers never read: during the
   * upgrade they accept only the bootstrap tokens and do not enforce a stop-all switch on rollouts created through
   * them (docs/postgresql.md says what to do about it); version 5 only adds the notification cursors, which older
   * servers never read (they send no notifications); version 6 only adds the deferral policies, which older servers
   * never read: during the upgrade they do not defer (docs/postgresql.md).
   */
  static final int[] COMPATIBLE_FROM = {1, 1, 1, 1, 1, 1};

  // Advisory lock keys: "RfSrvMig", "RfSrvRel", "RfSrvEnr" in ASCII.
  private static final long MIGRATION_LOCK = 0x52665372764D6967L;
  private static final long RELEASE_LOCK = 0x526653727652656CL;
  private static final long ENROLLMENT_LOCK = 0x5266537276456E72L;
  /** "RfSrvStp": one stop or lift at a time, so the switch changes only from its newest state. */
  private static final long STOP_ALL_LOCK = 0x5266537276537470L;
  /** "RfSrvDef": policy changes commit in the order of their sequence numbers, so a catch-up misses none. */
  private static final long DEFERRAL_LOCK = 0x5266537276446566L;

  /**
   * The server schema's migrations. A newer server schema that does not suit this server is refused; one that
   * does is served as it is.
   */
  private static final SchemaMigrator MIGRATOR = new SchemaMigrator("ringfence_server_schema_version",
      "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), compatible_from integer",
      MIGRATION_LOCK, COMPATIBLE_FROM,
      (current, from, known) -> new IllegalStateException("the database's update server schema is version "
          + current + "; this server knows up to " + known + ": upgrade the server"),
      (current, from, known) -> { });

  private final DataSource dataSource;

  private JdbcSharedRecords(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Opens the records, bringing the server's schema up to date.
   *
   * @throws IllegalStateException if the database cannot be reached or its server schema is newer than
   *     this server knows
   */
  static JdbcSharedRecords open(DataSource dataSource) {
    JdbcSharedRecords records = new JdbcSharedRecords(dataSource);
    records.migrate();
    return records;
  }

  /** All missing versions in one transaction, so a failed start leaves the server's schema as it found it. */
  private void migrate() {
    inTransaction("migrate the update server's schema", c -> {
      MIGRATOR.migrateTo(c, MIGRATIONS.size(), (tx, version) -> {
        try (Statement s = tx.createStatement()) {
          for (String statement : MIGRATIONS.get(version - 1)) {
            s.execute(statement);
          }
        }
      });
      return null;
    });
  }

  @Override
  public void publish(String channel, long version, String sha256, byte[] envelopeJson, byte[] payload,
      boolean general) {
    inTransaction("publish v" + version + " of '" + channel + "'", c -> {
      lock(c, RELEASE_LOCK);
      try (PreparedStatement q = c.prepareStatement("SELECT max(version), bool_or(general)"
          + " FROM ringfence_server_release WHERE channel = ?")) {
        q.setString(1, channel);
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          long newest = rs.getLong(1);
          boolean hasNewest = !rs.wasNull();
          boolean hasGeneral = rs.getBoolean(2);
          if (hasNewest && version <= newest) {
            throw new HttpError(409, "conflict", "envelope.version", "envelope.version: " + version
                + " is not above v" + newest + ", the newest release of '" + channel
                + "' (published through another replica); publish a new, higher version");
          }
          if (general && hasGeneral) {
            throw new HttpError(409, "conflict", "general", "general: channel '" + channel
                + "' has a general version already (published through another replica)");
          }
          if (general && hasNewest) {
            throw new HttpError(409, "conflict", "general", "general: channel '" + channel + "' has releases already"
                + " (published through another replica); only a channel's first release may be general, later ones"
                + " go out by a rollout");
          }
        }
      }
      Sql.update(c, "INSERT INTO ringfence_server_content (sha256, payload) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
          sha256, payload);
      Sql.update(c, "INSERT INTO ringfence_server_release (channel, version, sha256, envelope, general)"
          + " VALUES (?, ?, ?, ?, ?)", channel, version, sha256, envelopeJson, general);
      return null;
    });
  }

  @Override
  public List<ReleaseRow> releasesAfter(long seq) {
    return rowsAfter("read releases", "SELECT seq, channel, envelope, general FROM ringfence_server_release"
        + " WHERE seq > ? ORDER BY seq", seq,
        rs -> new ReleaseRow(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBoolean(4)));
  }

  @Override
  public Optional<byte[]> payload(String sha256) {
    return rowWith("read payload " + sha256, "SELECT payload FROM ringfence_server_content WHERE sha256 = ?", sha256,
        rs -> rs.getBytes(1));
  }

  @Override
  public void enroll(String endpointId, byte[] json) {
    inTransaction("enroll '" + endpointId + "'", c -> {
      lock(c, ENROLLMENT_LOCK);
      if (Sql.update(c, "INSERT INTO ringfence_server_enrollment (endpoint_id, enrollment) VALUES (?, ?)"
          + " ON CONFLICT (endpoint_id) DO NOTHING", endpointId, json) == 0) {
        throw new HttpError(409, "conflict", "endpointId", "endpointId: '" + endpointId + "' is enrolled already"
            + " (through another replica); credentials are issued once");
      }
      return null;
    });
  }

  @Override
  public List<EnrollmentRow> enrollmentsAfter(long seq) {
    return rowsAfter("read enrollments", "SELECT seq, endpoint_id, enrollment FROM ringfence_server_enrollment"
        + " WHERE seq > ? ORDER BY seq", seq, rs -> new EnrollmentRow(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
  }

  @Override
  public Optional<EnrollmentRow> enrollment(String endpointId) {
    return rowWith("read the enrollment of '" + endpointId + "'", "SELECT seq, endpoint_id, enrollment"
        + " FROM ringfence_server_enrollment WHERE endpoint_id = ?", endpointId,
        rs -> new EnrollmentRow(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
  }

  private static void lock(Connection c, long key) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT pg_advisory_xact_lock(" + key + ")").close();
    }
  }

  @Override
  public void addRoot(long version, byte[] json) {
    inTransaction("store root v" + version, c -> {
      if (Sql.update(c, "INSERT INTO ringfence_server_root (version, document) VALUES (?, ?)"
          + " ON CONFLICT (version) DO NOTHING", version, json) == 1) {
        return null;
      }
      try (PreparedStatement q = c.prepareStatement("SELECT document FROM ringfence_server_root WHERE version = ?")) {
        q.setLong(1, version);
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next() && java.util.Arrays.equals(rs.getBytes(1), json)) {
            return null; // the same root, stored by another replica: a repeat
          }
        }
      }
      throw new HttpError(409, "conflict", "version", "version: root v" + version + " is stored already with"
          + " other contents; a root version is never replaced");
    });
  }

  @Override
  public java.util.NavigableMap<Long, byte[]> roots() {
    return inTransaction("read the trust roots", c -> {
      java.util.NavigableMap<Long, byte[]> out = new java.util.TreeMap<>();
      try (PreparedStatement q = c.prepareStatement("SELECT version, document FROM ringfence_server_root");
          ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getLong(1), rs.getBytes(2));
        }
      }
      return out;
    });
  }

  @Override
  public Optional<StoredTimestamp> timestamp(String channel) {
    return rowWith("read the timestamp of '" + channel + "'", "SELECT serial, document FROM ringfence_server_timestamp"
        + " WHERE channel = ?", channel, rs -> new StoredTimestamp(rs.getLong(1), rs.getBytes(2)));
  }

  @Override
  public boolean replaceTimestamp(String channel, long expectedSerial, long serial, byte[] json) {
    return inTransaction("store the timestamp of '" + channel + "'", c -> {
      String sql = expectedSerial == 0
          ? "INSERT INTO ringfence_server_timestamp (channel, serial, document) VALUES (?, ?, ?)"
              + " ON CONFLICT (channel) DO NOTHING"
          : "UPDATE ringfence_server_timestamp SET serial = ?, document = ? WHERE channel = ? AND serial = ?";
      try (PreparedStatement u = c.prepareStatement(sql)) {
        if (expectedSerial == 0) {
          u.setString(1, channel);
          u.setLong(2, serial);
          u.setBytes(3, json);
        } else {
          u.setLong(1, serial);
          u.setBytes(2, json);
          u.setString(3, channel);
          u.setLong(4, expectedSerial);
        }
        return u.executeUpdate() == 1;
      }
    });
  }

  @Override
  public void addBootstrapToken(byte[] sha256, java.time.Instant at) {
    // added_at is the database's now(), as version-3 servers write it.
    inTransaction("share this replica's admin token", c -> {
      Sql.update(c, "INSERT INTO ringfence_server_admin_token (sha256) VALUES (?) ON CONFLICT (sha256) DO NOTHING", sha256);
      return null;
    });
  }

  @Override
  public void addToken(StoredToken token) {
    inTransaction("store token '" + token.name() + "'", c -> {
      if (Sql.update(c, "INSERT INTO ringfence_server_api_token (name, role, sha256, created_at, created_by)"
          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING", token.name(), token.role().wireName(),
          token.sha256(), Sql.utc(token.createdAt()), token.createdBy()) == 1) {
        return null;
      }
      throw new HttpError(409, "conflict", "name", "name: '" + token.name() + "' is taken (through another replica,"
          + " or by a revoked token: a name is never reused); choose another name");
    });
  }

  @Override
  public List<StoredToken> tokens() {
    return inTransaction("read the API tokens", c -> {
      List<StoredToken> out = Sql.rows(c, "SELECT sha256, added_at, last_used_at FROM ringfence_server_admin_token"
          + " ORDER BY added_at, sha256", rs -> {
            byte[] sha256 = rs.getBytes(1);
            return new StoredToken(ApiTokens.bootstrapName(sha256), Role.ADMIN, sha256, Sql.instant(rs, 2), "server start",
                Sql.instant(rs, 3), null, null, true);
          });
      out.addAll(Sql.rows(c, "SELECT name, role, sha256, created_at, created_by, last_used_at, revoked_at, revoked_by"
          + " FROM ringfence_server_api_token ORDER BY created_at, name", rs -> new StoredToken(rs.getString(1),
          Role.parse(rs.getString(2)), rs.getBytes(3), Sql.instant(rs, 4), rs.getString(5), Sql.instant(rs, 6), Sql.instant(rs, 7),
          rs.getString(8), false)));
      return out;
    });
  }

  @Override
  public boolean revokeToken(String name, String by, java.time.Instant at) {
    return inTransaction("revoke token '" + name + "'", c -> {
      return Sql.update(c, "UPDATE ringfence_server_api_token SET revoked_at = ?, revoked_by = ?"
          + " WHERE name = ? AND revoked_at IS NULL", Sql.utc(at), by, name) == 1;
    });
  }

  @Override
  public void touchTokens(java.util.Map<String, java.time.Instant> lastUsed) {
    inTransaction("record the API tokens' last use", c -> {
      for (String table : List.of("ringfence_server_api_token", "ringfence_server_admin_token")) {
        try (PreparedStatement u = c.prepareStatement("UPDATE " + table + " SET last_used_at = ? WHERE sha256 = ?"
            + " AND (last_used_at IS NULL OR last_used_at < ?)")) {
          for (java.util.Map.Entry<String, java.time.Instant> e : lastUsed.entrySet()) {
            u.setObject(1, Sql.utc(e.getValue()));
            u.setBytes(2, java.util.HexFormat.of().parseHex(e.getKey()));
            u.setObject(3, Sql.utc(e.getValue()));
            u.addBatch();
          }
          u.executeBatch();
        }
      }
      return null;
    });
  }

  @Override
  public Optional<Event> append(Event event) {
    return inTransaction("switch stop-all " + (event.stop() ? "on" : "off"), c -> {
      lock(c, STOP_ALL_LOCK);
      Optional<Event> latest = latest(c);
      if (event.stop() == (latest.isPresent() && latest.get().stop())) {
        return latest;
      }
      Sql.update(c, "INSERT INTO ringfence_server_stop_all (stop, actor, reason, at) VALUES (?, ?, ?, ?)", event.stop(),
          event.actor(), event.reason(), Sql.utc(event.at()));
      return Optional.of(event);
    });
  }

  @Override
  public Optional<Event> latest() {
    return inTransaction("read the stop-all switch", JdbcSharedRecords::latest);
  }

  private static Optional<Event> latest(Connection c) throws SQLException {
    return Sql.first(c, "SELECT stop, actor, reason, at FROM ringfence_server_stop_all ORDER BY seq DESC LIMIT 1",
        JdbcSharedRecords::event);
  }

  private static Event event(ResultSet rs) throws SQLException {
    return new Event(rs.getBoolean(1), rs.getString(2), rs.getString(3), Sql.instant(rs, 4));
  }

  @Override
  public List<Event> events() {
    return inTransaction("read the stop-all switch's history", c -> Sql.rows(c, "SELECT stop, actor, reason, at"
        + " FROM ringfence_server_stop_all ORDER BY seq", JdbcSharedRecords::event));
  }

  @Override
  public void appendDeferral(String channel, String policyJson, String actor, java.time.Instant at) {
    inTransaction("store the deferrals of '" + channel + "'", c -> {
      lock(c, DEFERRAL_LOCK);
      Sql.update(c, "INSERT INTO ringfence_server_deferral (channel, deferrals, actor, at) VALUES (?, ?, ?, ?)", channel,
          policyJson, actor, Sql.utc(at));
      return null;
    });
  }

  @Override
  public List<DeferralRecords.Change> deferralsAfter(long seq) {
    return rowsAfter("read the customer deferrals", "SELECT seq, channel, deferrals, actor, at"
        + " FROM ringfence_server_deferral WHERE seq > ? ORDER BY seq", seq,
        rs -> new DeferralRecords.Change(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
            Sql.instant(rs, 5)));
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** The one row, if any, of a query whose one parameter is a key. */
  private <T> Optional<T> rowWith(String operation, String query, String key, Sql.Row<T> row) {
    return inTransaction(operation, c -> Sql.first(c, query, row, key));
  }

  /** The rows a replica catches up with: a query whose one parameter is the last seq seen, in the query's order. */
  private <T> List<T> rowsAfter(String operation, String query, long seq, Sql.Row<T> row) {
    return inTransaction(operation, c -> Sql.rows(c, query, row, seq));
  }

  private <T> T inTransaction(String operation, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot " + operation + " in PostgreSQL: " + e.getMessage(), e);
    }
  }
}
