package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ringfence.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests that try to forge log lines or to pass a credential that is not exactly the token. */
class UpdateServerHardeningTest {

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private UpdateServer server;

  @BeforeEach
  void start() throws Exception {
    server = UpdateServer.start(UpdateServerConfig.custom(dir.resolve("data")).port(0)
        .clock(new ManualClock(Instant.parse("2026-11-23T12:00:00Z"))).tickInterval(Duration.ofMillis(100)).build());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void adminCallWithoutToken_pathWithLineBreaks_isLoggedOnOneLine() throws Exception {
    URI forged = server.uri().resolve(
        "admin/v1/rollouts/r1%0a%5Bringfence-tick%5D%20WARN%20rollout%20r1%20HALTED%20by%20ops%0a/halt");
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(forged).POST(HttpRequest.BodyPublishers.noBody())
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } finally {
      System.setErr(original);
    }

    assertThat(response.statusCode()).isEqualTo(401);
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("refused admin call POST /admin/v1/rollouts/r1\\n[ringfence-tick] WARN rollout r1"
        + " HALTED by ops\\n/halt");
    assertThat(log.lines()).noneMatch(line -> line.startsWith("[ringfence-tick]"));
  }

  @Test
  void adminToken_exactlyAsIssued_isAccepted_withControlCharactersAroundIt_isRefused() throws Exception {
    String token = Files.readString(server.adminTokenFile()).trim();

    assertThat(statusOf("Bearer " + token)).isEqualTo(200);
    // The token compare trimmed what followed "Bearer ", so these were accepted.
    // Control characters inside a header value: refused, by the HTTP parser (400) or the token check (401).
    assertThat(statusOf("Bearer \u0000" + token)).isIn(400, 401);
    assertThat(statusOf("Bearer \u0001" + token)).isIn(400, 401);
    assertThat(statusOf("Bearer  " + token)).isEqualTo(401);
    // A NUL at the very end: the JDK's HTTP server trimmed it away and accepted the token; Jetty's parser
    // keeps header bytes as sent and refuses it.
    assertThat(statusOf("Bearer " + token + "\u0000")).isIn(400, 401);
  }

  @Test
  void statusAndMetrics_onLoopback_answerOnlyLoopbackHostNames() throws Exception {
    int port = server.uri().getPort();
    for (String path : new String[] {"/status", "/metrics", "/healthz"}) {
      assertThat(status(path, "127.0.0.1:" + port, null)).as(path).isEqualTo(200);
      assertThat(status(path, "localhost:" + port, null)).as(path).isEqualTo(200);
      assertThat(status(path, "LOCALHOST", null)).as(path).isEqualTo(200);
      // A DNS-rebinding page: the attacker's name, pointed at 127.0.0.1.
      assertThat(status(path, "attacker.example:" + port, null)).as(path).isEqualTo(421);
      assertThat(status(path, "attacker.example", null)).as(path).isEqualTo(421);
      assertThat(status(path, "127.0.0.1.attacker.example:" + port, null)).as(path).isEqualTo(421);
      assertThat(status(path, "127.0.0.1:" + (port + 1), null)).as(path).isEqualTo(421);
    }
  }

  @Test
  void hostCheck_namesAndPorts() {
    HostCheck loopback = HostCheck.forBinding(true, 8080);
    assertThat(loopback.test("127.0.0.1:8080")).isTrue();
    assertThat(loopback.test("[::1]:8080")).isTrue();
    assertThat(loopback.test("[::1]")).isTrue();
    assertThat(loopback.test(null)).as("HTTP/1.0 without Host: not a browser").isTrue();
    assertThat(loopback.test("[::1]:80")).isFalse();
    assertThat(loopback.test("localhost.:8080")).isFalse();
    assertThat(loopback.test("evil")).isFalse();
    assertThat(HostCheck.forBinding(false, 8080).test("updates.example.com")).isTrue();
  }

  @Test
  void adminTokenFile_inAFolderEveryoneMayWrite_stopsTheStart_unlessTheStickyBitIsSet() throws Exception {
    server.close();
    Path data = dir.resolve("data");
    chmod("777", data);

    assertThatThrownBy(() -> UpdateServer.start(UpdateServerConfig.custom(data).port(0).build()))
        .isInstanceOf(IOException.class).hasMessageContaining("admin token file")
        .hasMessageContaining("every user may write to (rwxrwxrwx)").hasMessageContaining("chmod o-w");

    chmod("1777", data); // like /tmp: others may create files, not replace this one
    server = UpdateServer.start(UpdateServerConfig.custom(data).port(0).build());
    assertThat(status("/healthz", "127.0.0.1", null)).isEqualTo(200);
  }

  @Test
  void adminTokenFile_ownedByAnotherUser_stopsTheStart() throws Exception {
    assumeTrue(System.getProperty("user.name").equals("root"), "only root can give a file to another user");
    server.close();
    Path data = dir.resolve("data");
    Path token = data.resolve("admin.token");
    Files.setOwner(token, token.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

    assertThatThrownBy(() -> UpdateServer.start(UpdateServerConfig.custom(data).port(0).build()))
        .isInstanceOf(IOException.class).hasMessageContaining("is owned by nobody, not by root");
    server = null;
  }

  @Test
  void adminBody_textWithALoneSurrogate_isRefusedNamingTheField_andNothingIsStored() throws Exception {
    String token = Files.readString(server.adminTokenFile()).trim();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.uri().resolve("admin/v1/endpoints"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"endpointId\": \"host-\\ud800\", \"attributes\": {}}"))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    com.fasterxml.jackson.databind.JsonNode error = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(response.body());
    assertThat(error.path("field").asText()).isEqualTo("endpointId");
    assertThat(error.path("message").asText()).isEqualTo(
        "endpointId: has a lone surrogate \\ud800 at index 5; send valid Unicode");
    HttpResponse<String> endpoints = http.send(HttpRequest.newBuilder(server.uri().resolve("admin/v1/endpoints"))
        .header("Authorization", "Bearer " + token).GET().timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(endpoints.body()).doesNotContain("host-");
  }

  @Test
  void publish_withoutReleaseKeys_isRefused_andNothingIsStored() throws Exception {
    ReleaseSigner signer = new ReleaseSigner(java.util.List.of("release-1"), 1);
    byte[] content = "rule v1\n".getBytes(StandardCharsets.UTF_8);
    AdminClient admin = new AdminClient(server.uri(), server.adminTokenFile(), http);

    assertThatThrownBy(() -> admin.publish(signer.sign("rules", 1, content, Instant.now().plusSeconds(3600)), content,
        true)).hasMessageContaining("HTTP 409").hasMessageContaining("no release keys");
    assertThat(admin.call("GET", "admin/v1/channels", null).get("channels")).isEmpty();
  }

  @Test
  void publish_signedByUnknownKeysOrBelowThreshold_isRefusedNamingTheEnvelope_andNoVersionIsTaken()
      throws Exception {
    server.close();
    ReleaseSigner trusted = new ReleaseSigner(java.util.List.of("release-1", "release-2"), 2);
    server = UpdateServer.start(UpdateServerConfig.custom(dir.resolve("data")).port(0)
        .releaseKeys(trusted.trustStore()).build());
    AdminClient admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
    byte[] content = "rule v9\n".getBytes(StandardCharsets.UTF_8);
    Instant expires = Instant.now().plusSeconds(3600);

    ReleaseSigner stranger = new ReleaseSigner(java.util.List.of("release-1", "release-2"), 2);
    assertThatThrownBy(() -> admin.publish(stranger.sign("rules", 9, content, expires), content, true))
        .hasMessageContaining("HTTP 400").hasMessageContaining("envelope: ").hasMessageContaining("does not verify");
    ReleaseSigner half = new ReleaseSigner(java.util.List.of("release-1"), 1);
    assertThatThrownBy(() -> admin.publish(half.sign("rules", 9, content, expires), content, true))
        .hasMessageContaining("HTTP 400").hasMessageContaining("envelope: ");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    var body = json.createObjectNode().put("payloadBase64", java.util.Base64.getEncoder().encodeToString(content))
        .put("general", true);
    body.set("envelope", json.readTree(trusted.sign("other", 9, content, expires).toJson()));
    assertThatThrownBy(() -> admin.call("POST", "admin/v1/channels/rules/releases", body))
        .as("signed for another channel").hasMessageContaining("HTTP 400").hasMessageContaining("channel");

    // Nothing was taken: the first authentic release may have any version, v1 included.
    byte[] first = "rule v1\n".getBytes(StandardCharsets.UTF_8);
    assertThat(admin.publish(trusted.sign("rules", 1, first, expires), first, true).get("version").asLong())
        .isEqualTo(1);
  }

  private static void chmod(String mode, Path path) throws Exception {
    Process chmod = new ProcessBuilder("chmod", mode, path.toString()).inheritIO().start();
    assertThat(chmod.waitFor()).isZero();
  }

  private int statusOf(String authorization) throws Exception {
    return status("/admin/v1/channels", "127.0.0.1", authorization);
  }

  /** The status of a GET sent byte for byte, so any header value gets through. */
  private int status(String path, String host, String authorization) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(server.uri().getHost(), server.uri().getPort()), 5_000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
          + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String statusLine = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(statusLine.substring(9, 12));
    }
  }
}
