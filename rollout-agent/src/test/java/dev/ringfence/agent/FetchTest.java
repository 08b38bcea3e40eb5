package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.AgentFixture.sign;
import static dev.ringfence.agent.AgentFixture.unsigned;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.testing.RecordingSignalSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkForUpdate against a JDK HttpServer on 127.0.0.1: happy path, endless data, retries, breaker, timeout. */
class FetchTest {

  private static final String CHANNEL = "channel-291";
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @TempDir Path dir;
  private HttpServer server;
  private ExecutorService serverThreads;
  private ExecutorService fetchThreads;
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger envelopeRequests = new AtomicInteger();
  private final RecordingSignalSink sink = new RecordingSignalSink(100);
  private KeyPair key;

  /** What the envelope endpoint does on its n-th request (1-based). */
  private interface Handler {
    void handle(HttpExchange exchange, int request) throws IOException;
  }

  private Handler envelopeHandler;
  private Handler payloadHandler;

  @BeforeEach
  void startServer() throws Exception {
    key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    fetchThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/v1/channels/" + CHANNEL + "/envelope",
        exchange -> envelopeHandler.handle(exchange, envelopeRequests.incrementAndGet()));
    server.createContext("/v1/channels/" + CHANNEL + "/releases/", exchange -> payloadHandler.handle(exchange, 0));
    server.start();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
    fetchThreads.shutdownNow();
  }

  private RolloutAgent agent(FetchConfig config) {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    RolloutAgent agent = RolloutAgent.builder().stateDirectory(dir).endpointId("host-42").channel(CHANNEL)
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .updateServer(base).fetchConfig(config).fetchExecutor(fetchThreads).signalSink(sink).build();
    agent.onStart();
    return agent;
  }

  private static FetchConfig.Builder fast() {
    return FetchConfig.custom().initialBackoff(Duration.ofMillis(1)).jitter(0.5).maxAttempts(3)
        .attemptTimeout(Duration.ofSeconds(20));
  }

  private byte[] envelope(long version, byte[] content) throws Exception {
    return sign(unsigned(CHANNEL, version, content, NOW.plusSeconds(3600)), "k", key.getPrivate()).toJson();
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void serve(long version, byte[] content) throws Exception {
    byte[] json = envelope(version, content);
    envelopeHandler = (exchange, n) -> respond(exchange, 200, json);
    payloadHandler = (exchange, n) -> respond(exchange, 200, content);
  }

  @Test
  void checkForUpdate_newRelease_isFetchedVerifiedAndActivated() throws Exception {
    serve(7, bytes(7));
    RolloutAgent agent = agent(fast().build());
    UpdateCheck check = agent.checkForUpdate();
    assertThat(check.outcome()).as(check.reason()).isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(Files.readAllBytes(agent.activeContent().orElseThrow().path())).isEqualTo(bytes(7));
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.TRIAL_IN_PROGRESS);
    agent.confirmHealthy();
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UP_TO_DATE);
    try (var leftovers = Files.list(dir.resolve("downloads"))) {
      assertThat(leftovers).as("temporary downloads are removed").isEmpty();
    }
  }

  @Test
  void checkForUpdate_noRelease_isUpToDate() {
    envelopeHandler = (exchange, n) -> respond(exchange, 204, new byte[0]);
    assertThat(agent(fast().build()).checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UP_TO_DATE);
  }

  @Test
  void checkForUpdate_endlessData_isCutAtTheSignedSize_andRefused() throws Exception {
    byte[] json = envelope(7, bytes(7));
    envelopeHandler = (exchange, n) -> respond(exchange, 200, json);
    payloadHandler = (exchange, n) -> {
      exchange.sendResponseHeaders(200, 0); // chunked, no length: the attack
      byte[] chunk = new byte[8192];
      try (OutputStream out = exchange.getResponseBody()) {
        while (release.getCount() > 0) {
          out.write(chunk); // until the client hangs up
        }
      } catch (IOException expected) {
        // the agent cut the download
      }
    };
    RolloutAgent agent = agent(fast().build());
    UpdateCheck check = agent.checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.REFUSED);
    assertThat(check.reason()).contains("size: payload of v7 exceeds " + bytes(7).length + " bytes");
    assertThat(agent.activeContent()).isEmpty();
    assertThat(sink.signals()).filteredOn(ApplyResult.class::isInstance).map(ApplyResult.class::cast)
        .anySatisfy(r -> assertThat(r.outcome()).isEqualTo(ApplyOutcome.VALIDATION_FAILED));
  }

  @Test
  void checkForUpdate_payloadAboveTheAgentsCap_isRefused() throws Exception {
    serve(7, bytes(7));
    UpdateCheck check = agent(fast().maxPayloadBytes(100).build()).checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.REFUSED);
    assertThat(check.reason()).contains("exceeds 100 bytes");
  }

  @Test
  void checkForUpdate_transientServerErrors_areRetried() throws Exception {
    byte[] json = envelope(7, bytes(7));
    envelopeHandler = (exchange, n) -> respond(exchange, n <= 2 ? 503 : 200, n <= 2 ? new byte[0] : json);
    payloadHandler = (exchange, n) -> respond(exchange, 200, bytes(7));
    UpdateCheck check = agent(fast().maxAttempts(3).build()).checkForUpdate();
    assertThat(check.outcome()).as(check.reason()).isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(envelopeRequests).hasValue(3);
  }

  @Test
  void checkForUpdate_serverKeepsFailing_breakerOpens_andStopsCallingIt() {
    envelopeHandler = (exchange, n) -> respond(exchange, 500, new byte[0]);
    RolloutAgent agent = agent(fast().maxAttempts(2).breakerMinimumCalls(4).breakerFailureRatePercent(50)
        .breakerOpenDuration(Duration.ofHours(1)).build());
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    int calls = envelopeRequests.get();
    assertThat(calls).isEqualTo(4);
    UpdateCheck check = agent.checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(check.reason()).contains("circuit breaker is open");
    assertThat(envelopeRequests).as("no call while open").hasValue(calls);
  }

  /** A refusal's JSON message reaches the agent's reason: a protocol skew says which side to upgrade. */
  @Test
  void checkForUpdate_clientError_saysTheServersReason() {
    envelopeHandler = (exchange, n) -> respond(exchange, 426, ("{\"error\":\"protocol_skew\",\"field\":"
        + "\"Ringfence-Protocol\",\"message\":\"Ringfence-Protocol: the agent speaks protocol 1, this server 3;"
        + " upgrade the agent\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    UpdateCheck check = agent(fast().maxAttempts(3).build()).checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(check.reason()).contains("HTTP 426").contains("upgrade the agent");
    assertThat(envelopeRequests).as("not retried").hasValue(1);
  }

  @Test
  void checkForUpdate_clientError_isNotRetried() {
    envelopeHandler = (exchange, n) -> respond(exchange, 403, new byte[0]);
    UpdateCheck check = agent(fast().maxAttempts(3).build()).checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(check.reason()).contains("HTTP 403");
    assertThat(envelopeRequests).hasValue(1);
  }

  @Test
  void checkForUpdate_serverHangs_attemptIsCutByTheTimeLimiter() {
    envelopeHandler = (exchange, n) -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    RolloutAgent agent = agent(fast().maxAttempts(1).attemptTimeout(Duration.ofMillis(300)).build());
    UpdateCheck check = agent.checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(agent.activeContent()).isEmpty();
  }

  @Test
  void checkForUpdate_unreachableServer_isUnavailable_andNothingChanges() throws Exception {
    serve(7, bytes(7));
    RolloutAgent agent = agent(fast().maxAttempts(2).build());
    server.stop(0);
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(agent.activeContent()).isEmpty();
  }
}
