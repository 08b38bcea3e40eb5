package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.protocol.UpdateProtocol;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the status page in headless Chromium (Debian package {@code chromium}) after a real halt driven by
 * signed crash reports, checks the rendered DOM and takes a screenshot. Skipped when Chromium is absent.
 * {@code -Dringfence.statusScreenshot=docs/status-page.png} keeps the screenshot.
 */
class StatusPageBrowserTest {

  @TempDir Path dir;
  private UpdateServer server;
  @RegisterExtension final TestServers servers = new TestServers();
  private final HttpClient http = servers.http;

  static Optional<Path> chromium() {
    return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
        .map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /** @return where Chromium is; the test is skipped when it is not installed */
  private static Path chromiumOrSkip() {
    Optional<Path> browser = chromium();
    assumeTrue(browser.isPresent(), "Chromium is not installed (Debian: apt-get install chromium)");
    return browser.get();
  }

  /** Starts the server with rules v1 in general release and v2 published for rollouts; @return its admin client */
  private AdminClient serverWithRulesV1AndV2() throws Exception {
    server = servers.start(UpdateServerConfig.custom(dir.resolve("server")), servers.signer);
    AdminClient admin = servers.admin(server);
    TestServers.publishVersions(admin, servers.signer, "rules", 2);
    return admin;
  }

  private int envelope(EndpointCredentials c, long current) throws Exception {
    return http.send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/rules/envelope"))
        .header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, Long.toString(current)).GET().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private void signal(EndpointCredentials c, String json) throws Exception {
    byte[] body = ("[" + json + "]").getBytes(StandardCharsets.UTF_8);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String n = HexFormat.of().formatHex(nonce);
    long now = System.currentTimeMillis();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/rules/signals"))
        .header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .header(UpdateProtocol.TIMESTAMP_HEADER, Long.toString(now)).header(UpdateProtocol.NONCE_HEADER, n)
        .header(UpdateProtocol.SIGNATURE_HEADER, c.sign(now, n, body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void statusPage_inHeadlessChromium_showsTheHaltedRolloutWithItsReason() throws Exception {
    Path browser = chromiumOrSkip();
    AdminClient admin = serverWithRulesV1AndV2();
    EndpointCredentials lab1 = admin.enroll("lab-1", "lab", "eu-west");
    EndpointCredentials lab2 = admin.enroll("lab-2", "lab", "us-east");
    for (int i = 1; i <= 4; i++) {
      admin.enroll("host-0" + i, "standard", "eu-west");
    }
    admin.createRollout("channel-file-291", "rules", 1, 2, AdminClient.labThenEveryonePlan(2));
    admin.command("channel-file-291", "start", null);

    assertThat(envelope(lab1, 1)).isEqualTo(200);
    assertThat(envelope(lab2, 1)).isEqualTo(200);
    signal(lab1, "{\"type\":\"applyResult\",\"endpointId\":\"lab-1\",\"bootId\":1,\"sequence\":0,\"version\":2,"
        + "\"outcome\":\"ACTIVATED\",\"reason\":\"\"}");
    signal(lab2, "{\"type\":\"applyResult\",\"endpointId\":\"lab-2\",\"bootId\":1,\"sequence\":0,\"version\":2,"
        + "\"outcome\":\"ACTIVATED\",\"reason\":\"\"}");
    signal(lab1, "{\"type\":\"heartbeat\",\"endpointId\":\"lab-1\",\"bootId\":3,\"sequence\":0,\"version\":2,"
        + "\"failedStarts\":1}");
    // An activation proves nothing (content can crash its host on load): lab-2's heartbeat on v2 does.
    signal(lab2, "{\"type\":\"heartbeat\",\"endpointId\":\"lab-2\",\"bootId\":1,\"sequence\":1,\"version\":2,"
        + "\"failedStarts\":0}");
    await().atMost(Duration.ofSeconds(30)).until(() -> admin.rollout("channel-file-291").get("state").asText()
        .equals("ROLLING_BACK"));
    assertThat(envelope(lab1, 1)).isEqualTo(204);
    assertThat(envelope(lab2, 1)).isEqualTo(204);
    await().atMost(Duration.ofSeconds(30)).until(() -> admin.rollout("channel-file-291").get("state").asText()
        .equals("ROLLED_BACK"));

    Path png = dir.resolve("status-page.png");
    String dom = runChromium(browser, "--dump-dom", server.uri().resolve("status").toString());
    assertThat(dom).contains("channel-file-291").contains("ROLLED BACK").contains("Halted.")
        .contains("failed its gate").contains("<svg").contains("canary");
    int backLine = dom.indexOf("class=\"reverted\"");
    assertThat(backLine).as("the line of those back on baseline").isPositive();
    assertThat(dom.indexOf("class=\"exposed\"")).as("the exposed line is drawn over it").isGreaterThan(backLine);
    runChromium(browser, "--screenshot=" + png, server.uri().resolve("status").toString());
    byte[] image = Files.readAllBytes(png);
    assertThat(image.length).isGreaterThan(10_000);
    assertThat(image).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    String keep = System.getProperty("ringfence.statusScreenshot");
    if (keep != null) {
      Files.copy(png, Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * While stop-all is in force the page, as Chromium renders it, carries the banner with who switched it on and
   * why, the Lift button, and the paused rollout; the Stop all button is always in the header.
   */
  @Test
  void statusPage_inHeadlessChromium_showsTheStopAllBanner() throws Exception {
    Path browser = chromiumOrSkip();
    AdminClient admin = serverWithRulesV1AndV2();
    admin.createRollout("r-live", "rules", 1, 2, AdminClient.labThenEveryonePlan(2));
    admin.command("r-live", "start", null);
    String before = runChromium(browser, "--dump-dom", server.uri().resolve("status").toString());
    assertThat(before).contains("id=\"stop-all\"").doesNotContain("Stop-all in force");

    new AdminClient(server.uri(), admin.createToken("incident-commander", "operator").get("token").asText(), http)
        .stopAll("INC-9: <b>crashes</b> on three channels");
    String dom = runChromium(browser, "--dump-dom", server.uri().resolve("status").toString());
    assertThat(dom).contains("Stop-all in force").contains("incident-commander")
        .contains("INC-9: &lt;b&gt;crashes&lt;/b&gt; on three channels").contains("id=\"lift-stop-all\"")
        .contains("PAUSED");
  }

  private String runChromium(Path browser, String mode, String url) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium-");
    Path output = dir.resolve("chromium-" + System.nanoTime() + ".out");
    Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--window-size=1200,900",
        "--user-data-dir=" + profile, mode, url)
        .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 90 s");
    }
    return Files.readString(output);
  }
}
