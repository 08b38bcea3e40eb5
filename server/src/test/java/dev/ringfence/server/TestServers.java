package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.UpdateProtocol;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The update servers of one HTTP test: each on 127.0.0.1 at a port of its own, all closed after the test (a test
 * that restarts one starts another). Register as a {@code @RegisterExtension} field.
 */
final class TestServers implements AfterEachCallback {

  /** One ring of the lab tier judged by the health gate: a single accepted crash report would halt the rollout. */
  static final String LAB_FIRST_PLAN = """
      {"schemaVersion":1,"name":"lab-first","rollbackTimeout":"PT1M",
       "rings":[
         {"name":"canary","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":2,
          "bakeTime":"PT10M","minSample":1,"gate":{"type":"health","params":{"catastropheMinReports":1,"minCandidateReports":1}}},
         {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"time-and-sample"}}],
       "overrides":[
         {"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"canary is the lab tier, capped at 2 endpoints"},
         {"rule":"SHARE_DOES_NOT_GROW","ring":"everyone","reason":"the lab ring is chosen by tier, not by share"}]}
      """;

  /** The client the tests and their admin clients send with. */
  final HttpClient http = HttpClient.newHttpClient();
  /** A release signer with one key, {@code release-1}, for the servers that trust it. */
  final ReleaseSigner signer = releaseSigner();
  private final List<UpdateServer> started = new ArrayList<>();

  private static ReleaseSigner releaseSigner() {
    try {
      return new ReleaseSigner(List.of("release-1"), 1);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no Ed25519 on this JVM", e);
    }
  }

  /** @return a started server with {@code config} on an ephemeral port */
  UpdateServer start(UpdateServerConfig.Builder config) throws IOException {
    UpdateServer server = UpdateServer.start(config.port(0).build());
    started.add(server);
    return server;
  }

  /** @return a started server with {@code config}, ticking every 100 ms and trusting {@code signer}'s release keys */
  UpdateServer start(UpdateServerConfig.Builder config, ReleaseSigner signer) throws IOException {
    return start(config.tickInterval(Duration.ofMillis(100)).releaseKeys(signer.trustStore()));
  }

  /** @return a client of {@code server}'s admin API with its bootstrap admin token */
  AdminClient admin(UpdateServer server) throws IOException {
    return new AdminClient(server.uri(), server.adminTokenFile(), http);
  }

  /**
   * @param prefix the start of the sample lines, e.g. {@code ringfence_server_signals_total{result="accepted"}
   * @return the sum of the server's samples whose line starts so, from a scrape of {@code /metrics}
   */
  static double meter(HttpClient http, UpdateServer server, String prefix) throws Exception {
    String scrape = http.send(HttpRequest.newBuilder(server.uri().resolve("metrics")).GET()
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return scrape.lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /**
   * Asserts the server's signal counters: batches refused, by reason, and signals handled, by result ({@code
   * accepted}, {@code duplicate}).
   */
  static void assertSignalCounts(HttpClient http, UpdateServer server, Map<String, Integer> refusedByReason,
      Map<String, Integer> byResult) throws Exception {
    for (Map.Entry<String, Integer> e : refusedByReason.entrySet()) {
      assertThat(meter(http, server, "ringfence_server_signals_refused_total{reason=\"" + e.getKey() + "\""))
          .as("refused: " + e.getKey()).isEqualTo(e.getValue().doubleValue());
    }
    for (Map.Entry<String, Integer> e : byResult.entrySet()) {
      assertThat(meter(http, server, "ringfence_server_signals_total{result=\"" + e.getKey() + "\""))
          .as("result: " + e.getKey()).isEqualTo(e.getValue().doubleValue());
    }
  }

  /**
   * Publishes versions 1 to {@code last} of {@code channel}, each signed by {@code signer} for an hour, its content
   * "CHANNEL vN\n"; version 1 in general release, the others for rollouts only.
   */
  static void publishVersions(AdminClient admin, ReleaseSigner signer, String channel, long last) throws Exception {
    for (long v = 1; v <= last; v++) {
      byte[] content = (channel + " v" + v + "\n").getBytes(StandardCharsets.UTF_8);
      admin.publish(signer.sign(channel, v, content, Instant.now().plusSeconds(3600)), content, v == 1);
    }
  }

  /**
   * Sends a batch of signals as an endpoint does: signed with its HMAC key over the timestamp, a fresh nonce and the
   * body, to {@code server}'s signal route of {@code channel}; the answer must be 200.
   *
   * @param nonces where the nonce's 16 bytes come from (seeded by the test)
   * @param nowMillis the timestamp to sign, from the server's clock
   * @return the answer's body
   */
  static String sendSignals(HttpClient http, UpdateServer server, String channel, EndpointCredentials c, String body,
      long nowMillis, SplittableRandom nonces) throws Exception {
    byte[] bytes = new byte[16];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) nonces.nextInt(256);
    }
    String nonce = HexFormat.of().formatHex(bytes);
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/" + channel
        + "/signals")).header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .header(UpdateProtocol.TIMESTAMP_HEADER, Long.toString(nowMillis)).header(UpdateProtocol.NONCE_HEADER, nonce)
        .header(UpdateProtocol.SIGNATURE_HEADER, c.sign(nowMillis, nonce, body.getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  /** @return a new database on the test PostgreSQL; the test is skipped when there is none */
  static PostgresServer.Database postgresOrSkip(String name) {
    try {
      return PostgresServer.newDatabase(name);
    } catch (IllegalStateException e) {
      assumeTrue(false, "no PostgreSQL for this test: " + e.getMessage());
      throw e;
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    started.forEach(UpdateServer::close);
  }
}
