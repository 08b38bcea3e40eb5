package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/v1/rollouts/{id}/approve} and {@code /promote} over real HTTP on 127.0.0.1 with a viewer's, an
 * operator's and an admin's token: the ring that awaits approval and since when (detail view and status page), the
 * 409s that name the verdict or the ring, the 400s that name the field, skip-gate's journaled verdict, and every
 * actor being the calling token's name, creation included.
 */
class ApprovalRoutesTest {

  private static final String CHANNEL = "rules";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");

  /**
   * canary: the lab tier under the approval gate (bake 10 minutes); middle: the lab tier again under time-and-sample
   * (bake an hour); everyone: the health gate.
   */
  private static final String PLAN = """
      {"schemaVersion":1,"name":"approved","rollbackTimeout":"PT2M",
       "rings":[
         {"name":"canary","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":2,
          "bakeTime":"PT10M","minSample":0,"gate":{"type":"approval"}},
         {"name":"middle","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":2,
          "bakeTime":"PT1H","minSample":0,"gate":{"type":"time-and-sample"}},
         {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"health"}}],
       "overrides":[
         {"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"the canary ring is the lab tier, capped at 2"},
         {"rule":"SHARE_DOES_NOT_GROW","ring":"middle","reason":"rings are chosen by tier, not by share"},
         {"rule":"SHARE_DOES_NOT_GROW","ring":"everyone","reason":"rings are chosen by tier, not by share"}]}
      """;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(START);
  private final HttpClient http = HttpClient.newHttpClient();
  private UpdateServer server;
  private AdminClient admin;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  private List<JsonNode> transitions() throws Exception {
    List<JsonNode> list = new ArrayList<>();
    admin.rollout("r1").get("transitions").forEach(list::add);
    return list;
  }

  @Test
  void approveAndPromote_throughHttp_eachRole_awaitingSince_refusalsAndTheAudit() throws Exception {
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1"), 1);
    server = UpdateServer.start(UpdateServerConfig.custom(dir.resolve("data")).port(0).clock(clock)
        .tickInterval(Duration.ofMillis(50)).releaseKeys(signer.trustStore()).build());
    admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
    for (long v = 1; v <= 2; v++) {
      byte[] content = ("rule v" + v + "\n").getBytes(StandardCharsets.UTF_8);
      admin.publish(signer.sign(CHANNEL, v, content, START.plus(Duration.ofDays(1))), content, v == 1);
    }
    String viewer = admin.createToken("dash-viewer", "viewer").get("token").asText();
    String alice = admin.createToken("oncall-alice", "operator").get("token").asText();
    String adminToken = Files.readString(server.adminTokenFile()).trim();
    String bootstrapName = ApiTokens.bootstrapName(AdminToken.sha256(adminToken));

    JsonNode created = admin.createRollout("r1", CHANNEL, 1, 2, PLAN);
    assertThat(created.get("createdBy").asText()).as("creation is journaled with the token's name")
        .isEqualTo(bootstrapName);
    assertThat(created.get("rings").get(0).get("approval").asBoolean()).isTrue();
    assertThat(created.get("rings").get(1).get("approval").asBoolean()).isFalse();
    admin.command("r1", "start", null);
    await().atMost(Duration.ofSeconds(20)).until(() -> admin.rollout("r1").get("currentVerdict").isObject());

    // A viewer may not approve or promote.
    HttpResponse<String> forbidden = post("admin/v1/rollouts/r1/approve", "{}", viewer);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(post("admin/v1/rollouts/r1/promote", "{}", viewer).statusCode()).isEqualTo(403);

    // Before the bake time is over the gate is INCONCLUSIVE: promote is 409 naming the verdict, and changes nothing.
    HttpResponse<String> early = post("admin/v1/rollouts/r1/promote", "{\"reason\":\"eager\"}", alice);
    assertThat(early.statusCode()).as(early.body()).isEqualTo(409);
    assertThat(json(early).get("field").asText()).isEqualTo("verdict");
    assertThat(json(early).get("message").asText()).contains("ring 'canary' has not passed its gate")
        .contains("INCONCLUSIVE").contains("skip-gate");
    JsonNode waiting = admin.rollout("r1");
    assertThat(waiting.get("approval").get("required").asBoolean()).isTrue();
    assertThat(waiting.get("approval").get("awaiting").asBoolean()).isFalse();

    // After the bake time the ring passes and awaits a person, since the tick that found it so.
    clock.advance(Duration.ofMinutes(11));
    await().atMost(Duration.ofSeconds(20)).until(() -> admin.rollout("r1").get("approval").get("awaiting")
        .asBoolean());
    JsonNode awaiting = admin.rollout("r1");
    assertThat(awaiting.get("ringName").asText()).isEqualTo("canary");
    assertThat(awaiting.get("approval").get("awaitingSince").asText()).isEqualTo(clock.instant().toString());
    String page = http.send(HttpRequest.newBuilder(server.uri().resolve("status")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(page).contains("Awaits approval").contains(clock.instant().toString())
        .contains("data-action=\"approve\"");

    // A blank reason is 400 naming the field; then oncall-alice approves, and the next ring opens.
    HttpResponse<String> blank = post("admin/v1/rollouts/r1/approve", "{\"reason\":\" \"}", alice);
    assertThat(blank.statusCode()).isEqualTo(400);
    assertThat(json(blank).get("field").asText()).isEqualTo("reason");
    HttpResponse<String> approved = post("admin/v1/rollouts/r1/approve", "{\"reason\":\"lab looks clean\"}", alice);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).get("approval").get("approval").asText())
        .startsWith("approved by oncall-alice: lab looks clean");
    await().atMost(Duration.ofSeconds(20)).until(() -> admin.rollout("r1").get("ringName").asText().equals("middle"));

    // The middle ring needs no approval: 409 naming the ring and the state.
    HttpResponse<String> nothing = post("admin/v1/rollouts/r1/approve", "", alice);
    assertThat(nothing.statusCode()).isEqualTo(409);
    assertThat(json(nothing).get("field").asText()).isEqualTo("ring");
    assertThat(json(nothing).get("message").asText()).contains("nothing to approve").contains("RUNNING")
        .contains("ring 'middle'");

    // Skipping the gate needs a written reason; with one, the next ring opens at once and the verdict is journaled.
    HttpResponse<String> noReason = post("admin/v1/rollouts/r1/promote", "{\"skipGate\":true}", alice);
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(json(noReason).get("field").asText()).isEqualTo("reason");
    await().atMost(Duration.ofSeconds(20)).until(() -> "middle".equals(admin.rollout("r1").path("ringName").asText())
        && admin.rollout("r1").get("currentVerdict").isObject()
        && admin.rollout("r1").get("currentVerdict").get("reason").asText().contains("waiting"));
    HttpResponse<String> skipped = post("admin/v1/rollouts/r1/promote",
        "{\"skipGate\":true,\"reason\":\"an hour of bake time is not needed for a typo fix\"}", alice);
    assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
    assertThat(json(skipped).get("ringName").asText()).isEqualTo("everyone");
    JsonNode skip = transitions().get(transitions().size() - 1);
    assertThat(skip.get("trigger").asText()).isEqualTo("SKIP_GATE");
    assertThat(skip.get("cause").asText()).startsWith("gate skipped by oncall-alice: an hour of bake time")
        .contains("skipped verdict INCONCLUSIVE");
    assertThat(skip.get("verdict").get("evidence").get("bakeSeconds").asDouble()).isEqualTo(3600.0);

    // The last ring has no next ring: 409.
    HttpResponse<String> last = post("admin/v1/rollouts/r1/promote", "{}", alice);
    assertThat(last.statusCode()).isEqualTo(409);
    assertThat(json(last).get("message").asText()).contains("ring 'everyone' is the last ring");

    // The audit trail names the tokens, from creation on.
    HttpResponse<String> audit = http.send(HttpRequest.newBuilder(server.uri().resolve("admin/v1/audit"))
        .header("Authorization", "Bearer " + viewer).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(audit.headers().firstValue("Ringfence-Audit-Verified")).hasValue("true");
    assertThat(audit.body()).contains("\"actor\":\"" + bootstrapName + "\"")
        .contains("approved by oncall-alice: lab looks clean").contains("gate skipped by oncall-alice")
        .contains("\"trigger\":\"AWAIT_APPROVAL\"");
  }
}
