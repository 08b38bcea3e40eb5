package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.UpdateProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The update server over real HTTP on 127.0.0.1: auth, signed signals, strict input, rings, metrics, status page. */
class UpdateServerTest {

  private static final String CHANNEL = "rules";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLAN = TestServers.LAB_FIRST_PLAN;

  @TempDir Path dir;
  private UpdateServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminClient admin;
  private ReleaseSigner signer;

  @BeforeEach
  void start() throws Exception {
    signer = new ReleaseSigner(List.of("release-1"), 1);
    server = UpdateServer.start(UpdateServerConfig.custom(dir).port(0).maxJsonBytes(4096)
        .tickInterval(Duration.ofMillis(100)).releaseKeys(signer.trustStore()).build());
    admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.uri().resolve(path));
  }

  private HttpRequest.Builder asEndpoint(EndpointCredentials c, String path, long current) {
    return request(path).header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId())
        .header("Authorization", c.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, Long.toString(current));
  }

  private static HttpRequest.BodyPublisher json(String text) {
    return HttpRequest.BodyPublishers.ofString(text);
  }

  private static byte[] content(long version) {
    return ("rule v" + version + "\n").repeat(20).getBytes(StandardCharsets.UTF_8);
  }

  private void publish(long version, boolean general) throws Exception {
    admin.publish(signer.sign(CHANNEL, version, content(version), Instant.now().plusSeconds(3600)), content(version),
        general);
  }

  private double meter(String text) throws Exception {
    return TestServers.meter(http, server, text);
  }

  @Test
  void start_byDefault_bindsLoopbackAndWritesTheAdminTokenOwnerOnly() throws Exception {
    assertThat(UpdateServerConfig.custom(dir).build().bindAddress()).isEqualTo("127.0.0.1");
    assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(Files.getPosixFilePermissions(server.adminTokenFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(server.adminTokenFile()).trim()).hasSizeGreaterThanOrEqualTo(43);
  }

  @Test
  void start_tokenFileReadableByOthers_isRefused() throws Exception {
    server.close();
    Files.setPosixFilePermissions(server.adminTokenFile(), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> UpdateServer.start(UpdateServerConfig.custom(dir).port(0).build()))
        .hasMessageContaining("chmod 600");
    Files.setPosixFilePermissions(server.adminTokenFile(), PosixFilePermissions.fromString("rw-------"));
    server = UpdateServer.start(UpdateServerConfig.custom(dir).port(0).build());
  }

  @Test
  void adminCall_missingOrWrongToken_is401AndChangesNothing() throws Exception {
    String enroll = "{\"endpointId\":\"intruder\"}";
    HttpResponse<String> missing = send(request("admin/v1/endpoints").POST(json(enroll)));
    HttpResponse<String> wrong = send(request("admin/v1/endpoints").header("Authorization", "Bearer not-the-token")
        .POST(json(enroll)));
    HttpResponse<String> halt = send(request("admin/v1/rollouts/x/halt").POST(json("{\"reason\":\"because\"}")));

    assertThat(List.of(missing.statusCode(), wrong.statusCode(), halt.statusCode())).containsOnly(401);
    assertThat(JSON.readTree(missing.body()).get("field").asText()).isEqualTo("Authorization");
    assertThat(admin.endpoints()).isEmpty();
    assertThat(meter("ringfence_server_admin_refused_total")).isEqualTo(3);
  }

  @Test
  void adminCall_badJson_is400NamingTheField() throws Exception {
    assertThatThrownBy(() -> admin.call("POST", "admin/v1/endpoints", JSON.readTree("{\"endpointId\":5}")))
        .hasMessageContaining("400").hasMessageContaining("endpointId");
    assertThatThrownBy(() -> admin.call("POST", "admin/v1/endpoints", JSON.readTree("{\"endpointId\":\"a\",\"tier\":\"x\"}")))
        .hasMessageContaining("400").hasMessageContaining("tier: unknown field");
    HttpResponse<String> broken = send(request("admin/v1/endpoints")
        .header("Authorization", "Bearer " + Files.readString(server.adminTokenFile()).trim()).POST(json("{\"endpointId\":")));
    assertThat(broken.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(broken.body()).get("field").asText()).isEqualTo("$");
    assertThat(JSON.readTree(broken.body()).get("message").asText()).contains("not valid JSON");

    publish(1, true);
    publish(2, false);
    String badPlan = PLAN.replace("\"share\":10000,\"cap\":2", "\"share\":15000,\"cap\":2");
    assertThatThrownBy(() -> admin.createRollout("r1", CHANNEL, 1, 2, badPlan))
        .hasMessageContaining("400").hasMessageContaining("rings[0].share");
    String unlinted = PLAN.replaceAll("\"overrides\":\\[[^]]*]", "\"overrides\":[]");
    assertThatThrownBy(() -> admin.createRollout("r1", CHANNEL, 1, 2, unlinted))
        .hasMessageContaining("422").hasMessageContaining("FIRST_RING_TOO_LARGE");
    assertThat(admin.call("GET", "admin/v1/rollouts", null).get("rollouts")).isEmpty();
  }

  @Test
  void adminCall_oversizedBody_is413AndNothingApplied() throws Exception {
    String huge = "{\"endpointId\":\"big\",\"attributes\":{\"region\":\"" + "x".repeat(5000) + "\"}}";
    HttpResponse<String> response = send(request("admin/v1/endpoints")
        .header("Authorization", "Bearer " + Files.readString(server.adminTokenFile()).trim()).POST(json(huge)));
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(admin.endpoints()).isEmpty();
  }

  @Test
  void publish_payloadNotMatchingTheEnvelope_isRefusedNamingTheField() throws Exception {
    var envelope = signer.sign(CHANNEL, 1, content(1), Instant.now().plusSeconds(3600));
    assertThatThrownBy(() -> admin.publish(envelope, content(2), true))
        .hasMessageContaining("400").hasMessageContaining("payloadBase64");
    publish(1, true);
    assertThatThrownBy(() -> publish(1, false)).hasMessageContaining("409").hasMessageContaining("envelope.version");
  }

  @Test
  void decision_followsTheRings_andAHaltRevertsOnlyTheExposed() throws Exception {
    EndpointCredentials lab1 = admin.enroll("lab-1", "lab", "eu");
    EndpointCredentials lab2 = admin.enroll("lab-2", "lab", "eu");
    EndpointCredentials lab3 = admin.enroll("lab-3", "lab", "eu");
    EndpointCredentials std = admin.enroll("std-1", "standard", "eu");
    publish(1, true);
    publish(2, false);

    HttpResponse<String> first = send(asEndpoint(std, "v1/channels/rules/envelope", 0).GET());
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(first.body()).get("version").asLong()).isEqualTo(1);

    admin.createRollout("r1", CHANNEL, 1, 2, PLAN);
    admin.command("r1", "start", null);

    for (EndpointCredentials lab : List.of(lab1, lab2)) {
      HttpResponse<String> offer = send(asEndpoint(lab, "v1/channels/rules/envelope", 1).GET());
      assertThat(offer.statusCode()).isEqualTo(200);
      assertThat(offer.headers().firstValue(UpdateProtocol.DECISION_HEADER)).hasValue("OFFER");
      assertThat(JSON.readTree(offer.body()).get("version").asLong()).isEqualTo(2);
    }
    HttpResponse<String> capped = send(asEndpoint(lab3, "v1/channels/rules/envelope", 1).GET());
    assertThat(capped.statusCode()).isEqualTo(204);
    assertThat(capped.headers().firstValue(UpdateProtocol.DECISION_HEADER)).hasValue("HOLD");
    HttpResponse<String> outside = send(asEndpoint(std, "v1/channels/rules/envelope", 1).GET());
    assertThat(outside.statusCode()).isEqualTo(204);
    assertThat(outside.headers().firstValue(UpdateProtocol.DECISION_HEADER)).hasValue("STAY");

    assertThat(send(asEndpoint(std, "v1/channels/rules/releases/2/payload", 1).GET()).statusCode()).isEqualTo(403);
    String sha2 = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content(2)));
    assertThat(send(asEndpoint(std, "v1/content/" + sha2, 1).GET()).statusCode()).isEqualTo(403);
    HttpResponse<String> payload = send(asEndpoint(lab1, "v1/channels/rules/releases/2/payload", 1).GET());
    assertThat(payload.statusCode()).isEqualTo(200);
    assertThat(payload.body()).isEqualTo(new String(content(2), StandardCharsets.UTF_8));

    // While it runs, the page shows the open ring's verdict at the latest tick, by ring name.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(admin.rollout("r1").get("currentVerdict").get("reason").asText()).isNotEmpty();
      String running = send(request("status").GET()).body();
      assertThat(running).contains("Now (").contains(", ring canary)").contains(" ring canary: ");
    });

    admin.command("r1", "halt", "operator saw crashes");
    HttpResponse<String> revert = send(asEndpoint(lab1, "v1/channels/rules/envelope", 2).GET());
    assertThat(revert.statusCode()).isEqualTo(204);
    assertThat(revert.headers().firstValue(UpdateProtocol.DECISION_HEADER)).hasValue("REVERT");
    assertThat(revert.headers().firstValue(UpdateProtocol.REVERT_TO_HEADER)).hasValue("1");
    assertThat(send(asEndpoint(std, "v1/channels/rules/envelope", 1).GET()).headers()
        .firstValue(UpdateProtocol.DECISION_HEADER)).hasValue("STAY");
    assertThat(send(asEndpoint(lab1, "v1/channels/rules/releases/2/payload", 1).GET()).statusCode()).isEqualTo(403);

    JsonNode detail = admin.rollout("r1");
    assertThat(detail.get("haltReason").asText()).contains("operator saw crashes");
    String page = send(request("status").GET()).body();
    assertThat(page).contains("r1").contains("operator saw crashes").contains("<svg").contains("canary");

    JsonNode seen = admin.endpoints().stream().filter(e -> e.get("endpointId").asText().equals("std-1")).findFirst()
        .orElseThrow();
    assertThat(seen.get("downloads").toString()).doesNotContain("rules:2");
  }

  /**
   * Agents and servers one protocol version apart work together; a larger skew is refused with 426 naming
   * the side to upgrade; a request without the header speaks version 1; every answer says the server's.
   */
  @Test
  void protocolVersions_oneApartWork_moreIsRefusedNamingWhatToUpgrade() throws Exception {
    EndpointCredentials std = admin.enroll("std-1", "standard", "eu");
    publish(1, true);
    int current = UpdateProtocol.PROTOCOL_VERSION;
    HttpResponse<String> plain = send(asEndpoint(std, "v1/channels/rules/envelope", 0).GET());
    assertThat(plain.statusCode()).as("no header: version 1").isEqualTo(200);
    assertThat(plain.headers().firstValue(UpdateProtocol.PROTOCOL_HEADER)).hasValue(Integer.toString(current));
    for (int v : new int[] {current - 1, current, current + 1}) {
      assertThat(send(asEndpoint(std, "v1/channels/rules/envelope", 0).header(UpdateProtocol.PROTOCOL_HEADER,
          Integer.toString(v)).GET()).statusCode()).as("protocol " + v).isEqualTo(200);
    }
    HttpResponse<String> newer = send(asEndpoint(std, "v1/channels/rules/envelope", 0)
        .header(UpdateProtocol.PROTOCOL_HEADER, Integer.toString(current + 2)).GET());
    assertThat(newer.statusCode()).isEqualTo(426);
    assertThat(JSON.readTree(newer.body()).get("field").asText()).isEqualTo(UpdateProtocol.PROTOCOL_HEADER);
    assertThat(newer.body()).contains("upgrade the update server");
    HttpResponse<String> older = send(request("v1/channels/rules/signals")
        .header(UpdateProtocol.PROTOCOL_HEADER, Integer.toString(current - 2)).POST(HttpRequest.BodyPublishers.ofString("[]")));
    assertThat(older.statusCode()).isEqualTo(426);
    assertThat(older.body()).contains("upgrade the agent");
    HttpResponse<String> garbled = send(asEndpoint(std, "v1/channels/rules/envelope", 0)
        .header(UpdateProtocol.PROTOCOL_HEADER, "two").GET());
    assertThat(garbled.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(garbled.body()).get("field").asText()).isEqualTo(UpdateProtocol.PROTOCOL_HEADER);
  }

  @Test
  void endpointCall_wrongToken_is401() throws Exception {
    EndpointCredentials real = admin.enroll("lab-1", "lab", "eu");
    EndpointCredentials forged = new EndpointCredentials("lab-1", "forged-token-0123456789", real.hmacKey());
    assertThat(send(asEndpoint(forged, "v1/channels/rules/envelope", 0).GET()).statusCode()).isEqualTo(401);
    assertThat(send(request("v1/channels/rules/envelope").GET()).statusCode()).isEqualTo(401);
  }

  private HttpRequest.Builder signed(EndpointCredentials c, String body, long millis, String nonce, String signature) {
    return request("v1/channels/rules/signals").header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId())
        .header("Authorization", c.authorization()).header(UpdateProtocol.TIMESTAMP_HEADER, Long.toString(millis))
        .header(UpdateProtocol.NONCE_HEADER, nonce).header(UpdateProtocol.SIGNATURE_HEADER, signature)
        .POST(json(body));
  }

  /** Enrolls lab-1, publishes v1 and v2, starts rollout r1 and lets lab-1 ask once: it is offered v2. */
  private EndpointCredentials labOfferedV2() throws Exception {
    EndpointCredentials lab1 = admin.enroll("lab-1", "lab", "eu");
    publish(1, true);
    publish(2, false);
    admin.createRollout("r1", CHANNEL, 1, 2, PLAN);
    admin.command("r1", "start", null);
    send(asEndpoint(lab1, "v1/channels/rules/envelope", 1).GET());
    return lab1;
  }

  @Test
  void signals_forgedReplayedOrStale_areRefusedAndCounted() throws Exception {
    EndpointCredentials lab1 = labOfferedV2();
    String body = "[{\"type\":\"heartbeat\",\"endpointId\":\"lab-1\",\"bootId\":1,\"sequence\":0,\"version\":2,"
        + "\"failedStarts\":0}]";
    long now = System.currentTimeMillis();
    String nonce = "0123456789abcdef0123456789abcdef";
    String good = lab1.sign(now, nonce, body.getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> accepted = send(signed(lab1, body, now, nonce, good));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    assertThat(JSON.readTree(accepted.body()).get("accepted").asLong()).isEqualTo(1);

    HttpResponse<String> replay = send(signed(lab1, body, now, nonce, good));
    assertThat(replay.statusCode()).isEqualTo(409);
    assertThat(JSON.readTree(replay.body()).get("error").asText()).isEqualTo("replay");

    String forgedBody = body.replace("\"failedStarts\":0", "\"failedStarts\":3");
    String nonce2 = "1123456789abcdef0123456789abcdef";
    HttpResponse<String> tampered = send(signed(lab1, forgedBody, now, nonce2, good));
    assertThat(tampered.statusCode()).isEqualTo(401);
    byte[] otherKey = new byte[32];
    String wrongKey = EndpointCredentials.sign(otherKey, "lab-1", now, nonce2, forgedBody.getBytes(StandardCharsets.UTF_8));
    assertThat(send(signed(lab1, forgedBody, now, nonce2, wrongKey)).statusCode()).isEqualTo(401);

    long old = now - Duration.ofMinutes(10).toMillis();
    String nonce3 = "2123456789abcdef0123456789abcdef";
    HttpResponse<String> stale = send(signed(lab1, body, old, nonce3, lab1.sign(old, nonce3,
        body.getBytes(StandardCharsets.UTF_8))));
    assertThat(stale.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(stale.body()).get("error").asText()).isEqualTo("stale_timestamp");

    EndpointCredentials std = admin.enroll("std-1", "standard", "eu");
    String nonce4 = "3123456789abcdef0123456789abcdef";
    HttpResponse<String> impersonation = send(signed(std, body, now, nonce4, std.sign(now, nonce4,
        body.getBytes(StandardCharsets.UTF_8))));
    assertThat(impersonation.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(impersonation.body()).get("field").asText()).isEqualTo("signals[0].endpointId");

    String nonce5 = "4123456789abcdef0123456789abcdef";
    String badSignal = "[{\"type\":\"heartbeat\",\"endpointId\":\"lab-1\",\"bootId\":-1,\"sequence\":0,\"version\":2,"
        + "\"failedStarts\":0}]";
    HttpResponse<String> invalid = send(signed(lab1, badSignal, now, nonce5, lab1.sign(now, nonce5,
        badSignal.getBytes(StandardCharsets.UTF_8))));
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(invalid.body()).get("field").asText()).isEqualTo("signals[0].bootId");

    TestServers.assertSignalCounts(http, server, Map.of("replay", 1, "bad_signature", 2, "stale_timestamp", 1,
        "wrong_endpoint", 1), Map.of("accepted", 1));
  }

  @Test
  void metricsAndHealth_areServed() throws Exception {
    publish(1, true);
    publish(2, false);
    admin.createRollout("r1", CHANNEL, 1, 2, PLAN);
    admin.command("r1", "start", null);
    HttpResponse<String> metrics = send(request("metrics").GET());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("ringfence_rollout_state").contains("rollout=\"r1\"");
    HttpResponse<String> health = send(request("healthz").GET());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("ok");
  }

  @Test
  void settings_badOptionOrConfigKey_isRefusedNamingIt_andOptionsOverrideTheFile() throws Exception {
    assertThatThrownBy(() -> UpdateServerMain.configure(null, Map.of("port", List.of("eighty")), null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--port");
    assertThatThrownBy(() -> UpdateServerMain.configure(null, Map.of("jdbc-url", List.of("jdbc:mysql://x")), null))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("--jdbc-url: 'jdbc:mysql://x' must start")
        .hasMessageNotContaining("jdbcUrl");
    assertThatThrownBy(() -> UpdateServerMain.configure(null, Map.of("colour", List.of("red")), null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--colour").hasMessageContaining("known");
    assertThat(UpdateServerMain.configure(null, Map.of("data", List.of(dir.toString())), null).bindAddress())
        .isEqualTo("127.0.0.1");

    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("server.json"),
        "{\"port\": 9090, \"signal-burst\": 7, \"request-timeout\": \"PT3S\", \"data\": \"" + dir + "\"}");
    UpdateServerConfig fromFile = UpdateServerMain.configure(file, Map.of("port", List.of("9191")), null);
    assertThat(fromFile.port()).as("the option overrides the file").isEqualTo(9191);
    assertThat(fromFile.signalBurst()).isEqualTo(7);
    assertThat(fromFile.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    UpdateServerConfig shortForm = UpdateServerMain.configure(null, Map.of("data", List.of(dir.toString()),
        "tick-interval", List.of("2s"), "heartbeat-interval", List.of("5m")), null);
    assertThat(shortForm.tickInterval()).as("durations as plans and scenarios write them").isEqualTo(
        Duration.ofSeconds(2));
    assertThat(shortForm.heartbeatInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> UpdateServerMain.configure(null, Map.of("tick-interval", List.of("soon")), null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--tick-interval: 'soon' is not a duration");
    java.nio.file.Path unknown = java.nio.file.Files.writeString(dir.resolve("bad.json"), "{\"prot\": 9090}");
    assertThatThrownBy(() -> UpdateServerMain.configure(unknown, Map.of(), null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("bad.json").hasMessageContaining("'prot'");
    java.nio.file.Path nested = java.nio.file.Files.writeString(dir.resolve("nested.json"), "{\"port\": {\"n\": 1}}");
    assertThatThrownBy(() -> UpdateServerMain.configure(nested, Map.of(), null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'port' must be a string or a number");
  }

  @Test
  void restart_keepsReleasesEnrollmentsAndTheHalt() throws Exception {
    EndpointCredentials lab1 = labOfferedV2();
    admin.command("r1", "halt", "bad push");
    server.close();

    server = UpdateServer.start(UpdateServerConfig.custom(dir).port(0).build());
    URI base = server.uri();
    admin = new AdminClient(base, server.adminTokenFile(), http);
    assertThat(admin.rollout("r1").get("state").asText()).isIn("ROLLING_BACK", "ROLLED_BACK");
    HttpResponse<String> revert = send(asEndpoint(lab1, "v1/channels/rules/envelope", 2).GET());
    assertThat(revert.headers().firstValue(UpdateProtocol.DECISION_HEADER)).hasValue("REVERT");
    HttpResponse<String> audit = send(request("admin/v1/audit")
        .header("Authorization", "Bearer " + Files.readString(server.adminTokenFile()).trim()).GET());
    assertThat(audit.headers().firstValue("Ringfence-Audit-Verified")).hasValue("true");
    assertThat(audit.body()).contains("bad push");
  }
}
