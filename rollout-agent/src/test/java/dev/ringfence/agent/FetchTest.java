package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.MockPeers.respond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.testing.RecordingSignalSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkForUpdate against OkHttp's MockWebServer on 127.0.0.1: happy path, endless data, retries, breaker, timeout. */
class FetchTest {

  private static final String CHANNEL = "channel-291";

  @TempDir Path dir;
  private MockWebServer server;
  private ExecutorService fetchThreads;
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger envelopeRequests = new AtomicInteger();
  private final RecordingSignalSink sink = new RecordingSignalSink(100);
  private AgentFixture fixture;

  /** What the envelope endpoint answers to its n-th request (1-based). */
  private interface Handler {
    MockResponse handle(RecordedRequest request, int n);
  }

  private Handler envelopeHandler;
  private Handler payloadHandler;

  @BeforeEach
  void startServer() {
    fixture = AgentFixture.onDirectory(dir, null, CHANNEL, "k");
    fetchThreads = Executors.newCachedThreadPool();
    server = MockPeers.updateServer(CHANNEL,
        request -> envelopeHandler.handle(request, envelopeRequests.incrementAndGet()),
        request -> payloadHandler.handle(request, 0));
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.close();
    fetchThreads.shutdownNow();
  }

  private RolloutAgent agent(FetchConfig config) {
    RolloutAgent agent = fixture.builder().updateServer(MockPeers.base(server)).fetchConfig(config)
        .fetchExecutor(fetchThreads).signalSink(sink).build();
    agent.onStart();
    return agent;
  }

  private static FetchConfig.Builder fast() {
    return FetchConfig.custom().initialBackoff(Duration.ofMillis(1)).jitter(0.5).maxAttempts(3)
        .attemptTimeout(Duration.ofSeconds(20));
  }

  private byte[] envelope(long version, byte[] content) {
    return fixture.release(version, content, "k").toJson();
  }

  private void serve(long version, byte[] content) {
    byte[] json = envelope(version, content);
    envelopeHandler = (request, n) -> respond(200, json);
    payloadHandler = (request, n) -> respond(200, content);
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
    envelopeHandler = (request, n) -> respond(204, new byte[0]);
    assertThat(agent(fast().build()).checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UP_TO_DATE);
  }

  @Test
  void checkForUpdate_endlessData_isCutAtTheSignedSize_andRefused() throws Exception {
    byte[] json = envelope(7, bytes(7));
    envelopeHandler = (request, n) -> respond(200, json);
    payloadHandler = (request, n) -> MockPeers.endless(-1, release); // no length: the attack, until the agent cuts it
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
    envelopeHandler = (request, n) -> respond(n <= 2 ? 503 : 200, n <= 2 ? new byte[0] : json);
    payloadHandler = (request, n) -> respond(200, bytes(7));
    UpdateCheck check = agent(fast().maxAttempts(3).build()).checkForUpdate();
    assertThat(check.outcome()).as(check.reason()).isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(envelopeRequests).hasValue(3);
  }

  @Test
  void checkForUpdate_serverKeepsFailing_breakerOpens_andStopsCallingIt() {
    envelopeHandler = (request, n) -> respond(500, new byte[0]);
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
    envelopeHandler = (request, n) -> respond(426, ("{\"error\":\"protocol_skew\",\"field\":"
        + "\"Ringfence-Protocol\",\"message\":\"Ringfence-Protocol: the agent speaks protocol 1, this server 3;"
        + " upgrade the agent\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    UpdateCheck check = agent(fast().maxAttempts(3).build()).checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(check.reason()).contains("HTTP 426").contains("upgrade the agent");
    assertThat(envelopeRequests).as("not retried").hasValue(1);
  }

  @Test
  void checkForUpdate_clientError_isNotRetried() {
    envelopeHandler = (request, n) -> respond(403, new byte[0]);
    UpdateCheck check = agent(fast().maxAttempts(3).build()).checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(check.reason()).contains("HTTP 403");
    assertThat(envelopeRequests).hasValue(1);
  }

  @Test
  void checkForUpdate_serverHangs_attemptIsCutByTheTimeLimiter() {
    envelopeHandler = (request, n) -> new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
    RolloutAgent agent = agent(fast().maxAttempts(1).attemptTimeout(Duration.ofMillis(300)).build());
    UpdateCheck check = agent.checkForUpdate();
    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(agent.activeContent()).isEmpty();
  }

  @Test
  void checkForUpdate_unreachableServer_isUnavailable_andNothingChanges() throws Exception {
    serve(7, bytes(7));
    RolloutAgent agent = agent(fast().maxAttempts(2).build());
    server.close();
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(agent.activeContent()).isEmpty();
  }
}
