package dev.ringfence.postgresql.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.ringfence.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Versioned migrations of one PostgreSQL schema, recorded in a version table of its own: the rollout store's
 * ({@code ringfence_schema_version}) and the update server's ({@code ringfence_server_schema_version}) both
 * run through it. Each user passes its version table, its advisory lock key and, per version, the oldest schema of
 * its own code that still works on a database at that version; {@link #migrateTo} takes what each version applies.
 *
 * <p>{@link #migrateTo} runs in the caller's transaction, so the caller chooses how many versions commit
 * together and how errors are reported. It takes {@code pg_advisory_xact_lock(lockKey)} first, held until the
 * transaction ends, so replicas starting together queue on it and find the work done; then it creates the
 * version table if it is missing (checked first, so that a user without {@code CREATE} on the schema can open a
 * migrated database), adds its {@code compatible_from} column if a database written before that column lacks it
 * (filled in for the versions known here), and applies every missing version up to the target, each with its
 * version row.
 *
 * <p>A database at a version newer than this code knows is used as it is when its newest version's
 * {@code compatible_from} is at most the number of versions known here (a rolling upgrade: older replicas keep
 * serving while newer ones start), and refused otherwise with the exception the user's {@link Refusal} makes.
 *
 * <p>Immutable and thread safe. Shared with the update server's module through a qualified export: it is not
 * Ringfence API.
 */
public final class SchemaMigrator {

  /** What one schema version applies, in the migration's transaction. */
  @FunctionalInterface
  public interface Migration {

    /**
     * Brings the schema from {@code version - 1} to {@code version}; the migrator records the version after.
     *
     * @param c the connection, in the migration's transaction
     * @param version the version to reach, from 1
     * @throws SQLException if a statement fails; the transaction is then rolled back
     */
    void apply(Connection c, int version) throws SQLException;
  }

  /** Makes the exception that refuses a database at a newer version that does not suit this code. */
  @FunctionalInterface
  public interface Refusal {

    /**
     * Makes the exception, thrown as it is.
     *
     * @param current the database's version
     * @param compatibleFrom the oldest version that its newest version suits, or null when it does not say
     * @param known the newest version this code knows
     * @return the exception to throw
     */
    RuntimeException refuse(int current, @Nullable Integer compatibleFrom, int known);
  }

  /** Hears that a database at a newer version suits this code and is used as it is. */
  @FunctionalInterface
  public interface NewerSchema {

    /**
     * Called each time a migration finds the database newer, but compatible.
     *
     * @param current the database's version
     * @param compatibleFrom the oldest version that its newest version suits
     * @param known the newest version this code knows
     */
    void accepted(int current, int compatibleFrom, int known);
  }

  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final String versionTable;
  private final String versionColumns;
  private final long lockKey;
  private final int[] compatibleFrom;
  private final Refusal refusal;
  private final NewerSchema newer;

  /**
   * Describes one schema's migrations.
   *
   * @param versionTable the version table's name, lower-case letters, digits and {@code _}
   * @param versionColumns the version table's column list as {@code CREATE TABLE} takes it, with at least
   *     {@code version integer PRIMARY KEY}, {@code applied_at timestamptz} and {@code compatible_from integer}
   * @param lockKey the key of the transaction-level advisory lock that serializes the migrations
   * @param compatibleFrom for each version (index version - 1), the oldest version of this schema whose code
   *     still works on a database at it; its length is the newest version known
   * @param refusal makes the exception for a newer database that does not suit this code
   * @param newer hears of a newer database that suits this code
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code versionTable} is not a plain name, or {@code compatibleFrom} is
   *     empty or names a version outside 1 to its own
   */
  public SchemaMigrator(String versionTable, String versionColumns, long lockKey, int[] compatibleFrom,
      Refusal refusal, NewerSchema newer) {
    requireNonNull(versionTable, "versionTable");
    checkArgument(TABLE_NAME.matcher(versionTable).matches(), "versionTable '%s' is not a plain lower-case name",
        versionTable);
    requireNonNull(compatibleFrom, "compatibleFrom");
    checkArgument(compatibleFrom.length > 0, "compatibleFrom is empty; a schema has at least one version");
    for (int v = 1; v <= compatibleFrom.length; v++) {
      int from = compatibleFrom[v - 1];
      checkArgument(from >= 1 && from <= v, "compatibleFrom of version %s is %s, outside 1..%s", v, from, v);
    }
    this.versionTable = versionTable;
    this.versionColumns = requireNonNull(versionColumns, "versionColumns");
    this.lockKey = lockKey;
    this.compatibleFrom = compatibleFrom.clone();
    this.refusal = requireNonNull(refusal, "refusal");
    this.newer = requireNonNull(newer, "newer");
  }

  /**
   * The newest version this code knows.
   *
   * @return the number of versions
   */
  public int knownVersion() {
    return compatibleFrom.length;
  }

  /**
   * In the caller's transaction: takes the migration lock, makes sure the version table is there, and applies
   * the versions after the database's up to {@code target}, each recorded with its {@code compatible_from}.
   * Nothing is applied when the database is already at {@code target} or beyond.
   *
   * @param c a connection with auto-commit off; the caller commits
   * @param target the version to reach, 1 to {@link #knownVersion()}
   * @param migration what each version applies
   * @throws SQLException if a statement fails
   * @throws IllegalArgumentException if {@code target} is outside 1 to {@link #knownVersion()}
   * @throws RuntimeException the {@link Refusal}'s, if the database is newer than this code and does not suit it
   */
  public void migrateTo(Connection c, int target, Migration migration) throws SQLException {
    requireNonNull(migration, "migration");
    checkArgument(target >= 1 && target <= knownVersion(), "target %s is outside 1..%s", target, knownVersion());
    try (Statement s = c.createStatement()) {
      // Held until commit or rollback: a second replica waits here, then sees the version applied.
      s.executeQuery("SELECT pg_advisory_xact_lock(" + lockKey + ")").close();
      ensureVersionTable(s);
      int current = currentVersion(s);
      if (current > knownVersion()) {
        requireCompatible(s, current);
        return; // newer code migrated it, compatibly with this one: nothing to apply
      }
      for (int version = current + 1; version <= target; version++) {
        migration.apply(c, version);
        s.executeUpdate("INSERT INTO " + versionTable + " (version, applied_at, compatible_from) VALUES ("
            + version + ", now(), " + compatibleFrom[version - 1] + ")");
      }
    }
  }

  private void ensureVersionTable(Statement s) throws SQLException {
    // Checked first so that a user without CREATE on the schema can open a migrated database.
    boolean exists;
    try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + versionTable + "') IS NOT NULL")) {
      rs.next();
      exists = rs.getBoolean(1);
    }
    if (!exists) {
      s.execute("CREATE TABLE " + versionTable + " (" + versionColumns + ")");
      return;
    }
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.columns WHERE table_name ="
        + " '" + versionTable + "' AND column_name = 'compatible_from' AND table_schema = current_schema()")) {
      rs.next();
      if (rs.getInt(1) > 0) {
        return;
      }
    }
    // A database written before versions said which code they suit: say it for the versions known here.
    s.execute("ALTER TABLE " + versionTable + " ADD COLUMN compatible_from integer");
    for (int v = 1; v <= compatibleFrom.length; v++) {
      s.executeUpdate("UPDATE " + versionTable + " SET compatible_from = " + compatibleFrom[v - 1]
          + " WHERE version = " + v);
    }
  }

  /** Lets this code use a database that newer code migrated, when the newest version says it suits it. */
  private void requireCompatible(Statement s, int current) throws SQLException {
    Integer from = null;
    try (ResultSet rs = s.executeQuery("SELECT compatible_from FROM " + versionTable + " WHERE version = "
        + current)) {
      if (rs.next()) {
        int value = rs.getInt(1);
        from = rs.wasNull() ? null : value;
      }
    }
    if (from == null || from > knownVersion()) {
      throw refusal.refuse(current, from, knownVersion());
    }
    newer.accepted(current, from, knownVersion());
  }

  private int currentVersion(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + versionTable)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * A migration script's statements, read as a resource of {@code anchor}'s module: whole-line {@code --}
   * comments dropped, a statement ends with a line that ends with {@code ;} (no dollar-quoted bodies).
   *
   * @param anchor the class whose module holds the script, so that it is found on the module path too
   * @param path the script's absolute resource path
   * @return the statements, without their {@code ;}
   * @throws StoreException if the script is missing, cannot be read, or ends without {@code ;}
   */
  public static List<String> scriptStatements(Class<?> anchor, String path) {
    String text;
    try (InputStream in = anchor.getResourceAsStream(path)) {
      if (in == null) {
        throw new StoreException("migration script " + path + " is missing from the Ringfence jar; rebuild it");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("migration script " + path + " cannot be read", e);
    }
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line.stripTrailing()).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().strip();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new StoreException("migration script " + path + " ends without ';'");
    }
    return List.copyOf(statements);
  }
}
