package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.postgresql.test.PostgresServer;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The update server's own schema during a rolling upgrade: older replicas keep serving while it suits them. */
class SharedRecordsUpgradeTest {

  private static List<String> versions(PostgresServer.Database db) throws Exception {
    List<String> rows = new ArrayList<>();
    try (var c = db.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT version, compatible_from FROM ringfence_server_schema_version ORDER BY version")) {
      while (rs.next()) {
        rows.add(rs.getInt(1) + ":" + rs.getInt(2));
      }
    }
    return rows;
  }

  @Test
  void newerCompatibleServerSchema_isServedAsItIs_anIncompatibleOneIsRefused() throws Exception {
    PostgresServer.Database db = PostgresServer.newDatabase("server_rolling");
    JdbcSharedRecords first = JdbcSharedRecords.open(db.dataSource());
    assertThat(versions(db)).containsExactly("1:1", "2:1", "3:1", "4:1", "5:1", "6:1");

    // The next server version migrates additively and says this one still suits it.
    int mine = JdbcSharedRecords.MIGRATIONS.size();
    db.execute("INSERT INTO ringfence_server_schema_version (version, compatible_from) VALUES (" + (mine + 1) + ", "
        + mine + ")");
    JdbcSharedRecords restarted = JdbcSharedRecords.open(db.dataSource());
    restarted.enroll("e-1", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(first.enrollment("e-1")).as("both serve the same tables").isPresent();

    db.execute("INSERT INTO ringfence_server_schema_version (version, compatible_from) VALUES (" + (mine + 2) + ", "
        + (mine + 2) + ")");
    assertThatThrownBy(() -> JdbcSharedRecords.open(db.dataSource())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("update server schema is version " + (mine + 2)).hasMessageContaining("upgrade the server");
  }
}
