package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.UpdateProtocol;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update server with its journal in PostgreSQL: a halt written by one server process is there for the
 * next, which answers REVERT from it. Runs on the throwaway PostgreSQL of the core's store tests.
 */
class UpdateServerPostgresTest {

  private static final String CHANNEL = "rules";

  @TempDir Path dir;
  @RegisterExtension final TestServers servers = new TestServers();
  private final HttpClient http = servers.http;
  private UpdateServer server;

  private UpdateServer replica;

  private static PostgresServer.Database database(String name) {
    return TestServers.postgresOrSkip(name);
  }

  private HttpResponse<String> envelope(UpdateServer at, EndpointCredentials c, long current) throws Exception {
    return http.send(HttpRequest.newBuilder(at.uri().resolve("v1/channels/" + CHANNEL + "/envelope"))
        .header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, Long.toString(current)).timeout(Duration.ofSeconds(20))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String decision(HttpResponse<String> response) {
    return response.headers().firstValue(UpdateProtocol.DECISION_HEADER).orElse("none (" + response.statusCode() + ")");
  }

  /**
   * Two replicas on one database, B started before anything exists. Releases and the enrollment go in
   * through A only: B serves them (the endpoint authenticates on B, B's channel list and payload answer
   * come from the database), refuses to publish the same version again or enroll the same id, learns of
   * the rollout created on A and governs the channel by it (OFFER to the lab endpoint), and after a halt
   * through A answers REVERT to the exposed endpoint.
   */
  @Test
  void releasesEnrollmentsAndRollouts_fromOneReplica_governTheOther() throws Exception {
    PostgresServer.Database db = database("update_server_replicas");
    replica = start(db, dir.resolve("b"));
    server = start(db, dir.resolve("a"));
    AdminClient a = servers.admin(server);
    AdminClient b = servers.admin(replica);
    // Tokens are shared by digest: A's token works on B (started before A) within a tick, and B's on A.
    AdminClient aTokenOnB = new AdminClient(replica.uri(), server.adminTokenFile(), http);
    AdminClient bTokenOnA = new AdminClient(server.uri(), replica.adminTokenFile(), http);
    // Until B's next tick reads the digests, A's token is refused with a 401: wait through those.
    await().atMost(Duration.ofSeconds(15)).ignoreException(AdminClient.AdminCallException.class).untilAsserted(() ->
        assertThat(aTokenOnB.call("GET", "admin/v1/channels", null).isObject()).isTrue());
    assertThat(bTokenOnA.call("GET", "admin/v1/channels", null).isObject()).isTrue();
    Path stranger = Files.writeString(dir.resolve("stranger.token"), "x".repeat(43));
    assertThatThrownBy(() -> new AdminClient(replica.uri(), stranger, http).call("GET", "admin/v1/channels", null))
        .hasMessageContaining("401");
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*), bool_and(octet_length(sha256) = 32)"
            + " FROM ringfence_server_admin_token")) {
      rs.next();
      assertThat(rs.getInt(1)).as("one digest per replica, never a token").isEqualTo(2);
      assertThat(rs.getBoolean(2)).isTrue();
    }
    EndpointCredentials lab = a.enroll("lab-1", "lab", "eu-west");
    TestServers.publishVersions(a, servers.signer, CHANNEL, 2);
    assertThat(decision(envelope(replica, lab, 0))).as("B knows the endpoint and the general release")
        .isEqualTo("STAY");
    HttpResponse<String> payload = http.send(HttpRequest.newBuilder(replica.uri().resolve("v1/channels/" + CHANNEL
        + "/releases/1/payload")).header(UpdateProtocol.ENDPOINT_HEADER, lab.endpointId())
        .header("Authorization", lab.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, "0").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(payload.statusCode()).as(payload.body()).isEqualTo(200);
    assertThat(payload.body()).as("the general release's payload, from the database").isEqualTo("rules v1\n");
    byte[] again = "rules v2 again\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> b.publish(servers.signer.sign(CHANNEL, 2, again, Instant.now().plusSeconds(3600)), again,
        false))
        .hasMessageContaining("409").hasMessageContaining("not above v2");
    assertThatThrownBy(() -> b.enroll("lab-1", "lab", "eu-west"))
        .hasMessageContaining("409").hasMessageContaining("enrolled already");

    a.createRollout("r-shared", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(1));
    a.command("r-shared", "start", null);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(decision(envelope(replica, lab, 1))).as("B offers the candidate of A's rollout").isEqualTo("OFFER");
      JsonNode channels = b.call("GET", "admin/v1/channels", null);
      assertThat(channels.toString()).as("B's channel view").contains("\"governingRollout\":\"r-shared\"");
    });

    a.command("r-shared", "halt", "operator saw crashes");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(decision(envelope(replica, lab, 2))).as("B reverts the exposed endpoint").isEqualTo("REVERT"));

    // The audit trail is the database's, one chain for every replica: B shows A's halt, checked.
    HttpResponse<String> audit = http.send(HttpRequest.newBuilder(replica.uri().resolve("admin/v1/audit"))
        .header("Authorization", "Bearer " + Files.readString(replica.adminTokenFile()).strip()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
    assertThat(audit.headers().firstValue("Ringfence-Audit-Verified")).hasValue("true");
    assertThat(audit.body().lines()).first().asString().startsWith("{\"seq\":1,");
    assertThat(audit.body()).contains("operator saw crashes");
  }

  /**
   * B ticks on its schedule once an hour, so only the NOTIFY of A's transitions, which B's server waits for, can
   * make B see them within seconds: the rollout A started, then A's halt.
   */
  @Test
  void transitionOnOneReplica_makesTheOtherTickAtOnce_withoutWaitingForItsSchedule() throws Exception {
    PostgresServer.Database db = database("update_server_notify");
    replica = servers.start(config(db, dir.resolve("b")).tickInterval(Duration.ofHours(1)));
    server = start(db, dir.resolve("a"));
    AdminClient a = servers.admin(server);
    TestServers.publishVersions(a, servers.signer, CHANNEL, 2);
    a.createRollout("r-notify", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(1));
    a.command("r-notify", "start", null);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(replica.engine().rollouts())
        .as("B learnt of A's rollout").extracting(r -> r.id() + " " + r.state()).containsExactly("r-notify RUNNING"));

    a.command("r-notify", "halt", "operator saw crashes");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(replica.engine().rollout("r-notify").state().isHalted()).as("B acts on A's halt").isTrue());
  }

  /**
   * Named tokens and the stop-all switch live in the database: an operator token created through A works on B
   * within a tick; stop-all through B pauses the rollout running on A's channel, and A refuses a new rollout at
   * once (the switch is read from the database, not from a cache), naming the stop; a token revoked through A is
   * refused by B within a tick; the lift through A lets B create again. The tables hold digests, never tokens.
   */
  @Test
  void namedTokensAndStopAll_areSharedByReplicas() throws Exception {
    PostgresServer.Database db = database("update_server_roles");
    server = start(db, dir.resolve("a"));
    replica = start(db, dir.resolve("b"));
    AdminClient a = servers.admin(server);
    AdminClient b = servers.admin(replica);
    for (String channel : List.of(CHANNEL, "sensors")) {
      TestServers.publishVersions(a, servers.signer, channel, 3);
    }
    a.createRollout("r-running", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(1));
    a.command("r-running", "start", null);

    String operatorToken = a.createToken("oncall-bob", "operator").get("token").asText();
    AdminClient bobOnB = new AdminClient(replica.uri(), operatorToken, http);
    await().atMost(Duration.ofSeconds(15)).ignoreExceptionsInstanceOf(AdminClient.AdminCallException.class)
        .untilAsserted(() -> assertThat(bobOnB.call("GET", "admin/v1/rollouts/r-running", null).get("state").asText()).isEqualTo("RUNNING"));

    JsonNode stopped = bobOnB.stopAll("incident 12: bad content suspected");
    assertThat(stopped.get("paused").toString()).isEqualTo("[\"r-running\"]");
    assertThatThrownBy(() -> a.createRollout("r-new", "sensors", 1, 2, AdminClient.labThenEveryonePlan(1)))
        .as("A refuses at once: the switch is read from the database").hasMessageContaining("409")
        .hasMessageContaining("switched on by 'oncall-bob': incident 12: bad content suspected");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(a.rollout("r-running").get("state").asText()).as("A sees B's pause").isEqualTo("PAUSED"));
    List<String> causes = new java.util.ArrayList<>();
    a.rollout("r-running").get("transitions").forEach(t -> causes.add(t.get("cause").asText()));
    assertThat(causes).contains("paused by oncall-bob: stop-all: incident 12: bad content suspected");

    a.revokeToken("oncall-bob");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThatThrownBy(() -> bobOnB.call("GET", "admin/v1/stop-all", null)).as("revoked on B within a tick")
            .hasMessageContaining("401"));
    JsonNode lifted = a.liftStopAll("incident 12 resolved");
    assertThat(lifted.get("lifted").get("actor").asText()).isEqualTo("oncall-bob");
    assertThat(b.createRollout("r-new", "sensors", 1, 2, AdminClient.labThenEveryonePlan(1)).get("state").asText())
        .isEqualTo("PLANNED");

    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*), bool_and(octet_length(sha256) = 32), bool_and(revoked_at IS NOT NULL)"
            + " FROM ringfence_server_api_token")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getBoolean(2)).as("a digest, never a token").isTrue();
      assertThat(rs.getBoolean(3)).isTrue();
    }
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT string_agg(CASE WHEN stop THEN 'stop' ELSE 'lift' END || ' by ' || actor, ', '"
            + " ORDER BY seq) FROM ringfence_server_stop_all")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("stop by oncall-bob, lift by "
          + ApiTokens.bootstrapName(AdminToken.sha256(Files.readString(server.adminTokenFile()).strip())));
    }
  }


  private UpdateServerConfig.Builder config(PostgresServer.Database db, Path data) {
    return UpdateServerConfig.custom(data).port(0).tickInterval(Duration.ofMillis(100))
        .jdbc(db.url(), db.user(), db.password()).releaseKeys(servers.signer.trustStore());
  }

  private UpdateServer start(PostgresServer.Database db, Path data) throws Exception {
    return servers.start(config(db, data));
  }

  private HttpResponse<String> envelope(EndpointCredentials c, long current) throws Exception {
    return envelope(server, c, current);
  }

  @Test
  void haltInPostgres_survivesTheServerProcess() throws Exception {
    PostgresServer.Database db = database("update_server");
    Path data = dir.resolve("server");
    server = start(db, data);
    AdminClient admin = servers.admin(server);
    EndpointCredentials lab = admin.enroll("lab-1", "lab", "eu-west");
    TestServers.publishVersions(admin, servers.signer, CHANNEL, 2);
    admin.createRollout("r-pg", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(1));
    admin.command("r-pg", "start", null);
    assertThat(envelope(lab, 1).statusCode()).as("the lab endpoint is offered v2").isEqualTo(200);
    admin.command("r-pg", "halt", "operator saw crashes");
    server.close();

    server = start(db, data);
    admin = servers.admin(server);
    assertThat(admin.rollout("r-pg").get("state").asText()).isIn("ROLLING_BACK", "ROLLED_BACK");
    assertThat(envelope(lab, 2).headers().firstValue(UpdateProtocol.DECISION_HEADER)).hasValue("REVERT");
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'ringfence%'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("the journal lives in PostgreSQL").isPositive();
    }
  }
}
