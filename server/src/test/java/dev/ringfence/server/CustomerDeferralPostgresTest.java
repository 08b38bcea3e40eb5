package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.deferral.Deferrals;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.testing.ManualClock;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Customer deferral across two update-server replicas on one real PostgreSQL: a policy set through one replica is
 * served by the other after its tick (same actor, same decisions), and when the delay is over both replicas tick
 * and exactly one deferred-group rollout exists, the same on both, deciding alike for the group's members.
 */
class CustomerDeferralPostgresTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-12-05T08:00:00Z");

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(START);
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<UpdateServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(UpdateServer::close);
  }

  private JsonNode decision(UpdateServer at, EndpointCredentials c, long current) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(at.uri().resolve("v1/channels/rules/decision"))
        .header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, Long.toString(current)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private void tickAll(Duration after) {
    clock.advance(after);
    servers.forEach(UpdateServer::tickNow);
  }

  @Test
  void replicasShareThePolicy_andCreateOneDeferredGroupRollout() throws Exception {
    PostgresServer.Database db = PostgresServer.newDatabase("deferral_replicas");
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1"), 1);
    for (String name : List.of("a", "b")) {
      servers.add(UpdateServer.start(UpdateServerConfig.custom(dir.resolve(name)).port(0).clock(clock)
          .tickInterval(Duration.ofHours(1)).jdbc(db.url(), db.user(), db.password())
          .releaseKeys(signer.trustStore()).build()));
    }
    UpdateServer a = servers.get(0);
    UpdateServer b = servers.get(1);
    AdminClient adminA = new AdminClient(a.uri(), a.adminTokenFile(), http);
    AdminClient portal = new AdminClient(a.uri(), adminA.createToken("customer-portal", "admin").get("token").asText(),
        http);
    AdminClient adminB = new AdminClient(b.uri(), b.adminTokenFile(), http);
    List<EndpointCredentials> acme = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ObjectNode body = JSON.createObjectNode().put("endpointId", "acme-" + i);
      body.putObject("attributes").put("os", "windows").putArray("tags").add("tenant:acme");
      JsonNode issued = adminA.call("POST", "admin/v1/endpoints", body);
      acme.add(new EndpointCredentials(issued.get("endpointId").asText(), issued.get("token").asText(),
          Base64.getDecoder().decode(issued.get("hmacKey").asText())));
    }
    for (long v = 1; v <= 2; v++) {
      byte[] content = ("rules v" + v + "\n").getBytes(StandardCharsets.UTF_8);
      adminA.publish(signer.sign("rules", v, content, START.plus(Duration.ofDays(30))), content, v == 1);
    }
    portal.call("PUT", "admin/v1/channels/rules/deferrals", CustomerDeferralTest.policy(
        "[{\"match\": {\"tag\": \"tenant:acme\"}, \"delay\": \"PT6H\"}]"));
    adminA.createRollout("r2", "rules", 1, 2, CustomerDeferralTest.ONE_RING);
    adminA.command("r2", "start", null);
    tickAll(Duration.ZERO);

    JsonNode onB = adminB.call("GET", "admin/v1/channels/rules/deferrals", null);
    assertThat(onB.get("setBy").asText()).isEqualTo("customer-portal");
    assertThat(onB.get("deferred").get(0).get("endpoints").asLong()).isEqualTo(20);
    JsonNode held = decision(b, acme.get(0), 1);
    assertThat(held.get("decision").asText()).isEqualTo("STAY");
    assertThat(held.get("reason").asText()).startsWith("deferred by delay PT6H for tag=tenant:acme");
    assertThat(held).isEqualTo(decision(a, acme.get(0), 1));

    tickAll(Duration.ofMinutes(10)); // r2 completes at 08:10
    assertThat(b.engine().rollout("r2").state()).isEqualTo(RolloutState.COMPLETED);
    assertThat(decision(b, acme.get(1), 1).get("reason").asText())
        .isEqualTo("deferred until 2026-12-05T14:10Z by delay PT6H for tag=tenant:acme; stays on v1");
    tickAll(Duration.ofHours(6));
    tickAll(Duration.ZERO); // each replica catches up with the other's journal
    List<String> onA = a.engine().rollouts().stream().map(Rollout::id).toList();
    List<String> onBList = b.engine().rollouts().stream().map(Rollout::id).toList();
    assertThat(onA).hasSize(2).isEqualTo(onBList);
    String own = onA.get(1);
    assertThat(Deferrals.isChild(a.engine().rollout(own))).isTrue();
    assertThat(b.engine().rollout(own).state()).isEqualTo(RolloutState.RUNNING);
    for (EndpointCredentials c : acme) {
      JsonNode fromA = decision(a, c, 1);
      assertThat(fromA.get("rolloutId").asText()).isEqualTo(own);
      assertThat(decision(b, c, 1)).as(c.endpointId()).isEqualTo(fromA);
    }
    try (var c = db.connect(); var st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), max(actor) FROM ringfence_server_deferral")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getString(2)).isEqualTo("customer-portal");
    }
    try (var c = db.connect(); var st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT max(version) FROM ringfence_server_schema_version")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(JdbcSharedRecords.MIGRATIONS.size());
    }
  }
}
