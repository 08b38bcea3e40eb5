package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the admin API's JSON bodies over real HTTP (docs/fuzzing.md): one update server on 127.0.0.1 for the
 * whole class, with a published baseline and candidate and a rollout {@code r1}; each input is one POST with the
 * valid admin token. The input's first byte picks the route (enroll, publish, create rollout, or a command on
 * {@code r1}: start, pause, resume, halt, abort), the rest is the body. Every answer must be 2xx or 4xx with a
 * JSON body, never 5xx, and the server must keep answering (and report itself healthy every 64 posts).
 * Corpus: {@code AdminApiFuzzTestInputs/}.
 */
class AdminApiFuzzTest {

  private static final String CHANNEL = "rules";
  private static final List<String> ROUTES = List.of("admin/v1/endpoints", "admin/v1/channels/" + CHANNEL + "/releases",
      "admin/v1/rollouts", "admin/v1/rollouts/r1/start", "admin/v1/rollouts/r1/pause", "admin/v1/rollouts/r1/resume",
      "admin/v1/rollouts/r1/halt", "admin/v1/rollouts/r1/abort");
  private static final String PLAN = """
      {"schemaVersion":1,"name":"fuzz","rings":[
        {"name":"canary","share":100,"cap":5,"bakeTime":"PT10M","minSample":1,
         "gate":{"type":"health","params":{"minCandidateReports":1}}},
        {"name":"everyone","share":1000,"bakeTime":"PT0S","gate":{"type":"time-and-sample"}}]}
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path dir;
  private static UpdateServer server;
  private static HttpClient http;
  private static String token;
  private static long posts;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("ringfence-admin-fuzz");
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1"), 1);
    server = UpdateServer.start(UpdateServerConfig.custom(dir).port(0).maxJsonBytes(16 * 1024)
        .tickInterval(Duration.ofMillis(200)).releaseKeys(signer.trustStore()).build());
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    token = Files.readString(server.adminTokenFile()).trim();
    // Jazzer's hooks are off outside the fuzz test method, so this setup needs no network allowance.
    AdminClient admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
    for (long version = 1; version <= 2; version++) {
      byte[] content = ("rule v" + version + "\n").getBytes(StandardCharsets.UTF_8);
      admin.publish(signer.sign(CHANNEL, version, content, Instant.now().plus(Duration.ofDays(30))), content,
          version == 1);
    }
    admin.createRollout("r1", CHANNEL, 1, 2, PLAN);
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @FuzzTest
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void post(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    String route = ROUTES.get(Math.floorMod(input[0], ROUTES.size()));
    byte[] body = Arrays.copyOfRange(input, 1, input.length);
    HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri().resolve(route))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    assertThat(response.statusCode()).as("POST /%s answered %s", route, response.body()).isBetween(200, 499);
    JsonNode answer = JSON.readTree(response.body());
    if (response.statusCode() >= 400) {
      assertThat(answer.path("message").asText()).as("error message of POST /%s", route).isNotBlank();
    }
    if (++posts % 64 == 0) {
      assertThat(send(HttpRequest.newBuilder(server.uri().resolve("healthz")).GET()).statusCode())
          .as("the server still reports itself healthy").isEqualTo(200);
    }
  }

  @SuppressWarnings("try") // the allowance is the resource
  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    try (SilentCloseable unused = loopbackOnly()) {
      return http.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  /** Jazzer reports any network connection as a finding (SSRF) unless allowed: only this server's port is. */
  private static SilentCloseable loopbackOnly() {
    int port = server.port();
    return BugDetectors.allowNetworkConnections((host, p) -> p == port
        && (host.equals("127.0.0.1") || host.equals("localhost")));
  }
}
