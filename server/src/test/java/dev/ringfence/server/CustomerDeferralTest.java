package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.deferral.Deferrals;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.testing.ManualClock;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Customer deferral over real HTTP on 127.0.0.1, file mode: the policy's routes (roles, strict bodies naming the
 * field, the actor, kept across a restart), n-1 (never a running rollout's candidate, the release before the newest
 * once it completed), and delay (held through the rollout and the delay, then the group's own gated rollout, which
 * completes for a healthy group and halts and reverts for a group whose hosts the candidate breaks).
 */
class CustomerDeferralTest {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-12-05T08:00:00Z");
  private static final String CHANNEL = "rules";
  /** One ring, everyone, ten minutes, no judge: a main rollout that completes on the clock. */
  static final String ONE_RING = """
      {"schemaVersion":1,"name":"one-ring","rings":[{"name":"everyone","share":10000,"cap":1000,
       "bakeTime":"PT10M","minSample":0,"gate":{"type":"time-and-sample"}}],
       "overrides":[{"rule":"FIRST_RING_TOO_LARGE","ring":"everyone","reason":"a test fleet, judged elsewhere"}]}
      """;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(START);
  private final HttpClient http = HttpClient.newHttpClient();
  private final SplittableRandom nonces = new SplittableRandom(6);
  private final Map<String, Long> sequences = new HashMap<>();
  private ReleaseSigner signer;
  private UpdateServer server;
  private AdminClient admin;

  @BeforeEach
  void start() throws Exception {
    signer = new ReleaseSigner(List.of("release-1"), 1);
    boot();
  }

  private void boot() throws Exception {
    server = UpdateServer.start(UpdateServerConfig.custom(dir.resolve("data")).port(0).clock(clock)
        .tickInterval(Duration.ofHours(1)).heartbeatInterval(Duration.ofMinutes(10)).releaseKeys(signer.trustStore())
        .build());
    admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void publish(long version) throws Exception {
    byte[] content = (CHANNEL + " v" + version + "\n").getBytes(StandardCharsets.UTF_8);
    admin.publish(signer.sign(CHANNEL, version, content, START.plus(Duration.ofDays(30))), content, version == 1);
  }

  private EndpointCredentials enroll(String id, String... tags) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("endpointId", id);
    ObjectNode attributes = body.putObject("attributes").put("os", "windows").put("region", "eu-west");
    tags(attributes, tags);
    JsonNode issued = admin.call("POST", "admin/v1/endpoints", body);
    return new EndpointCredentials(issued.get("endpointId").asText(), issued.get("token").asText(),
        java.util.Base64.getDecoder().decode(issued.get("hmacKey").asText()));
  }

  private static void tags(ObjectNode attributes, String... tags) {
    var array = attributes.putArray("tags");
    for (String t : tags) {
      array.add(t);
    }
  }

  static JsonNode policy(String json) throws Exception {
    return JSON.readTree("{\"deferrals\": " + json + "}");
  }

  /** The decision route's JSON for one endpoint. */
  private JsonNode decision(EndpointCredentials c, long current) throws Exception {
    return decision(server, c, current);
  }

  JsonNode decision(UpdateServer at, EndpointCredentials c, long current) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(at.uri().resolve("v1/channels/" + CHANNEL
        + "/decision")).header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, Long.toString(current)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> raw(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path)).header("Authorization", "Bearer " + token);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String adminToken() throws Exception {
    return Files.readString(server.adminTokenFile()).trim();
  }

  private void heartbeat(EndpointCredentials c, long version, int failedStarts) throws Exception {
    long sequence = sequences.merge(c.endpointId(), 1L, Long::sum);
    String body = "[{\"type\":\"heartbeat\",\"endpointId\":\"" + c.endpointId() + "\",\"bootId\":1,\"sequence\":"
        + sequence + ",\"version\":" + version + ",\"failedStarts\":" + failedStarts + "}]";
    TestServers.sendSignals(http, server, CHANNEL, c, body, clock.instant().toEpochMilli(), nonces);
  }

  /** Ticks the server after moving the clock, so the bake times pass and the gates are asked. */
  private void advance(Duration d) {
    clock.advance(d);
    server.tickNow();
  }

  private String statusPage() throws Exception {
    return http.send(HttpRequest.newBuilder(server.uri().resolve("status")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void policyRoutes_roles_actor_strictBodies_andKeptAcrossARestart() throws Exception {
    AdminClient portal = new AdminClient(server.uri(), admin.createToken("customer-portal", "admin").get("token")
        .asText(), http);
    String operator = admin.createToken("oncall", "operator").get("token").asText();
    String viewer = admin.createToken("dashboard", "viewer").get("token").asText();

    JsonNode empty = new AdminClient(server.uri(), viewer, http).call("GET", "admin/v1/channels/rules/deferrals", null);
    assertThat(empty.get("deferrals").toString()).isEqualTo("[]");
    assertThat(empty.get("setBy").isNull()).isTrue();

    String body = "{\"deferrals\": [{\"match\": {\"tag\": \"tenant:acme\"}, \"policy\": \"n-1\"},"
        + " {\"match\": {\"region\": \"eu-west\", \"tag\": [\"tenant:globex\", \"tenant:initech\"]}, \"delay\": \"24h\"}]}";
    for (String token : List.of(viewer, operator)) {
      HttpResponse<String> refused = raw("PUT", "admin/v1/channels/rules/deferrals", token, body);
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("needs role admin");
    }
    assertThat(raw("GET", "admin/v1/channels/rules/deferrals", "not-a-token", null).statusCode()).isEqualTo(401);

    clock.advance(Duration.ofMinutes(3));
    JsonNode set = portal.call("PUT", "admin/v1/channels/rules/deferrals", JSON.readTree(body));
    assertThat(set.get("setBy").asText()).as("the actor is the token's name").isEqualTo("customer-portal");
    assertThat(set.get("setAt").asText()).isEqualTo("2026-12-05T08:03:00Z");
    assertThat(set.get("deferrals").toString()).isEqualTo("[{\"match\":{\"tag\":\"tenant:acme\"},\"policy\":\"n-1\"},"
        + "{\"match\":{\"region\":\"eu-west\",\"tag\":[\"tenant:globex\",\"tenant:initech\"]},\"delay\":\"PT24H\"}]");
    assertThat(set.get("deferred").get(1).get("deferral").asText())
        .isEqualTo("delay PT24H for region=eu-west,tag=tenant:globex|tenant:initech");

    Map<String, String> refusals = new java.util.LinkedHashMap<>();
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": \"a\"}, \"policy\": \"n-1\"},"
        + " {\"match\": {\"tag\": \"b\"}, \"delay\": \"soon\"}]}", "deferrals[1].delay");
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": \"b\"}, \"delay\": \"-PT1H\"}]}", "deferrals[0].delay");
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": \"b\"}, \"delay\": \"P100D\"}]}", "deferrals[0].delay");
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": \"b\"}, \"policy\": \"n-2\"}]}", "deferrals[0].policy");
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": \"b\"}, \"policy\": \"n-1\", \"delay\": \"1h\"}]}",
        "deferrals[0].delay");
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": \"b\"}}]}", "deferrals[0]");
    refusals.put("{\"deferrals\": [{\"policy\": \"n-1\"}]}", "deferrals[0].match");
    refusals.put("{\"deferrals\": [{\"match\": {}, \"policy\": \"n-1\"}]}", "deferrals[0].match");
    refusals.put("{\"deferrals\": [{\"match\": {\"colour\": \"red\"}, \"policy\": \"n-1\"}]}",
        "deferrals[0].match.colour");
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": [\"ok\", \" \"]}, \"policy\": \"n-1\"}]}",
        "deferrals[0].match.tag[1]");
    refusals.put("{\"deferrals\": [{\"match\": {\"tag\": \"b\"}, \"policy\": \"n-1\", \"when\": 1}]}",
        "deferrals[0].when");
    refusals.put("{\"deferrals\": {\"match\": {\"tag\": \"b\"}}}", "deferrals");
    refusals.put("{}", "deferrals");
    refusals.put("{\"deferrals\": [], \"extra\": 1}", "extra");
    for (Map.Entry<String, String> r : refusals.entrySet()) {
      HttpResponse<String> refused = raw("PUT", "admin/v1/channels/rules/deferrals", adminToken(), r.getKey());
      assertThat(refused.statusCode()).as(r.getKey()).isEqualTo(400);
      JsonNode error = JSON.readTree(refused.body());
      assertThat(error.get("field").asText()).as(r.getKey()).isEqualTo(r.getValue());
      assertThat(error.get("message").asText()).as(r.getKey()).startsWith(r.getValue() + ": ");
    }
    assertThat(raw("PUT", "admin/v1/channels/no%2Fslash/deferrals", adminToken(), body).statusCode()).isEqualTo(400);

    server.close();
    boot();
    JsonNode kept = admin.call("GET", "admin/v1/channels/rules/deferrals", null);
    assertThat(kept.get("deferrals")).isEqualTo(set.get("deferrals"));
    assertThat(kept.get("setBy").asText()).isEqualTo("customer-portal");
    JsonNode cleared = admin.call("PUT", "admin/v1/channels/rules/deferrals", policy("[]"));
    assertThat(cleared.get("deferrals").toString()).isEqualTo("[]");
    assertThat(cleared.get("history")).hasSize(2);
    assertThat(cleared.get("history").get(0).get("actor").asText()).isEqualTo("customer-portal");
    assertThat(cleared.get("history").get(1).get("actor").asText()).startsWith("bootstrap");

    publish(1);
    publish(2);
    assertThatThrownBy(() -> admin.createRollout("r2.deferral-0a1b2c3d", CHANNEL, 1, 2, ONE_RING))
        .hasMessageContaining("400").hasMessageContaining("only the server creates");
  }

  /**
   * n-1: a matching endpoint never takes a running rollout's candidate; once rollout r2 (v1 -> v2) completed it
   * stays on v1, the release before v2; when r3 (v2 -> v3) completed it is offered v2 and may download it. An
   * endpoint that matches no entry is decided by the rollouts as before.
   */
  @Test
  void nMinusOne_neverTakesARunningCandidate_andIsOfferedThePreviousReleaseAfterCompletion() throws Exception {
    EndpointCredentials acme = enroll("acme-1", "tenant:acme");
    EndpointCredentials other = enroll("globex-1", "tenant:globex");
    for (long v = 1; v <= 3; v++) {
      publish(v);
    }
    admin.call("PUT", "admin/v1/channels/rules/deferrals",
        policy("[{\"match\": {\"tag\": \"tenant:acme\"}, \"policy\": \"n-1\"}]"));
    admin.createRollout("r2", CHANNEL, 1, 2, ONE_RING);
    admin.command("r2", "start", null);

    JsonNode held = decision(acme, 1);
    assertThat(held.get("decision").asText()).isEqualTo("STAY");
    assertThat(held.get("version").asLong()).isEqualTo(1);
    assertThat(held.get("reason").asText()).startsWith("deferred by policy n-1 for tag=tenant:acme: no rollout of"
        + " this channel has completed; stays on v1");
    JsonNode offered = decision(other, 1);
    assertThat(offered.get("decision").asText()).isEqualTo("OFFER");
    assertThat(offered.get("version").asLong()).isEqualTo(2);
    assertThat(offered.get("reason").asText()).doesNotContain("deferred");

    JsonNode view = admin.rollout("r2").get("deferral");
    assertThat(view.get("deferredEndpoints").asLong()).isEqualTo(1);
    assertThat(view.get("entries").get(0).get("deferral").asText()).isEqualTo("policy n-1 for tag=tenant:acme");
    assertThat(view.get("entries").get(0).get("endpoints").asLong()).isEqualTo(1);

    advance(Duration.ofMinutes(11));
    assertThat(server.engine().rollout("r2").state()).isEqualTo(RolloutState.COMPLETED);
    JsonNode behind = decision(acme, 1);
    assertThat(behind.get("decision").asText()).isEqualTo("STAY");
    assertThat(behind.get("reason").asText()).isEqualTo("deferred by policy n-1 for tag=tenant:acme: stays on v1,"
        + " the release before v2 (rollout 'r2', completed)");

    admin.createRollout("r3", CHANNEL, 2, 3, ONE_RING);
    admin.command("r3", "start", null);
    assertThat(decision(other, 2).get("version").asLong()).isEqualTo(3);
    assertThat(decision(acme, 1).get("version").asLong()).as("not r3's candidate while it runs").isEqualTo(1);
    advance(Duration.ofMinutes(11));
    assertThat(server.engine().rollout("r3").state()).isEqualTo(RolloutState.COMPLETED);
    JsonNode previous = decision(acme, 1);
    assertThat(previous.get("decision").asText()).isEqualTo("OFFER");
    assertThat(previous.get("version").asLong()).isEqualTo(2);
    assertThat(previous.get("reason").asText()).isEqualTo("deferred by policy n-1 for tag=tenant:acme: offered v2,"
        + " the release before v3 (rollout 'r3', completed)");
    HttpResponse<byte[]> payload = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/rules/releases/2"
        + "/payload")).header(UpdateProtocol.ENDPOINT_HEADER, acme.endpointId()).header("Authorization",
        acme.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, "1").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(payload.statusCode()).isEqualTo(200);
    assertThat(new String(payload.body(), StandardCharsets.UTF_8)).isEqualTo("rules v2\n");
    HttpResponse<byte[]> notOffered = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/rules/releases"
        + "/3/payload")).header(UpdateProtocol.ENDPOINT_HEADER, acme.endpointId()).header("Authorization",
        acme.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, "1").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(notOffered.statusCode()).isEqualTo(403);
    assertThat(decision(acme, 3).get("decision").asText()).as("never sent down").isNotEqualTo("REVERT");
  }

  /** The delay group: enrolled, tagged, and the others. */
  private record Fleet(List<EndpointCredentials> acme, List<EndpointCredentials> others) {}

  private Fleet delayFleet(int acme) throws Exception {
    List<EndpointCredentials> group = new ArrayList<>();
    for (int i = 0; i < acme; i++) {
      group.add(enroll("acme-" + i, "tenant:acme"));
    }
    List<EndpointCredentials> others = List.of(enroll("globex-1", "tenant:globex"), enroll("globex-2"));
    publish(1);
    publish(2);
    admin.call("PUT", "admin/v1/channels/rules/deferrals",
        policy("[{\"match\": {\"tag\": \"tenant:acme\"}, \"delay\": \"PT24H\"}]"));
    admin.createRollout("r2", CHANNEL, 1, 2, ONE_RING);
    admin.command("r2", "start", null);
    return new Fleet(group, others);
  }

  /**
   * Held through the main rollout and the delay after it (the reason says until when), then the group's own
   * rollout: created and started by the server at the first tick after the delay, journaled, in the rollouts
   * list, offering the candidate to a canary share of the group first.
   */
  @Test
  void delay_holdsTheGroupThroughTheRolloutAndTheDelay_thenStartsItsOwnGatedRollout() throws Exception {
    Fleet fleet = delayFleet(40);
    JsonNode during = decision(fleet.acme().get(0), 1);
    assertThat(during.get("decision").asText()).isEqualTo("STAY");
    assertThat(during.get("reason").asText()).isEqualTo("deferred by delay PT24H for tag=tenant:acme until PT24H"
        + " after rollout 'r2' (v1 -> v2, RUNNING) completes; stays on v1");
    assertThat(decision(fleet.others().get(0), 1).get("decision").asText()).isEqualTo("OFFER");

    advance(Duration.ofMinutes(10)); // completes at 08:10
    assertThat(server.engine().rollout("r2").state()).isEqualTo(RolloutState.COMPLETED);
    JsonNode waiting = decision(fleet.acme().get(1), 1);
    assertThat(waiting.get("decision").asText()).isEqualTo("STAY");
    assertThat(waiting.get("version").asLong()).isEqualTo(1);
    assertThat(waiting.get("reason").asText()).isEqualTo("deferred until 2026-12-06T08:10Z by delay PT24H for"
        + " tag=tenant:acme; stays on v1");
    assertThat(decision(fleet.others().get(1), 1).get("version").asLong()).isEqualTo(2);
    JsonNode entry = admin.rollout("r2").get("deferral").get("entries").get(0);
    assertThat(entry.get("endpoints").asLong()).isEqualTo(40);
    assertThat(entry.get("until").asText()).isEqualTo("2026-12-06T08:10:00Z");
    assertThat(entry.get("status").asText()).startsWith("waiting until 2026-12-06T08:10:00Z");
    String page = statusPage();
    assertThat(page).contains("Customer deferral").contains("delay PT24H for tag=tenant:acme")
        .contains("waiting until 2026-12-06T08:10:00Z");
    // The exposure chart draws the line of endpoints back on baseline first and the exposed line over it, so that
    // where they meet (after a full rollback) both show.
    int backLine = page.indexOf("class=\"reverted\"");
    assertThat(backLine).as("the line of those back on baseline").isPositive();
    assertThat(page.indexOf("class=\"exposed\"")).as("the exposed line, drawn over it").isGreaterThan(backLine);

    advance(Duration.ofHours(23));
    assertThat(server.engine().rollouts()).hasSize(1);
    advance(Duration.ofHours(1));
    String own = Deferrals.childId("r2", dev.ringfence.core.deferral.DeferralPolicy.fromJson("[{\"match\": {\"tag\":"
        + " \"tenant:acme\"}, \"delay\": \"PT24H\"}]", "deferrals").entries().get(0));
    assertThat(server.engine().rollouts()).hasSize(2);
    assertThat(server.engine().rollout(own).state()).isEqualTo(RolloutState.RUNNING);
    assertThat(admin.call("GET", "admin/v1/rollouts/" + own + "/journal", null).toString())
        .contains(Deferrals.ACTOR);
    JsonNode listed = admin.call("GET", "admin/v1/rollouts", null).get("rollouts");
    assertThat(listed.get(1).get("id").asText()).isEqualTo(own);
    assertThat(listed.get(1).get("plan").asText()).isEqualTo(Deferrals.CHILD_PLAN_NAME);
    assertThat(admin.rollout(own).get("deferral").get("groupOf").asText()).isEqualTo("r2");
    assertThat(admin.rollout(own).get("deferral").get("deferral").asText())
        .isEqualTo("delay PT24H for tag=tenant:acme");
    assertThat(admin.rollout("r2").get("deferral").get("entries").get(0).get("status").asText())
        .isEqualTo("own rollout " + own + " RUNNING");

    int canary = 0;
    for (EndpointCredentials c : fleet.acme()) {
      JsonNode d = decision(c, 1);
      assertThat(d.get("rolloutId").asText()).isEqualTo(own);
      assertThat(d.get("reason").asText()).startsWith("deferred by delay PT24H for tag=tenant:acme until"
          + " 2026-12-06T08:10Z, then its own rollout '" + own + "': ");
      if (d.get("decision").asText().equals("OFFER")) {
        canary++;
        assertThat(d.get("ring").asText()).isEqualTo("deferred-canary");
      }
    }
    assertThat(canary).as("a canary share of the group, not all of it").isBetween(3, 20);
    assertThat(decision(fleet.others().get(0), 2).get("rolloutId").asText()).isEqualTo("r2");
    // A new main rollout waits until the group's own is done.
    publish(3);
    assertThatThrownBy(() -> admin.createRollout("r3", CHANNEL, 2, 3, ONE_RING)).hasMessageContaining("409")
        .hasMessageContaining(own);
  }

  /** Offers each group member its decision, returns those on the candidate. */
  private List<EndpointCredentials> poll(List<EndpointCredentials> group, Map<String, Long> running) throws Exception {
    List<EndpointCredentials> exposed = new ArrayList<>();
    for (EndpointCredentials c : group) {
      JsonNode d = decision(c, running.getOrDefault(c.endpointId(), 1L));
      if (d.get("decision").asText().equals("OFFER")) {
        running.put(c.endpointId(), d.get("version").asLong());
      } else if (d.get("decision").asText().equals("REVERT")) {
        running.put(c.endpointId(), d.get("version").asLong());
      }
      if (running.getOrDefault(c.endpointId(), 1L) == 2) {
        exposed.add(c);
      }
    }
    return exposed;
  }

  private String ownRolloutAfterTheDelay(Fleet fleet) {
    advance(Duration.ofMinutes(10));
    advance(Duration.ofHours(24));
    return server.engine().rollouts().get(1).id();
  }

  /**
   * A candidate that is fine for the fleet but crashes every host of the deferred group: the group's own canary
   * reports the crashes, its health judge halts it, and the canary is told to go back to v1; the rest of the group
   * never gets v2, and the fleet keeps it.
   */
  @Test
  void delay_aCandidateThatBreaksOnlyTheGroup_isCaughtInItsOwnCanary_andRevertedForIt() throws Exception {
    Fleet fleet = delayFleet(40);
    String own = ownRolloutAfterTheDelay(fleet);
    Map<String, Long> running = new HashMap<>();
    List<EndpointCredentials> exposed = poll(fleet.acme(), running);
    assertThat(exposed.size()).isGreaterThanOrEqualTo(5);
    for (int round = 0; round < 3; round++) {
      for (EndpointCredentials c : fleet.acme()) {
        boolean onCandidate = running.getOrDefault(c.endpointId(), 1L) == 2;
        heartbeat(c, onCandidate ? 2 : 1, onCandidate ? 1 : 0);
      }
      advance(Duration.ofMinutes(5));
    }
    assertThat(server.engine().rollout(own).state().isHalted()).as(admin.rollout(own).toString()).isTrue();
    assertThat(server.engine().rollout("r2").state()).isEqualTo(RolloutState.COMPLETED);
    for (EndpointCredentials c : exposed) {
      JsonNode d = decision(c, 2);
      assertThat(d.get("decision").asText()).isEqualTo("REVERT");
      assertThat(d.get("version").asLong()).isEqualTo(1);
    }
    for (EndpointCredentials c : fleet.acme()) {
      if (!exposed.contains(c)) {
        assertThat(decision(c, 1).get("version").asLong()).isEqualTo(1);
      }
    }
    assertThat(decision(fleet.others().get(0), 2).get("decision").asText()).isEqualTo("OFFER");
    assertThat(statusPage()).contains(own).contains("own rollout " + own);
  }

  /** A healthy group: its canary passes the judge after the bake time, the rest follows, the group is on v2. */
  @Test
  void delay_aHealthyGroup_completesItsOwnRollout_andEveryMemberGetsTheCandidate() throws Exception {
    Fleet fleet = delayFleet(40);
    String own = ownRolloutAfterTheDelay(fleet);
    Map<String, Long> running = new HashMap<>();
    for (int round = 0; round < 24 && server.engine().rollout(own).state() != RolloutState.COMPLETED; round++) {
      poll(fleet.acme(), running);
      for (EndpointCredentials c : fleet.acme()) {
        heartbeat(c, running.getOrDefault(c.endpointId(), 1L), 0);
      }
      advance(Duration.ofMinutes(5));
    }
    assertThat(server.engine().rollout(own).state()).as(admin.rollout(own).toString())
        .isEqualTo(RolloutState.COMPLETED);
    assertThat(poll(fleet.acme(), running)).hasSize(40);
    assertThat(decision(fleet.acme().get(0), 1).get("reason").asText()).contains("then its own rollout '" + own + "'");
    publish(3);
    admin.createRollout("r3", CHANNEL, 2, 3, ONE_RING);
    admin.command("r3", "start", null);
    JsonNode next = decision(fleet.acme().get(0), 2);
    assertThat(next.get("version").asLong()).as("held for r3 where its own rollout left it: v2, not v3")
        .isEqualTo(2);
    assertThat(next.get("rolloutId").asText()).isEqualTo(own);
    assertThat(decision(fleet.others().get(0), 2).get("version").asLong()).isEqualTo(3);
    assertThat(next.get("reason").asText()).contains("after rollout 'r3'").contains("as its previous own rollout '"
        + own + "' left it");
  }
}
