package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.testing.ManualClock;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named API tokens with roles, over real HTTP on 127.0.0.1: every admin route called with a viewer's, an
 * operator's and an admin's token (the route list checked against the router's, so a new route without a role
 * here fails), tokens shown once and stored as digests, revocation, and the actor of every command being the
 * token's name.
 */
class AdminRolesTest {

  private static final String CHANNEL = "rules";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");

  /** What each admin route needs, as this test expects it: the docs' roles table. */
  private static final Map<String, Role> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("POST /admin/v1/endpoints", Role.ADMIN);
    EXPECTED.put("GET /admin/v1/endpoints", Role.VIEWER);
    EXPECTED.put("GET /admin/v1/channels", Role.VIEWER);
    EXPECTED.put("POST /admin/v1/channels/{channel}/releases", Role.ADMIN);
    EXPECTED.put("GET /admin/v1/channels/{channel}/releases", Role.VIEWER);
    EXPECTED.put("GET /admin/v1/channels/{channel}/deferrals", Role.VIEWER);
    EXPECTED.put("PUT /admin/v1/channels/{channel}/deferrals", Role.ADMIN);
    EXPECTED.put("POST /admin/v1/rollouts", Role.ADMIN);
    EXPECTED.put("GET /admin/v1/rollouts", Role.VIEWER);
    EXPECTED.put("GET /admin/v1/rollouts/{id}", Role.VIEWER);
    EXPECTED.put("GET /admin/v1/rollouts/{id}/journal", Role.VIEWER);
    EXPECTED.put("POST /admin/v1/rollouts/{id}/start", Role.ADMIN);
    EXPECTED.put("POST /admin/v1/rollouts/{id}/pause", Role.OPERATOR);
    EXPECTED.put("POST /admin/v1/rollouts/{id}/resume", Role.OPERATOR);
    EXPECTED.put("POST /admin/v1/rollouts/{id}/halt", Role.OPERATOR);
    EXPECTED.put("POST /admin/v1/rollouts/{id}/abort", Role.OPERATOR);
    EXPECTED.put("POST /admin/v1/rollouts/{id}/approve", Role.OPERATOR);
    EXPECTED.put("POST /admin/v1/rollouts/{id}/promote", Role.OPERATOR);
    EXPECTED.put("GET /admin/v1/audit", Role.VIEWER);
    EXPECTED.put("POST /admin/v1/roots", Role.ADMIN);
    EXPECTED.put("GET /admin/v1/roots", Role.VIEWER);
    EXPECTED.put("POST /admin/v1/tokens", Role.ADMIN);
    EXPECTED.put("GET /admin/v1/tokens", Role.ADMIN);
    EXPECTED.put("DELETE /admin/v1/tokens/{name}", Role.ADMIN);
    EXPECTED.put("GET /admin/v1/stop-all", Role.VIEWER);
    EXPECTED.put("POST /admin/v1/stop-all", Role.OPERATOR);
    EXPECTED.put("POST /admin/v1/stop-all/lift", Role.ADMIN);
  }

  /**
   * A concrete request per route that changes nothing when allowed: reads, or writes whose body the route refuses
   * with 400 (the guard runs before the body is read), or a name that does not exist.
   */
  private static final Map<String, String> HARMLESS = new LinkedHashMap<>();

  static {
    HARMLESS.put("POST /admin/v1/endpoints", "POST admin/v1/endpoints {}");
    HARMLESS.put("GET /admin/v1/endpoints", "GET admin/v1/endpoints");
    HARMLESS.put("GET /admin/v1/channels", "GET admin/v1/channels");
    HARMLESS.put("POST /admin/v1/channels/{channel}/releases", "POST admin/v1/channels/rules/releases {}");
    HARMLESS.put("GET /admin/v1/channels/{channel}/releases", "GET admin/v1/channels/rules/releases");
    HARMLESS.put("GET /admin/v1/channels/{channel}/deferrals", "GET admin/v1/channels/rules/deferrals");
    HARMLESS.put("PUT /admin/v1/channels/{channel}/deferrals", "PUT admin/v1/channels/rules/deferrals {}");
    HARMLESS.put("POST /admin/v1/rollouts", "POST admin/v1/rollouts {}");
    HARMLESS.put("GET /admin/v1/rollouts", "GET admin/v1/rollouts");
    HARMLESS.put("GET /admin/v1/rollouts/{id}", "GET admin/v1/rollouts/r1");
    HARMLESS.put("GET /admin/v1/rollouts/{id}/journal", "GET admin/v1/rollouts/r1/journal");
    for (String action : List.of("start", "pause", "resume", "halt", "abort", "approve", "promote")) {
      HARMLESS.put("POST /admin/v1/rollouts/{id}/" + action, "POST admin/v1/rollouts/r1/" + action + " {\"nope\":1}");
    }
    HARMLESS.put("GET /admin/v1/audit", "GET admin/v1/audit");
    HARMLESS.put("POST /admin/v1/roots", "POST admin/v1/roots {}");
    HARMLESS.put("GET /admin/v1/roots", "GET admin/v1/roots");
    HARMLESS.put("POST /admin/v1/tokens", "POST admin/v1/tokens {\"name\":\"x\"}");
    HARMLESS.put("GET /admin/v1/tokens", "GET admin/v1/tokens");
    HARMLESS.put("DELETE /admin/v1/tokens/{name}", "DELETE admin/v1/tokens/nobody");
    HARMLESS.put("GET /admin/v1/stop-all", "GET admin/v1/stop-all");
    HARMLESS.put("POST /admin/v1/stop-all", "POST admin/v1/stop-all {}");
    HARMLESS.put("POST /admin/v1/stop-all/lift", "POST admin/v1/stop-all/lift {}");
  }

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(START);
  @RegisterExtension final TestServers servers = new TestServers();
  private UpdateServer server;
  private AdminClient admin;

  private void start() throws Exception {
    server = servers.start(UpdateServerConfig.custom(dir.resolve("data")).clock(clock), servers.signer);
    admin = servers.admin(server);
  }

  private HttpResponse<String> send(String spec, String token) throws Exception {
    String[] parts = spec.split(" ", 3);
    HttpRequest.Builder call = HttpRequest.newBuilder(server.uri().resolve(parts[1])).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    call.method(parts[0], parts.length == 3 ? HttpRequest.BodyPublishers.ofString(parts[2])
        : HttpRequest.BodyPublishers.noBody());
    return servers.http.send(call.build(), HttpResponse.BodyHandlers.ofString());
  }

  private double meter(String prefix, String... contains) throws Exception {
    String scrape = servers.http.send(HttpRequest.newBuilder(server.uri().resolve("metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return scrape.lines().filter(l -> l.startsWith(prefix)).filter(l -> List.of(contains).stream().allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private void publish(long version, boolean general) throws Exception {
    byte[] content = ("rule v" + version + "\n").getBytes(StandardCharsets.UTF_8);
    admin.publish(servers.signer.sign(CHANNEL, version, content, START.plus(Duration.ofDays(1))), content, general);
  }

  /**
   * Every admin route with each role's token: allowed (neither 401 nor 403) when the role includes the route's, else
   * 403 naming the role needed, in the body and in {@code Ringfence-Role-Needed}, and counted by reason and route.
   * The expected roles are this test's own table, checked against the router's: a route added without a role stops
   * the server's start, and one whose role is not in this table fails here.
   */
  @Test
  void everyAdminRoute_eachRole_isAllowedOr403NamingTheRoleNeeded() throws Exception {
    start();
    assertThat(server.roles()).as("every admin route's role, as the router has it").isEqualTo(EXPECTED);
    assertThat(HARMLESS.keySet()).as("every admin route has a request")
        .containsExactlyInAnyOrderElementsOf(server.routes().stream().filter(r -> r.contains(" /admin/")).toList());
    Map<Role, String> tokens = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      tokens.put(role, admin.createToken("matrix-" + role.wireName(), role.wireName()).get("token").asText());
    }

    int forbidden = 0;
    int allowed = 0;
    for (Map.Entry<String, String> route : HARMLESS.entrySet()) {
      Role needed = EXPECTED.get(route.getKey());
      for (Role role : Role.values()) {
        HttpResponse<String> response = send(route.getValue(), tokens.get(role));
        String what = route.getValue() + " as " + role.wireName() + ": " + response.body();
        if (role.includes(needed)) {
          assertThat(response.statusCode()).as(what).isNotIn(401, 403).isLessThan(500);
          allowed++;
        } else {
          assertThat(response.statusCode()).as(what).isEqualTo(403);
          JsonNode error = JSON.readTree(response.body());
          assertThat(error.get("error").asText()).isEqualTo("forbidden");
          assertThat(error.get("field").asText()).isEqualTo("Authorization");
          assertThat(error.get("message").asText()).as(what).contains("'matrix-" + role.wireName() + "' has role "
              + role.wireName()).contains(route.getKey() + " needs role " + needed.wireName());
          assertThat(response.headers().firstValue("Ringfence-Role-Needed")).hasValue(needed.wireName());
          assertThat(meter("ringfence_server_admin_refused_total{", "reason=\"wrong_role\"",
              "route=\"" + route.getKey() + "\"")).as(what).isPositive();
          forbidden++;
        }
      }
    }
    // 10 viewer routes, 7 operator routes, 10 admin routes: a viewer is refused 17, an operator 10, an admin none.
    assertThat(forbidden).isEqualTo(17 + 10);
    assertThat(allowed).isEqualTo(27 * 3 - forbidden);
    assertThat(meter("ringfence_server_admin_refused_total{", "reason=\"wrong_role\"")).isEqualTo(forbidden);
    assertThat(meter("ringfence_server_admin_refused_total{", "reason=\"unknown_token\"")).isZero();
    assertThat(admin.call("GET", "admin/v1/stop-all", null).get("inForce").asBoolean())
        .as("no allowed call changed anything").isFalse();
    assertThat(admin.tokens().get("tokens")).hasSize(4);
  }

  /**
   * A token is shown once and kept as its SHA-256 in a 0600 file; the list never shows a token or a digest but
   * shows its last use; a revoked token is refused (401, counted as unknown_token) and its name is never reused;
   * bootstrap tokens cannot be revoked through the API; bad names and roles are 400 naming the field. The file
   * survives a restart.
   */
  @Test
  void tokens_shownOnceStoredAsDigests_revokedAreRefused_namesNeverReused() throws Exception {
    start();
    JsonNode created = admin.createToken("ci-reader", "viewer");
    String token = created.get("token").asText();
    assertThat(created.get("name").asText()).isEqualTo("ci-reader");
    assertThat(created.get("role").asText()).isEqualTo("viewer");
    assertThat(created.get("createdBy").asText()).startsWith("bootstrap-");
    assertThat(token).hasSizeGreaterThanOrEqualTo(43);

    AdminClient reader = new AdminClient(server.uri(), token, servers.http);
    assertThat(reader.call("GET", "admin/v1/rollouts", null).get("rollouts")).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    server.tickNow(); // writes the last use

    String digest = HexFormat.of().formatHex(AdminToken.sha256(token));
    HttpResponse<String> listed = send("GET admin/v1/tokens", Files.readString(server.adminTokenFile()).trim());
    assertThat(listed.body()).doesNotContain(token).doesNotContain(digest);
    JsonNode ci = null;
    for (JsonNode t : JSON.readTree(listed.body()).get("tokens")) {
      if (t.get("name").asText().equals("ci-reader")) {
        ci = t;
      } else {
        assertThat(t.get("bootstrap").asBoolean()).isTrue();
        assertThat(t.get("name").asText()).isEqualTo(ApiTokens.bootstrapName(AdminToken.sha256(
            Files.readString(server.adminTokenFile()).trim())));
        assertThat(t.get("role").asText()).isEqualTo("admin");
      }
    }
    assertThat(ci).isNotNull();
    assertThat(ci.get("lastUsedAt").asText()).isEqualTo(START.toString());
    assertThat(ci.get("revokedAt").isNull()).isTrue();

    Path file = dir.resolve("data/tokens.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file)).contains(digest).doesNotContain(token);

    assertThatThrownBy(() -> admin.createToken("ci-reader", "admin")).hasMessageContaining("409")
        .hasMessageContaining("'ci-reader' is taken");
    assertThatThrownBy(() -> admin.createToken("bootstrap-x", "admin")).hasMessageContaining("400")
        .hasMessageContaining("name:");
    assertThatThrownBy(() -> admin.createToken("has space", "admin")).hasMessageContaining("400")
        .hasMessageContaining("name:");
    assertThatThrownBy(() -> admin.createToken("root", "superuser")).hasMessageContaining("400")
        .hasMessageContaining("role: 'superuser' is not one of viewer, operator, admin");
    HttpResponse<String> noRole = send("POST admin/v1/tokens {\"name\":\"x\"}",
        Files.readString(server.adminTokenFile()).trim());
    assertThat(noRole.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noRole.body()).get("field").asText()).isEqualTo("role");
    String bootstrapName = ApiTokens.bootstrapName(AdminToken.sha256(Files.readString(server.adminTokenFile()).trim()));
    assertThatThrownBy(() -> admin.revokeToken(bootstrapName)).hasMessageContaining("409")
        .hasMessageContaining("generated admin token");
    assertThatThrownBy(() -> admin.revokeToken("nobody")).hasMessageContaining("404");

    JsonNode revoked = admin.revokeToken("ci-reader");
    assertThat(revoked.get("revokedAt").asText()).isEqualTo(START.plus(Duration.ofMinutes(1)).toString());
    assertThat(revoked.get("revokedBy").asText()).isEqualTo(bootstrapName);
    assertThatThrownBy(() -> reader.call("GET", "admin/v1/rollouts", null)).hasMessageContaining("401");
    assertThat(meter("ringfence_server_admin_refused_total{", "reason=\"unknown_token\"",
        "route=\"GET /admin/v1/rollouts\"")).isEqualTo(1);
    assertThatThrownBy(() -> admin.revokeToken("ci-reader")).hasMessageContaining("409")
        .hasMessageContaining("revoked already");
    assertThatThrownBy(() -> admin.createToken("ci-reader", "viewer")).hasMessageContaining("409")
        .hasMessageContaining("never reused");

    JsonNode operator = admin.createToken("oncall", "operator");
    server.close();
    start();
    AdminClient oncall = new AdminClient(server.uri(), operator.get("token").asText(), servers.http);
    assertThat(oncall.call("GET", "admin/v1/stop-all", null).get("inForce").asBoolean())
        .as("a token works after a restart").isFalse();
    assertThatThrownBy(() -> new AdminClient(server.uri(), token, servers.http).call("GET", "admin/v1/rollouts", null))
        .as("and a revoked one stays revoked").hasMessageContaining("401");
  }

  /**
   * Deleting {@code admin.token} for a new one retires the old one, as before named tokens: after the restart the
   * old bootstrap token is 401 and listed as revoked at the start, the new one works, and named tokens still do.
   */
  @Test
  void bootstrapToken_fileReplaced_oldTokenIsRevokedAtTheNextStart() throws Exception {
    start();
    String old = Files.readString(server.adminTokenFile()).trim();
    String named = admin.createToken("ops", "operator").get("token").asText();
    server.close();
    Files.delete(dir.resolve("data/admin.token"));
    start();

    assertThat(send("GET admin/v1/rollouts", old).statusCode()).as("the replaced token").isEqualTo(401);
    assertThat(send("GET admin/v1/rollouts", named).statusCode()).as("a named token").isEqualTo(200);
    JsonNode tokens = admin.tokens().get("tokens");
    assertThat(tokens).hasSize(3);
    assertThat(tokens.get(0).get("name").asText()).isEqualTo(ApiTokens.bootstrapName(AdminToken.sha256(old)));
    assertThat(tokens.get(0).get("revokedBy").asText()).isEqualTo("server start: admin.token replaced");
    assertThat(tokens.get(2).get("bootstrap").asBoolean()).isTrue();
    assertThat(tokens.get(2).get("revokedAt").isNull()).isTrue();
  }

  /**
   * The actor in the journal and the audit trail is the calling token's name: an operator token named
   * {@code oncall-alice} pauses and halts, and the transitions say so; a body naming another actor is 400 naming
   * {@code actor}, and changes nothing.
   */
  @Test
  void commands_areRecordedAsTheTokensName_andAnotherActorInTheBodyIs400() throws Exception {
    start();
    admin.enroll("lab-1", "lab", "eu");
    publish(1, true);
    publish(2, false);
    admin.createRollout("r1", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(1));
    admin.command("r1", "start", null);
    AdminClient alice = new AdminClient(server.uri(), admin.createToken("oncall-alice", "operator").get("token").asText(),
        servers.http);

    HttpResponse<String> spoofed = send("POST admin/v1/rollouts/r1/pause {\"reason\":\"x\",\"actor\":\"mallory\"}",
        admin.createToken("oncall-bob", "operator").get("token").asText());
    assertThat(spoofed.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(spoofed.body()).get("field").asText()).isEqualTo("actor");
    assertThat(admin.rollout("r1").get("state").asText()).isEqualTo("RUNNING");

    alice.command("r1", "pause", "vendor note pending");
    alice.command("r1", "halt", "crash reports from the lab");
    String bootstrapName = ApiTokens.bootstrapName(AdminToken.sha256(Files.readString(server.adminTokenFile()).trim()));
    List<String> causes = new java.util.ArrayList<>();
    admin.rollout("r1").get("transitions").forEach(t -> causes.add(t.get("cause").asText()));
    assertThat(causes).anySatisfy(c -> assertThat(c).startsWith("started by " + bootstrapName))
        .anySatisfy(c -> assertThat(c).isEqualTo("paused by oncall-alice: vendor note pending"))
        .anySatisfy(c -> assertThat(c).isEqualTo("halted by oncall-alice: crash reports from the lab"))
        .noneSatisfy(c -> assertThat(c).contains("mallory"));
    HttpResponse<String> audit = send("GET admin/v1/audit", Files.readString(server.adminTokenFile()).trim());
    assertThat(audit.headers().firstValue("Ringfence-Audit-Verified")).hasValue("true");
    assertThat(audit.body()).contains("halted by oncall-alice: crash reports from the lab").doesNotContain("mallory");
  }
}
