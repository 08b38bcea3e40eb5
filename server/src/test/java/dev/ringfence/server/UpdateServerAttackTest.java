package dev.ringfence.server;

import dev.ringfence.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.server.AdminClient;
import dev.ringfence.server.ReleaseSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The update server under attack, over real HTTP (and raw sockets where the attack is in the bytes) on
 * 127.0.0.1: every admin route without the token, forged and replayed and out-of-order health signals aimed at
 * a running rollout, a flood from one endpoint, stalled and trickled bodies, and path traversal. Each test
 * checks that the refusal is counted and that nothing changed.
 */
class UpdateServerAttackTest {

  private static final String CHANNEL = "rules";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
  /** One ring judged by the health gate: a single accepted crash report would halt the rollout. */
  private static final String PLAN = TestServers.LAB_FIRST_PLAN;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(START);
  @RegisterExtension final TestServers servers = new TestServers();
  private final HttpClient http = servers.http;
  private final AtomicLong nonces = new AtomicLong();
  private UpdateServer server;
  private AdminClient admin;

  private void start(UpdateServerConfig.Builder config) throws Exception {
    server = servers.start(config.clock(clock), servers.signer);
    admin = servers.admin(server);
  }

  private void start() throws Exception {
    start(UpdateServerConfig.custom(dir.resolve("data")));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.uri().resolve(path));
  }

  private String adminToken() throws IOException {
    return Files.readString(server.adminTokenFile()).trim();
  }

  private double meter(String prefix) throws Exception {
    return TestServers.meter(http, server, prefix);
  }

  private static byte[] content(long version) {
    return ("rule v" + version + "\n").repeat(20).getBytes(StandardCharsets.UTF_8);
  }

  private void publish(long version, boolean general) throws Exception {
    admin.publish(servers.signer.sign(CHANNEL, version, content(version), START.plus(Duration.ofDays(1))),
        content(version), general);
  }

  private String nonce() {
    return String.format("%032x", nonces.incrementAndGet());
  }

  /** A signal batch signed with {@code key} as {@code as}, stamped with the server's clock. */
  private HttpRequest.Builder signals(EndpointCredentials as, byte[] key, String body, long millis, String nonce) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return request("v1/channels/" + CHANNEL + "/signals").header(UpdateProtocol.ENDPOINT_HEADER, as.endpointId())
        .header("Authorization", as.authorization()).header(UpdateProtocol.TIMESTAMP_HEADER, Long.toString(millis))
        .header(UpdateProtocol.NONCE_HEADER, nonce)
        .header(UpdateProtocol.SIGNATURE_HEADER, EndpointCredentials.sign(key, as.endpointId(), millis, nonce, bytes))
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
  }

  private HttpRequest.Builder signals(EndpointCredentials as, String body) {
    return signals(as, as.hmacKey(), body, clock.millis(), nonce());
  }

  private static String heartbeat(String endpoint, long bootId, long sequence, long version, int failedStarts) {
    return "[{\"type\":\"heartbeat\",\"endpointId\":\"" + endpoint + "\",\"bootId\":" + bootId + ",\"sequence\":"
        + sequence + ",\"version\":" + version + ",\"failedStarts\":" + failedStarts + "}]";
  }

  private static String crash(String endpoint, long bootId, long sequence, long version) {
    return "[{\"type\":\"applyResult\",\"endpointId\":\"" + endpoint + "\",\"bootId\":" + bootId + ",\"sequence\":"
        + sequence + ",\"version\":" + version + ",\"outcome\":\"CRASHED\",\"reason\":\"forged crash\"}]";
  }

  // ---------------------------------------------------------------------------------------------------------
  // Admin routes without the token

  /** What an attacker could change or read through the admin API; compared before and after. */
  private Map<String, String> adminState() throws Exception {
    Map<String, String> state = new TreeMap<>();
    for (String path : List.of("admin/v1/endpoints", "admin/v1/channels", "admin/v1/channels/rules/releases",
        "admin/v1/rollouts/r1", "admin/v1/rollouts/r1/journal", "admin/v1/tokens", "admin/v1/stop-all",
        "admin/v1/channels/rules/deferrals")) {
      JsonNode node = admin.call("GET", path, null);
      if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
        object.remove("exposure"); // samples taken by the ticker as time passes
        object.remove("lastSeen");
      }
      // The admin's own token is used by these reads.
      state.put(path, node.toString().replaceAll("\"(lastSeen|lastUsedAt)\":(\"[^\"]*\"|null)", ""));
    }
    state.put("audit", send(request("admin/v1/audit").header("Authorization", "Bearer " + adminToken()).GET()).body());
    return state;
  }

  /**
   * Every admin route, with no token, a wrong token, an endpoint's token and the admin token's hash-like
   * lookalike: 401 naming {@code Authorization}, counted, and the admin state unchanged. The list of routes is
   * checked against the server's own router, so a new admin route without a case here fails this test.
   */
  @Test
  void adminRoutes_everyRouteWithoutTheToken_is401CountedAndChangesNothing() throws Exception {
    start();
    EndpointCredentials lab = admin.enroll("lab-1", "lab", "eu");
    publish(1, true);
    publish(2, false);
    admin.createRollout("r1", CHANNEL, 1, 2, PLAN);
    Map<String, String> before = adminState();

    Map<String, String> cases = new java.util.LinkedHashMap<>(); // route -> concrete request
    cases.put("POST /admin/v1/endpoints", "POST admin/v1/endpoints {\"endpointId\":\"intruder\"}");
    cases.put("GET /admin/v1/endpoints", "GET admin/v1/endpoints");
    cases.put("GET /admin/v1/channels", "GET admin/v1/channels");
    cases.put("POST /admin/v1/channels/{channel}/releases", "POST admin/v1/channels/rules/releases {\"envelope\":{},"
        + "\"payloadBase64\":\"\"}");
    cases.put("GET /admin/v1/channels/{channel}/releases", "GET admin/v1/channels/rules/releases");
    cases.put("GET /admin/v1/channels/{channel}/deferrals", "GET admin/v1/channels/rules/deferrals");
    cases.put("PUT /admin/v1/channels/{channel}/deferrals", "PUT admin/v1/channels/rules/deferrals {\"deferrals\":"
        + "[{\"match\":{\"tier\":\"lab\"},\"policy\":\"n-1\"}]}");
    cases.put("POST /admin/v1/rollouts", "POST admin/v1/rollouts {\"id\":\"r2\",\"channel\":\"rules\","
        + "\"baselineVersion\":1,\"candidateVersion\":2,\"plan\":" + PLAN.replace("\n", "") + "}");
    cases.put("GET /admin/v1/rollouts", "GET admin/v1/rollouts");
    cases.put("GET /admin/v1/rollouts/{id}", "GET admin/v1/rollouts/r1");
    cases.put("GET /admin/v1/rollouts/{id}/journal", "GET admin/v1/rollouts/r1/journal");
    for (String action : List.of("start", "pause", "resume", "halt", "abort")) {
      cases.put("POST /admin/v1/rollouts/{id}/" + action, "POST admin/v1/rollouts/r1/" + action + " {\"reason\":\"x\"}");
    }
    cases.put("POST /admin/v1/rollouts/{id}/approve", "POST admin/v1/rollouts/r1/approve {\"reason\":\"x\"}");
    cases.put("POST /admin/v1/rollouts/{id}/promote", "POST admin/v1/rollouts/r1/promote {\"reason\":\"x\","
        + "\"skipGate\":true}");
    cases.put("GET /admin/v1/audit", "GET admin/v1/audit");
    cases.put("POST /admin/v1/roots", "POST admin/v1/roots {\"schemaVersion\":1}");
    cases.put("GET /admin/v1/roots", "GET admin/v1/roots");
    cases.put("POST /admin/v1/tokens", "POST admin/v1/tokens {\"name\":\"intruder\",\"role\":\"admin\"}");
    cases.put("GET /admin/v1/tokens", "GET admin/v1/tokens");
    cases.put("DELETE /admin/v1/tokens/{name}", "DELETE admin/v1/tokens/" + ApiTokens.bootstrapName(
        AdminToken.sha256(adminToken())));
    cases.put("GET /admin/v1/stop-all", "GET admin/v1/stop-all");
    cases.put("POST /admin/v1/stop-all", "POST admin/v1/stop-all {\"reason\":\"x\"}");
    cases.put("POST /admin/v1/stop-all/lift", "POST admin/v1/stop-all/lift {\"reason\":\"x\"}");
    assertThat(cases.keySet()).as("every admin route has a case")
        .containsExactlyInAnyOrderElementsOf(server.routes().stream().filter(r -> r.contains(" /admin/")).toList());
    List<String> requests = new ArrayList<>(cases.values());

    String token = adminToken();
    List<String> badAuthorizations = List.of("", "Bearer not-the-token", lab.authorization(), "Bearer " + token + "x",
        "Bearer " + token.substring(1), "Basic " + token, "bearer" + token);
    int refused = 0;
    for (String spec : requests) {
      String[] parts = spec.split(" ", 3);
      for (String authorization : badAuthorizations) {
        HttpRequest.Builder call = request(parts[1]);
        if (!authorization.isEmpty()) {
          call.header("Authorization", authorization);
        }
        call.method(parts[0], parts.length == 3 ? HttpRequest.BodyPublishers.ofString(parts[2])
            : HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> response = send(call);
        assertThat(response.statusCode()).as(spec + " with '" + authorization + "'").isEqualTo(401);
        assertThat(JSON.readTree(response.body()).get("field").asText()).isEqualTo("Authorization");
        refused++;
      }
    }
    assertThat(refused).isEqualTo(27 * 7);
    assertThat(meter("ringfence_server_admin_refused_total")).isEqualTo(refused);
    assertThat(meter("ringfence_server_admin_refused_total{reason=\"unknown_token\",route=\"POST /admin/v1/stop-all\"}"))
        .as("counted by reason and route").isEqualTo(7);
    assertThat(adminState()).isEqualTo(before);
    assertThat(admin.rollout("r1").get("state").asText()).isEqualTo("PLANNED");
  }

  // ---------------------------------------------------------------------------------------------------------
  // Forged, replayed and out-of-order health signals

  /** The rollout as the engine judges it: state, verdicts, transitions, and the candidate arm's counters. */
  private Map<String, String> rolloutJudgement() throws Exception {
    JsonNode r = admin.rollout("r1");
    Map<String, String> judgement = new TreeMap<>();
    for (String field : List.of("state", "ringIndex", "exposedTotal", "revertedCount", "lastVerdict", "verdicts",
        "transitions", "haltReason", "rings")) {
      judgement.put(field, String.valueOf(r.get(field)));
    }
    String scrape = send(request("metrics").GET()).body();
    scrape.lines().filter(l -> l.startsWith("ringfence_signals_total{") || l.startsWith("ringfence_verdicts_total{")
        || l.startsWith("ringfence_halts_total{")).filter(l -> !l.contains("outcome=\"duplicate\""))
        // Every tick evaluates the gate again: inconclusive evaluations grow with time, not with signals.
        .filter(l -> !l.startsWith("ringfence_verdicts_total{") || !l.contains("outcome=\"inconclusive\""))
        .forEach(l -> judgement.put(l.substring(0, l.lastIndexOf(' ')), l.substring(l.lastIndexOf(' ') + 1)));
    return judgement;
  }

  /**
   * Crash reports aimed at halting a healthy rollout (a single accepted one would: the canary's gate halts at
   * one catastrophic report): forged (wrong key, no signature, another endpoint's key), replayed (same nonce;
   * a captured batch after the signature window), and out of order (an older sequence or boot of the real
   * endpoint). Each is refused or de-duplicated and counted; the rollout's state, verdicts and arm counters are
   * exactly what they were.
   */
  @Test
  void signals_forgedReplayedAndOutOfOrderCrashReports_changeNoVerdictOrArm() throws Exception {
    // A long heartbeat interval: the clock jumps past the signature window, not past the silence deadline.
    start(UpdateServerConfig.custom(dir.resolve("data")).heartbeatInterval(Duration.ofHours(1)));
    EndpointCredentials lab1 = admin.enroll("lab-1", "lab", "eu");
    EndpointCredentials lab2 = admin.enroll("lab-2", "lab", "eu");
    publish(1, true);
    publish(2, false);
    admin.createRollout("r1", CHANNEL, 1, 2, PLAN);
    admin.command("r1", "start", null);
    HttpResponse<String> offer = send(request("v1/channels/rules/envelope").header(UpdateProtocol.ENDPOINT_HEADER,
        "lab-1").header("Authorization", lab1.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, "1").GET());
    assertThat(offer.statusCode()).isEqualTo(200);
    String genuineBody = heartbeat("lab-1", 1, 5, 2, 0);
    long genuineAt = clock.millis();
    String genuineNonce = nonce();
    HttpResponse<String> genuine = send(signals(lab1, lab1.hmacKey(), genuineBody, genuineAt, genuineNonce));
    assertThat(JSON.readTree(genuine.body()).get("accepted").asLong()).as(genuine.body()).isEqualTo(1);
    // The judgement to compare with is the one after the first tick has judged the genuine report.
    await().atMost(Duration.ofSeconds(10)).until(() -> !"null".equals(rolloutJudgement().get("lastVerdict")));
    Map<String, String> before = rolloutJudgement();
    assertThat(before.get("state")).isEqualTo("\"RUNNING\"");

    String forgedCrash = crash("lab-1", 1, 6, 2);
    byte[] wrongKey = new byte[32];
    assertThat(send(signals(lab1, wrongKey, forgedCrash, clock.millis(), nonce())).statusCode()).isEqualTo(401);
    assertThat(send(signals(lab1, lab2.hmacKey(), forgedCrash, clock.millis(), nonce())).statusCode()).isEqualTo(401);
    HttpResponse<String> unsigned = send(request("v1/channels/rules/signals")
        .header(UpdateProtocol.ENDPOINT_HEADER, "lab-1").header("Authorization", lab1.authorization())
        .POST(HttpRequest.BodyPublishers.ofString(forgedCrash)));
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(send(signals(lab2, forgedCrash)).statusCode()).as("lab-2 reporting for lab-1").isEqualTo(403);

    // Replays: the genuine batch again (same nonce), with a crash swapped in under its signature, and a crash
    // report captured now and sent after the signature window.
    assertThat(send(signals(lab1, lab1.hmacKey(), genuineBody, genuineAt, genuineNonce)).statusCode()).isEqualTo(409);
    HttpResponse<String> swapped = send(request("v1/channels/rules/signals")
        .header(UpdateProtocol.ENDPOINT_HEADER, "lab-1").header("Authorization", lab1.authorization())
        .header(UpdateProtocol.TIMESTAMP_HEADER, Long.toString(genuineAt)).header(UpdateProtocol.NONCE_HEADER, nonce())
        .header(UpdateProtocol.SIGNATURE_HEADER, EndpointCredentials.sign(lab1.hmacKey(), "lab-1", genuineAt,
            genuineNonce, genuineBody.getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(forgedCrash)));
    assertThat(swapped.statusCode()).isEqualTo(401);
    long capturedAt = clock.millis();
    String capturedNonce = nonce();
    clock.advance(Duration.ofMinutes(6));
    assertThat(send(signals(lab1, lab1.hmacKey(), crash("lab-1", 1, 7, 2), capturedAt, capturedNonce)).statusCode())
        .isEqualTo(401);

    // Out of order, correctly signed: an older sequence of this boot, and an older boot.
    for (String stale : List.of(crash("lab-1", 1, 4, 2), crash("lab-1", 1, 5, 2), heartbeat("lab-1", 0, 99, 2, 3))) {
      HttpResponse<String> late = send(signals(lab1, stale));
      assertThat(late.statusCode()).as(late.body()).isEqualTo(200);
      assertThat(JSON.readTree(late.body()).get("accepted").asLong()).as(stale).isZero();
      assertThat(JSON.readTree(late.body()).get("duplicate").asLong()).as(stale).isEqualTo(1);
    }

    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(rolloutJudgement()).as("after a few ticks").isEqualTo(before));
    TestServers.assertSignalCounts(http, server, Map.of("bad_signature", 3, "missing_signature", 1,
        "wrong_endpoint", 1, "replay", 1, "stale_timestamp", 1), Map.of("duplicate", 3, "accepted", 1));
  }

  // ---------------------------------------------------------------------------------------------------------
  // A flood from one endpoint

  /**
   * One endpoint sends 2,000 signal batches as fast as it can: it gets its burst, then 429 with
   * {@code Retry-After}, each counted; another endpoint is served all along; the bucket refills on the server's
   * clock and never beyond the burst.
   */
  @Test
  void signals_floodFromOneEndpoint_isRateLimitedPerEndpoint() throws Exception {
    start(UpdateServerConfig.custom(dir.resolve("data")).signalBurst(20).signalRatePerMinute(60));
    EndpointCredentials flooder = admin.enroll("lab-1", "lab", "eu");
    EndpointCredentials neighbour = admin.enroll("lab-2", "lab", "eu");
    int ok = 0;
    int limited = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    for (int i = 0; i < 2_000 && System.nanoTime() < deadline; i++) {
      HttpResponse<String> response = send(signals(flooder, heartbeat("lab-1", 1, i, 0, 0)));
      if (response.statusCode() == 200) {
        ok++;
      } else {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        limited++;
      }
      if (i % 500 == 0) {
        HttpResponse<String> other = send(signals(neighbour, heartbeat("lab-2", 1, i, 0, 0)));
        assertThat(other.statusCode()).as("another endpoint is not affected").isEqualTo(200);
      }
    }
    assertThat(ok + limited).as("the whole flood was sent within the time bound").isEqualTo(2_000);
    assertThat(ok).isEqualTo(20);
    assertThat(meter("ringfence_server_signals_refused_total{reason=\"rate_limited\"")).isEqualTo(limited);
    HttpResponse<String> refusal = send(signals(flooder, heartbeat("lab-1", 1, 5_000, 0, 0)));
    JsonNode error = JSON.readTree(refusal.body());
    assertThat(error.get("error").asText()).isEqualTo("rate_limited");
    assertThat(error.get("field").asText()).isEqualTo(UpdateProtocol.ENDPOINT_HEADER);
    assertThat(error.get("message").asText()).contains("'lab-1'").contains("retry after 1 s");

    clock.advance(Duration.ofSeconds(1)); // one batch per second
    assertThat(send(signals(flooder, heartbeat("lab-1", 2, 0, 0, 0))).statusCode()).isEqualTo(200);
    assertThat(send(signals(flooder, heartbeat("lab-1", 2, 1, 0, 0))).statusCode()).isEqualTo(429);
    clock.advance(Duration.ofMinutes(1)); // 4 minutes' worth is still only the burst
    clock.advance(Duration.ofMinutes(3));
    int afterPause = 0;
    for (int i = 0; i < 100; i++) {
      if (send(signals(flooder, heartbeat("lab-1", 3, i, 0, 0))).statusCode() == 200) {
        afterPause++;
      }
    }
    assertThat(afterPause).isEqualTo(20);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Oversized, stalled and trickled bodies

  /** Opens a raw connection and sends {@code head} (and the first bytes of a body); the caller stalls it. */
  private Socket rawRequest(String head) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return socket;
  }

  /** @return what the server sent before it closed the connection (empty when it closed without an answer) */
  private static String readUntilClosed(Socket socket) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (InputStream in = socket.getInputStream()) {
      in.transferTo(received);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the stalled connection open for 20 s", e);
    } catch (IOException reset) {
      // a reset is a close too
    }
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Clients that send headers and then stall, or trickle their body a byte at a time, on every kind of route
   * (one that reads the body, one that refuses before reading it, one that never reads it): each is
   * disconnected at {@code requestTimeout} and counted, and the server, with only two workers, keeps answering
   * everyone else. A body larger than the route's limit still gets 413 and changes nothing.
   */
  @Test
  void slowBodies_stalledOrTrickled_areDisconnectedAtTheTimeout_andOthersAreServed() throws Exception {
    start(UpdateServerConfig.custom(dir.resolve("data")).threads(2).maxJsonBytes(4096)
        .requestTimeout(Duration.ofSeconds(1)));
    String token = adminToken();
    HttpResponse<String> oversized = send(request("admin/v1/endpoints").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("{\"endpointId\":\"big\",\"x\":\"" + "x".repeat(5000) + "\"}")));
    assertThat(oversized.statusCode()).isEqualTo(413);

    List<Socket> stalled = new ArrayList<>();
    String enroll = "POST /admin/v1/endpoints HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"endpointId\":\"slow";
    stalled.add(rawRequest(enroll));
    stalled.add(rawRequest(enroll));
    stalled.add(rawRequest("POST /v1/channels/rules/signals HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n"
        + "\r\n[{"));
    stalled.add(rawRequest("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nab"));
    Socket trickle = rawRequest("POST /admin/v1/endpoints HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + token + "\r\nContent-Length: 1000\r\n\r\n{");
    ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
    try {
      OutputStream drip = trickle.getOutputStream();
      dripper.scheduleAtFixedRate(() -> {
        try {
          drip.write(' ');
          drip.flush();
        } catch (IOException closedByTheServer) {
          throw new IllegalStateException(closedByTheServer); // ends the schedule
        }
      }, 100, 100, TimeUnit.MILLISECONDS);
      stalled.add(trickle);

      long started = System.nanoTime();
      HttpResponse<String> health = send(request("healthz").GET());
      assertThat(health.statusCode()).as("served while two workers' worth of clients stall").isEqualTo(200);
      for (Socket socket : stalled) {
        try (socket) {
          assertThat(readUntilClosed(socket)).as("disconnected without an answer").isEmpty();
        }
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    } finally {
      dripper.shutdownNow();
    }
    assertThat(meter("ringfence_server_requests_timed_out_total")).isEqualTo(stalled.size());
    assertThat(admin.endpoints()).as("no half-read enrollment was applied").isEmpty();
    for (int i = 0; i < 5; i++) {
      assertThat(send(request("healthz").GET()).statusCode()).isEqualTo(200);
    }
  }

  /**
   * A body declared far over the route's limit ({@code Content-Length: 10737418240}) is answered 413 at once,
   * without reading a byte of it, and the connection is closed; the JDK server left such a client without an
   * answer until the request timeout.
   */
  @Test
  void declaredOversizedBody_is413AtOnce_andTheConnectionClosed() throws Exception {
    start(UpdateServerConfig.custom(dir.resolve("data")).requestTimeout(Duration.ofSeconds(30)));
    try (Socket socket = rawRequest("POST /admin/v1/endpoints HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + adminToken() + "\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{\"endp")) {
      socket.setSoTimeout(5_000); // well inside the 30 s request timeout: the answer may not wait for it
      String answer = readUntilClosed(socket);
      assertThat(answer).startsWith("HTTP/1.1 413");
      assertThat(answer).contains("payload_too_large").contains("nothing was applied");
    }
    assertThat(admin.endpoints()).isEmpty();
    assertThat(send(request("healthz").GET()).statusCode()).isEqualTo(200);
  }

  /**
   * A client that asks for a large payload and resets the connection before taking it: the answer that could
   * not be delivered is counted ({@code ringfence_server_responses_undelivered_total}) and the server goes on.
   */
  @Test
  void clientGoneBeforeTheAnswer_isCountedAsUndelivered() throws Exception {
    start();
    EndpointCredentials lab = admin.enroll("lab-1", "lab", "eu");
    byte[] big = new byte[8 << 20];
    new java.util.Random(7).nextBytes(big);
    admin.publish(servers.signer.sign(CHANNEL, 1, big, START.plus(Duration.ofDays(1))), big, true);
    assertThat(meter("ringfence_server_responses_undelivered_total")).isZero();
    for (int i = 0; i < 3; i++) {
      Socket socket = rawRequest("GET /v1/channels/" + CHANNEL + "/releases/1/payload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + UpdateProtocol.ENDPOINT_HEADER + ": lab-1\r\nAuthorization: " + lab.authorization() + "\r\n"
          + UpdateProtocol.CURRENT_VERSION_HEADER + ": 0\r\n\r\n");
      socket.setSoLinger(true, 0); // close with a reset, whatever is unread
      socket.close();
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(meter("ringfence_server_responses_undelivered_total")).isPositive());
    HttpResponse<byte[]> whole = http.send(request("v1/channels/" + CHANNEL + "/releases/1/payload")
        .header(UpdateProtocol.ENDPOINT_HEADER, "lab-1").header("Authorization", lab.authorization())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, "0").timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).hasSize(big.length);
  }

  /**
   * Slowloris: 300 connections that send part of a request header and never finish it, while two clients
   * poll. With the JDK's HttpServer eight such connections cut real clients to a few requests a minute;
   * here every real request is answered, and every attack connection is closed at the header deadline
   * (the request timeout) and counted as {@code slow_header}, not left to the idle timeout.
   */
  @Test
  void slowHeaders_300Connections_areClosedAndCounted_whileTwoClientsAreServed() throws Exception {
    start(UpdateServerConfig.custom(dir.resolve("data")).threads(2).requestTimeout(Duration.ofSeconds(1)));
    List<Socket> attack = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        attack.add(rawRequest("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + i + ": a"));
      }
      ExecutorService clients = Executors.newFixedThreadPool(2);
      try {
        List<Future<Integer>> answered = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
          answered.add(clients.submit(() -> {
            int ok = 0;
            for (int r = 0; r < 25; r++) {
              if (send(request("healthz").GET()).statusCode() == 200) {
                ok++;
              }
            }
            return ok;
          }));
        }
        for (Future<Integer> f : answered) {
          assertThat(f.get(60, TimeUnit.SECONDS)).as("every poll answered during the attack").isEqualTo(25);
        }
      } finally {
        clients.shutdownNow();
      }
      for (Socket socket : attack) {
        assertThat(readUntilClosed(socket)).as("closed without an answer").isEmpty();
      }
    } finally {
      for (Socket socket : attack) {
        socket.close();
      }
    }
    assertThat(meter("ringfence_server_connections_closed_total{reason=\"slow_header\"")).isEqualTo(300);
    assertThat(send(request("healthz").GET()).statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Path traversal

  /** Sends exact request bytes (no client normalizes the path) and returns the status line and body. */
  private String raw(String method, String rawPath, Map<String, String> headers, String body) throws IOException {
    StringBuilder head = new StringBuilder(method + " " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    head.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
    try (Socket socket = rawRequest(head.toString())) {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return readUntilClosed(socket);
    }
  }

  private String raw(String method, String rawPath, Map<String, String> headers) throws IOException {
    return raw(method, rawPath, headers, "");
  }

  private static int status(String response) {
    return response.isEmpty() ? -1 : Integer.parseInt(response.substring(9, 12));
  }

  private static String body(String response) {
    int at = response.indexOf("\r\n\r\n");
    return at < 0 ? "" : response.substring(at + 4);
  }

  /**
   * Content names and channels that try to leave the release store: dot segments, URL-encoded and
   * double-encoded separators, backslashes, absolute paths, NUL bytes. Each is 400 or 404, and no answer carries
   * the bytes of a file outside the release store (a sentinel in the data directory and one above it).
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "/v1/content/../../secret.txt", "/v1/content/..%2f..%2fsecret.txt", "/v1/content/..%2F..%2Fsecret.txt",
      "/v1/content/%2e%2e%2f%2e%2e%2fsecret.txt", "/v1/content/..%252f..%252fsecret.txt",
      "/v1/content/..%5c..%5csecret.txt", "/v1/content//etc/passwd", "/v1/content/%2fetc%2fpasswd",
      "/v1/content/%00", "/v1/content/SHA%00../../secret.txt",
      "/v1/channels/..%2f..%2f..%2fsecret.txt/envelope", "/v1/channels/../releases/1/payload",
      "/v1/channels/%2e%2e/releases/1/payload", "/v1/channels/rules/releases/..%2f..%2fsecret.txt/payload",
      "/v1/channels/rules%00/envelope", "/v1/channels/%2fetc%2fpasswd/envelope",
      "/v1/channels/rules/releases/1/../../../../secret.txt", "/v1/../../secret.txt", "/../secret.txt",
      "/status/../../secret.txt"})
  void pathTraversal_contentAndChannelNames_neverReachAFileOutsideTheReleaseStore(String path) throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.writeString(dir.resolve("secret.txt"), "SENTINEL-OUTSIDE");
    Files.writeString(data.resolve("secret.txt"), "SENTINEL-DATA");
    start();
    EndpointCredentials lab = admin.enroll("lab-1", "lab", "eu");
    publish(1, true);

    String response = raw("GET", path, Map.of(UpdateProtocol.ENDPOINT_HEADER, "lab-1", "Authorization",
        lab.authorization(), UpdateProtocol.CURRENT_VERSION_HEADER, "0"));
    assertThat(status(response)).as(response).isIn(400, 404);
    assertThat(response).doesNotContain("SENTINEL").doesNotContain("root:");
  }

  /**
   * The admin side: a release published to a channel named like a path ({@code ..}, encoded, hidden, with
   * separators) is refused naming {@code channel} before anything is written, so no envelope or payload lands
   * outside the channel's own directory of the release store.
   */
  @Test
  void pathTraversal_publishingToAChannelNamedLikeAPath_is400AndWritesNothing() throws Exception {
    start();
    String envelope = new String(servers.signer.sign("..", 2, content(2), START.plus(Duration.ofDays(1))).toJson(),
        StandardCharsets.UTF_8);
    String body = "{\"envelope\":" + envelope + ",\"payloadBase64\":\""
        + java.util.Base64.getEncoder().encodeToString(content(2)) + "\"}";
    for (String channel : List.of("..", "%2e%2e", ".hidden", "..%2f..%2fescaped", "%2fabsolute", "nul%00")) {
      String response = raw("POST", "/admin/v1/channels/" + channel + "/releases",
          Map.of("Authorization", "Bearer " + adminToken(), "Content-Type", "application/json"), body);
      assertThat(status(response)).as(channel + ": " + response).isEqualTo(400);
      // A NUL never reaches a route: the HTTP parser refuses it, and the refusal names the path.
      assertThat(JSON.readTree(body(response)).get("field").asText()).as(channel)
          .isEqualTo(channel.contains("%00") ? "path" : "channel");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
          .as("no release was stored").noneMatch(p -> p.startsWith("data/releases/"));
    }
  }

  /** A content digest with a NUL or a path in it never reaches the file system, even when authenticated. */
  @Test
  void content_aValidLookingDigestOfNoRelease_is404_andAnUnauthenticatedProbeIs401() throws Exception {
    start();
    EndpointCredentials lab = admin.enroll("lab-1", "lab", "eu");
    String unknown = HexFormat.of().formatHex(new byte[32]);
    String found = raw("GET", "/v1/content/" + unknown, Map.of(UpdateProtocol.ENDPOINT_HEADER, "lab-1",
        "Authorization", lab.authorization()));
    assertThat(status(found)).isEqualTo(404);
    assertThat(status(raw("GET", "/v1/content/..%2f..%2fsecret.txt", Map.of()))).isEqualTo(401);
  }
}
