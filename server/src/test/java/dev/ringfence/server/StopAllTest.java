package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.core.RolloutState;
import dev.ringfence.testing.ManualClock;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop-all over real HTTP on 127.0.0.1, file mode: every running rollout on every channel paused in the caller's
 * name, new rollouts refused (create, start, resume) with the stop's actor, reason and time until an admin lifts
 * it, the switch kept across a restart, shown on the status page, and role-checked.
 */
class StopAllTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-12-02T08:00:00Z");

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(START);
  @RegisterExtension final TestServers servers = new TestServers();
  private UpdateServer server;
  private AdminClient admin;
  private AdminClient oncall;
  private AdminClient viewer;

  @BeforeEach
  void start() throws Exception {
    boot();
    oncall = new AdminClient(server.uri(), admin.createToken("oncall-alice", "operator").get("token").asText(),
        servers.http);
    viewer = new AdminClient(server.uri(), admin.createToken("dashboard", "viewer").get("token").asText(),
        servers.http);
  }

  private void boot() throws Exception {
    server = servers.start(UpdateServerConfig.custom(dir.resolve("data")).clock(clock), servers.signer);
    admin = servers.admin(server);
  }

  private void publish(String channel, long version, boolean general) throws Exception {
    byte[] content = (channel + " v" + version + "\n").getBytes(StandardCharsets.UTF_8);
    admin.publish(servers.signer.sign(channel, version, content, START.plus(Duration.ofDays(1))), content, general);
  }

  /** A channel with v1 general and v2 published, and a rollout of v2 created (and started if asked). */
  private void rollout(String id, String channel, boolean start) throws Exception {
    publish(channel, 1, true);
    publish(channel, 2, false);
    admin.createRollout(id, channel, 1, 2, AdminClient.labThenEveryonePlan(1));
    if (start) {
      admin.command(id, "start", null);
    }
  }

  private List<String> causes(String id) throws Exception {
    List<String> causes = new ArrayList<>();
    admin.rollout(id).get("transitions").forEach(t -> causes.add(t.get("cause").asText()));
    return causes;
  }

  private String gauge() throws Exception {
    return servers.http.send(HttpRequest.newBuilder(server.uri().resolve("metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body().lines().filter(l -> l.startsWith("ringfence_server_stop_all "))
        .map(l -> l.substring(l.indexOf(' ') + 1)).findFirst().orElse("absent");
  }

  private String statusPage() throws Exception {
    return servers.http.send(HttpRequest.newBuilder(server.uri().resolve("status")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * Two channels with a running rollout each, a third channel's rollout only planned: an operator's stop-all
   * pauses both running ones (the journal says who and why), leaves the planned one, and from then on creating,
   * starting and resuming are 409 naming the stop; the status page shows the banner; an operator cannot lift it,
   * an admin can, and the paused rollouts stay paused until resumed one by one.
   */
  @Test
  void stopAll_pausesEveryRunningRolloutOnEveryChannel_andRefusesNewOnesUntilAnAdminLiftsIt() throws Exception {
    rollout("r-rules", "rules", true);
    rollout("r-sensors", "sensors", true);
    rollout("r-planned", "drivers", false);
    publish("rules", 3, false);
    clock.advance(Duration.ofMinutes(5));

    assertThat(gauge()).isEqualTo("0.0");
    JsonNode stopped = oncall.stopAll("bad push suspected, all hands");
    assertThat(gauge()).isEqualTo("1.0");
    assertThat(stopped.get("inForce").asBoolean()).isTrue();
    assertThat(stopped.get("alreadyInForce").asBoolean()).isFalse();
    assertThat(stopped.get("stop").get("actor").asText()).isEqualTo("oncall-alice");
    assertThat(stopped.get("stop").get("at").asText()).isEqualTo("2026-12-02T08:05:00Z");
    assertThat(stopped.get("paused").toString()).isEqualTo("[\"r-rules\",\"r-sensors\"]");
    for (String id : List.of("r-rules", "r-sensors")) {
      assertThat(admin.rollout(id).get("state").asText()).isEqualTo("PAUSED");
      assertThat(causes(id)).contains("paused by oncall-alice: stop-all: bad push suspected, all hands");
    }
    assertThat(admin.rollout("r-planned").get("state").asText()).isEqualTo("PLANNED");

    String named = "stop-all is in force since 2026-12-02T08:05:00Z, switched on by 'oncall-alice': bad push"
        + " suspected, all hands";
    assertThatThrownBy(() -> admin.createRollout("r-new", "rules", 1, 3, AdminClient.labThenEveryonePlan(1)))
        .hasMessageContaining("409").hasMessageContaining(named).hasMessageContaining("be created");
    assertThatThrownBy(() -> admin.command("r-planned", "start", null)).hasMessageContaining("409")
        .hasMessageContaining(named);
    assertThatThrownBy(() -> oncall.command("r-rules", "resume", "looks fine")).hasMessageContaining("409")
        .hasMessageContaining(named);
    assertThat(oncall.command("r-sensors", "halt", "halting is still allowed").get("state").asText())
        .isIn("HALTED", "ROLLING_BACK", "ROLLED_BACK");

    JsonNode again = oncall.stopAll("second press");
    assertThat(again.get("alreadyInForce").asBoolean()).isTrue();
    assertThat(again.get("stop").get("reason").asText()).as("the first stop stands")
        .isEqualTo("bad push suspected, all hands");

    String page = statusPage();
    assertThat(page).contains("Stop-all in force").contains("oncall-alice").contains("bad push suspected, all hands")
        .contains("id=\"lift-stop-all\"");
    JsonNode state = viewer.call("GET", "admin/v1/stop-all", null);
    assertThat(state.get("inForce").asBoolean()).isTrue();

    assertThatThrownBy(() -> viewer.stopAll("a viewer tries")).hasMessageContaining("403")
        .hasMessageContaining("needs role operator");
    assertThatThrownBy(() -> oncall.liftStopAll("all clear")).hasMessageContaining("403")
        .hasMessageContaining("needs role admin");
    HttpResponse<String> noReason = servers.http.send(
        HttpRequest.newBuilder(server.uri().resolve("admin/v1/stop-all/lift"))
        .header("Authorization", "Bearer " + java.nio.file.Files.readString(server.adminTokenFile()).trim())
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noReason.body()).get("field").asText()).isEqualTo("reason");

    clock.advance(Duration.ofMinutes(30));
    JsonNode lifted = admin.liftStopAll("root cause found, not ours");
    assertThat(lifted.get("inForce").asBoolean()).isFalse();
    assertThat(lifted.get("lifted").get("actor").asText()).isEqualTo("oncall-alice");
    assertThat(lifted.get("lift").get("at").asText()).isEqualTo("2026-12-02T08:35:00Z");
    assertThat(gauge()).isEqualTo("0.0");
    assertThatThrownBy(() -> admin.liftStopAll("again")).hasMessageContaining("409")
        .hasMessageContaining("not in force");
    assertThat(statusPage()).doesNotContain("Stop-all in force");
    assertThat(admin.rollout("r-rules").get("state").asText()).as("stays paused").isEqualTo("PAUSED");
    assertThat(oncall.command("r-rules", "resume", "resuming after the incident").get("state").asText())
        .isEqualTo("RUNNING");
    assertThat(admin.command("r-planned", "start", null).get("state").asText()).isEqualTo("RUNNING");
    JsonNode history = viewer.call("GET", "admin/v1/stop-all", null).get("history");
    assertThat(history).hasSize(2);
    assertThat(history.get(1).get("action").asText()).isEqualTo("lift");
  }

  /**
   * The switch is kept in the data folder: after a restart it still refuses a new rollout, and a rollout that runs
   * anyway (started through the engine, not the API) is paused by the next tick in the stop's name.
   */
  @Test
  void stopAll_survivesARestart_andEveryTickPausesARolloutFoundRunning() throws Exception {
    rollout("r1", "rules", false);
    oncall.stopAll("incident 4711");
    server.close();
    boot();

    assertThatThrownBy(() -> admin.command("r1", "start", null)).hasMessageContaining("409")
        .hasMessageContaining("incident 4711");
    server.engine().rollout("r1").by("embedded-code").start(); // around the API, as an embedding program could
    assertThat(server.engine().rollout("r1").state()).isEqualTo(RolloutState.RUNNING);
    server.tickNow();
    assertThat(server.engine().rollout("r1").state()).isEqualTo(RolloutState.PAUSED);
    assertThat(causes("r1")).contains("paused by oncall-alice: stop-all: incident 4711");
  }
}
