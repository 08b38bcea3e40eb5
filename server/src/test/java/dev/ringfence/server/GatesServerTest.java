package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update server registers the {@code prometheus} and {@code webhook} gates: a plan may name it, and a Prometheus the server
 * cannot reach pauses the rollout after the error limit (it never halts it, and the tick never waits).
 */
class GatesServerTest {

  @TempDir Path dir;
  private UpdateServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String plan(String gate) {
    return """
        {"schemaVersion":1,"name":"gated","rollbackTimeout":"PT2M",
         "rings":[
           {"name":"canary","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":1,
            "bakeTime":"PT10M","minSample":1,"gate":%s},
           {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"health"}}],
         "overrides":[
           {"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"the canary ring is the lab tier, capped at 1"},
           {"rule":"SHARE_DOES_NOT_GROW","ring":"everyone","reason":"the canary ring is chosen by tier"}]}
        """.formatted(gate);
  }

  @Test
  void prometheusGate_isRegistered_andAnUnreachablePrometheusPausesTheRollout() throws Exception {
    AdminClient admin = serverWithTwoReleases();
    int closedPort = closedPort();
    String gate = "{\"type\":\"prometheus\",\"params\":{\"url\":\"http://127.0.0.1:" + closedPort + "\","
        + "\"query\":\"sum(rate(errors_total{version=\\\"{{candidate}}\\\"}[5m]))\",\"failIf\":\"> 0.02\","
        + "\"passIf\":\"< 0.01\",\"consecutiveErrorLimit\":1}}";

    assertThatThrownBy(() -> admin.createRollout("r0", "rules", 1, 2, plan("{\"type\":\"nosuch\"}")))
        .hasMessageContaining("HTTP 400").hasMessageContaining("not registered");
    admin.createRollout("r1", "rules", 1, 2, plan(gate));
    admin.command("r1", "start", null);

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      server.tickNow(); // the query runs on the gate's own threads; each tick takes the answer that finished
      assertThat(admin.rollout("r1").get("state").asText()).isEqualTo("PAUSED");
    });
    assertThat(admin.call("GET", "admin/v1/rollouts/r1/journal", null).toString()).contains("prometheus");
  }

  /**
   * The webhook gate is registered too: its secret file lives in the data folder's webhook-secrets, and one that
   * is missing is a failed measurement (then a pause), never a rollout that cannot be created.
   */
  @Test
  void webhookGate_isRegistered_andAMissingSecretPausesTheRollout() throws Exception {
    AdminClient admin = serverWithTwoReleases();
    String webhook = "{\"type\":\"webhook\",\"params\":{\"url\":\"http://127.0.0.1:" + closedPort() + "/check\","
        + "\"secret\":{\"file\":\"checks\"},\"consecutiveErrorLimit\":1,\"retries\":0}}";

    admin.createRollout("r1", "rules", 1, 2, plan(webhook));
    admin.command("r1", "start", null);

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      server.tickNow();
      assertThat(admin.rollout("r1").get("state").asText()).isEqualTo("PAUSED");
    });
  }

  private AdminClient serverWithTwoReleases() throws Exception {
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1"), 1);
    server = UpdateServer.start(UpdateServerConfig.custom(dir).port(0).tickInterval(Duration.ofHours(1))
        .releaseKeys(signer.trustStore()).build());
    AdminClient admin = new AdminClient(server.uri(), server.adminTokenFile(), HttpClient.newHttpClient());
    admin.enroll("lab-1", "lab", "eu");
    for (long v = 1; v <= 2; v++) {
      byte[] content = ("rule v" + v + "\n").getBytes(StandardCharsets.UTF_8);
      admin.publish(signer.sign("rules", v, content, Instant.now().plusSeconds(3600)), content, v == 1);
    }
    return admin;
  }

  private static int closedPort() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort(); // closed again when this block ends: connections are refused
    }
  }
}
