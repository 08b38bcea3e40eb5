package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.core.store.AuditTrail;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.postgresql.PostgresRolloutStore;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.server.fixtures.PgTools;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades read what earlier versions wrote. {@code fixtures/data-0.1} is an update server's data folder as
 * version 0.1 left it (written by {@code fixtures.WriteUpgradeFixture}, never rewritten): the current
 * server starts on a copy, and the halted rollout, the releases, the enrollments and the audit trail are all
 * there. A change of format that breaks this test needs a migration, not a new fixture.
 */
class UpgradeFixtureTest {

  @TempDir Path dir;

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        } else {
          Files.copy(source, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        }
      }
    }
  }

  @Test
  void dataFolderOfVersion01_isServedByThisVersion() throws Exception {
    Path fixture = Path.of("src/test/resources/fixtures/data-0.1");
    Path data = dir.resolve("data");
    copy(fixture, data);
    EndpointCredentials lab = credentials(data.resolve("credentials.properties"));
    assertThat(AuditTrail.verify(data.resolve("journal").resolve("audit.jsonl"))).as("the audit chain").isEmpty();
    AuditVerification old = AuditTrail.verifyJournal(data.resolve("journal"));
    assertThat(old.broken()).as("a 0.1 journal records no audit head, and still verifies").isEmpty();
    assertThat(old.recorded()).isEmpty();
    assertThat(old.note()).hasValueSatisfying(n -> assertThat(n).contains("records no audit head"));

    servesTheFixture(UpdateServerConfig.custom(data).port(0).tickInterval(Duration.ofMillis(100)), lab);
  }

  /**
   * A PostgreSQL database as version 0.1 leaves it ({@code fixtures/postgresql-0.1.sql}, its {@code pg_dump},
   * written once by {@code fixtures.WriteUpgradeFixture}) is restored into a fresh database, and this version's
   * server, started on it with an empty data folder, migrates what it must and serves the same rollout,
   * releases and enrollments.
   */
  @Test
  void postgresqlDatabaseOfVersion01_isServedByThisVersion() throws Exception {
    PostgresServer.Database db = PostgresServer.newDatabase("upgrade_fixture");
    PgTools.run("psql", db, "--quiet", "--set=ON_ERROR_STOP=1", "--file="
        + Path.of("src/test/resources/fixtures/postgresql-0.1.sql").toAbsolutePath());
    servesTheFixture(UpdateServerConfig.custom(dir.resolve("pg-data")).port(0).tickInterval(Duration.ofMillis(100))
        .jdbc(db.url(), db.user(), db.password()),
        credentials(Path.of("src/test/resources/fixtures/postgresql-0.1.sql.credentials.properties")));
    // Schema version 3 chained every created, transition and verdict row the 0.1 database held.
    AuditVerification trail = PostgresRolloutStore.verifyAudit(db.dataSource());
    assertThat(trail.broken()).isEmpty();
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT count(*) FROM ringfence_journal WHERE kind IN ('created', 'transition', 'verdict')")) {
      rs.next();
      assertThat(trail.lines()).isEqualTo(rs.getLong(1)).isGreaterThanOrEqualTo(2);
    }
  }

  private static EndpointCredentials credentials(Path file) throws IOException {
    Properties credentials = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      credentials.load(in);
    }
    return new EndpointCredentials(credentials.getProperty("endpointId"), credentials.getProperty("token"),
        Base64.getDecoder().decode(credentials.getProperty("hmacKey")));
  }

  private static void servesTheFixture(UpdateServerConfig.Builder config, EndpointCredentials lab) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (UpdateServer server = UpdateServer.start(config.build())) {
      AdminClient admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
      JsonNode rollout = admin.rollout("r-fixture");
      assertThat(rollout.get("state").asText()).isIn("ROLLING_BACK", "ROLLED_BACK");
      assertThat(rollout.get("haltReason").asText()).contains("fixture: halted by an operator");
      assertThat(admin.endpoints()).extracting(e -> e.get("endpointId").asText()).containsExactly("lab-1", "std-1");
      JsonNode channels = admin.call("GET", "admin/v1/channels", null);
      assertThat(channels.toString()).contains("\"rules\"");

      HttpResponse<String> revert = http.send(HttpRequest.newBuilder(server.uri()
          .resolve("v1/channels/rules/envelope")).header(UpdateProtocol.ENDPOINT_HEADER, lab.endpointId())
          .header("Authorization", lab.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, "2").GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(revert.headers().firstValue(UpdateProtocol.DECISION_HEADER)).as("the exposed endpoint")
          .hasValue("REVERT");
      HttpResponse<String> general = http.send(HttpRequest.newBuilder(server.uri()
          .resolve("v1/channels/rules/releases/1/payload")).header(UpdateProtocol.ENDPOINT_HEADER, lab.endpointId())
          .header("Authorization", lab.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, "2").GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(general.statusCode()).isEqualTo(200);
      assertThat(general.body()).isEqualTo("rules v1\n");
    }
  }
}
