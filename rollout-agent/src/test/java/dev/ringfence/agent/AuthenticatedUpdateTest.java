package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.MockPeers.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.testing.RecordingSignalSink;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enrollment credentials on every request, signed signal batches, and a server REVERT followed by the agent. */
class AuthenticatedUpdateTest {

  private static final String CHANNEL = "channel-291";
  private static final Instant NOW = AgentFixture.NOW;
  private static final byte[] KEY = new byte[32];

  static {
    Arrays.fill(KEY, (byte) 7);
  }

  private static final EndpointCredentials CREDENTIALS =
      new EndpointCredentials("host-42", "token-0123456789abcdef", KEY);

  @TempDir Path dir;
  private MockWebServer server;
  private ExecutorService threads;
  private AgentFixture fixture;
  private KeyPair key;
  private final List<Headers> envelopeRequests = new CopyOnWriteArrayList<>();
  private final List<Headers> payloadRequests = new CopyOnWriteArrayList<>();
  private final List<byte[]> signalBodies = new CopyOnWriteArrayList<>();
  private final List<Headers> signalHeaders = new CopyOnWriteArrayList<>();
  private volatile Answer answer;
  private volatile byte[] payload;
  private final RecordingSignalSink recorded = new RecordingSignalSink(100);

  private interface Answer {
    MockResponse respond();
  }

  @BeforeEach
  void start() {
    fixture = AgentFixture.onDirectory(dir, null, CHANNEL, "k");
    key = AgentFixture.key("k");
    threads = Executors.newCachedThreadPool();
    server = MockPeers.updateServer(CHANNEL, request -> {
      envelopeRequests.add(request.getHeaders());
      return answer.respond();
    }, request -> {
      payloadRequests.add(request.getHeaders());
      return respond(200, payload);
    }, request -> {
      if (request.getUrl().encodedPath().startsWith("/v1/channels/" + CHANNEL + "/signals")) {
        signalHeaders.add(request.getHeaders());
        signalBodies.add(request.getBody().toByteArray());
        return respond(204, new byte[0]);
      }
      return respond(404, new byte[0]);
    });
  }

  @AfterEach
  void stop() {
    server.close();
    threads.shutdownNow();
  }

  private URI base() {
    return MockPeers.base(server);
  }

  private RolloutAgent agent() {
    RolloutAgent agent = fixture.builder().updateServer(base()).fetchExecutor(threads).signalSink(recorded)
        .credentials(CREDENTIALS)
        .fetchConfig(FetchConfig.custom().initialBackoff(Duration.ofMillis(1)).maxAttempts(2).build()).build();
    agent.onStart();
    return agent;
  }

  private void offer(long version) {
    byte[] json = fixture.release(version, bytes(version), "k").toJson();
    payload = bytes(version);
    answer = () -> respond(200, json);
  }

  private void revertTo(long version) {
    answer = () -> new MockResponse.Builder().code(204)
        .addHeader(UpdateProtocol.DECISION_HEADER, "REVERT")
        .addHeader(UpdateProtocol.REVERT_TO_HEADER, Long.toString(version))
        .addHeader(UpdateProtocol.REASON_HEADER, "rollout r1 halted").build();
  }

  @Test
  void checkForUpdate_withCredentials_sendsEndpointTokenAndCurrentVersion() throws Exception {
    RolloutAgent agent = agent();
    offer(6);
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.ACTIVATED);
    agent.confirmHealthy();
    offer(7);
    agent.checkForUpdate();

    Headers first = envelopeRequests.get(0);
    assertThat(first.get(UpdateProtocol.ENDPOINT_HEADER)).isEqualTo("host-42");
    assertThat(first.get("Authorization")).isEqualTo("Bearer token-0123456789abcdef");
    assertThat(first.get(UpdateProtocol.CURRENT_VERSION_HEADER)).isEqualTo("0");
    assertThat(first.get(UpdateProtocol.PROTOCOL_HEADER)).isEqualTo(Integer.toString(UpdateProtocol.PROTOCOL_VERSION));
    assertThat(envelopeRequests.get(1).get(UpdateProtocol.CURRENT_VERSION_HEADER)).isEqualTo("6");
    assertThat(payloadRequests.get(0).get("Authorization")).isEqualTo("Bearer token-0123456789abcdef");
  }

  @Test
  void checkForUpdate_serverSaysRevertDuringTrial_goesBackAndMarksTheVersionKnownBad() throws Exception {
    RolloutAgent agent = agent();
    offer(6);
    agent.checkForUpdate();
    agent.confirmHealthy();
    offer(7);
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.ACTIVATED);

    revertTo(6);
    UpdateCheck check = agent.checkForUpdate();

    assertThat(check.outcome()).as(check.reason()).isEqualTo(UpdateOutcome.REVERTED);
    assertThat(check.version()).isEqualTo(6);
    assertThat(check.reason()).contains("rollout r1 halted");
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThat(Files.readAllBytes(agent.activeContent().orElseThrow().path())).isEqualTo(bytes(6));
    assertThat(recorded.signals()).last().isInstanceOfSatisfying(Heartbeat.class, h -> assertThat(h.version()).isEqualTo(6));
    // v7 is known-bad now: offered again, it is refused.
    offer(7);
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.REFUSED);
  }

  @Test
  void checkForUpdate_revertToTheVersionRunning_changesNothing() throws Exception {
    RolloutAgent agent = agent();
    offer(6);
    agent.checkForUpdate();
    agent.confirmHealthy();
    int signals = recorded.signals().size();

    revertTo(6);
    UpdateCheck check = agent.checkForUpdate();

    assertThat(check.outcome()).isEqualTo(UpdateOutcome.UP_TO_DATE);
    assertThat(recorded.signals()).hasSize(signals);
  }

  @Test
  void checkForUpdate_revertToAVersionNoSlotHolds_isRefusedAndKeepsContent() throws Exception {
    RolloutAgent agent = agent();
    offer(6);
    agent.checkForUpdate();
    agent.confirmHealthy();

    revertTo(3);
    UpdateCheck check = agent.checkForUpdate();

    assertThat(check.outcome()).isEqualTo(UpdateOutcome.REFUSED);
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(6);
  }

  @Test
  void httpSink_withCredentials_signsEachBatchWithAFreshNonce() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    BufferedSignalSink sink = new dev.ringfence.agent.internal.HttpSignalSink(
        base().resolve("v1/channels/" + CHANNEL + "/signals"), 10, HttpClient.newHttpClient(), CREDENTIALS, clock);
    Signal beat = new Heartbeat("host-42", 1, 0, 6, 0);
    sink.send(beat);
    assertThat(sink.flush()).isEqualTo(1);
    sink.send(new Heartbeat("host-42", 1, 1, 6, 0));
    assertThat(sink.flush()).isEqualTo(1);

    for (int i = 0; i < 2; i++) {
      Headers headers = signalHeaders.get(i);
      assertThat(headers.get(UpdateProtocol.ENDPOINT_HEADER)).isEqualTo("host-42");
      assertThat(headers.get("Authorization")).isEqualTo("Bearer token-0123456789abcdef");
      assertThat(headers.get(UpdateProtocol.PROTOCOL_HEADER)).isEqualTo("1");
      assertThat(headers.get(UpdateProtocol.TIMESTAMP_HEADER)).isEqualTo(Long.toString(NOW.toEpochMilli()));
      String expected = EndpointCredentials.sign(KEY, "host-42", NOW.toEpochMilli(),
          headers.get(UpdateProtocol.NONCE_HEADER), signalBodies.get(i));
      assertThat(headers.get(UpdateProtocol.SIGNATURE_HEADER)).isEqualTo(expected);
    }
    assertThat(signalHeaders.get(0).get(UpdateProtocol.NONCE_HEADER))
        .isNotEqualTo(signalHeaders.get(1).get(UpdateProtocol.NONCE_HEADER));
    // A changed body no longer matches the signature.
    byte[] tampered = new String(signalBodies.get(0), StandardCharsets.UTF_8).replace("\"version\":6", "\"version\":5")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(EndpointCredentials.sign(KEY, "host-42", NOW.toEpochMilli(),
        signalHeaders.get(0).get(UpdateProtocol.NONCE_HEADER), tampered))
        .isNotEqualTo(signalHeaders.get(0).get(UpdateProtocol.SIGNATURE_HEADER));
  }

  @Test
  void credentials_badValues_areRefusedNamingTheField() {
    assertThatThrownBy(() -> new EndpointCredentials("host-42", "token-0123456789abcdef", new byte[16]))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("hmacKey");
    assertThatThrownBy(() -> new EndpointCredentials("host-42", "short", KEY))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("token");
    assertThatThrownBy(() -> EndpointCredentials.sign(KEY, "host-42", 1, "not-hex", new byte[0]))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("nonce");
    assertThat(CREDENTIALS.toString()).doesNotContain("token-0123456789abcdef").contains("redacted");
    assertThatThrownBy(() -> RolloutAgent.builder().stateDirectory(dir).endpointId("host-7").channel(CHANNEL)
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).credentials(CREDENTIALS).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("credentials").hasMessageContaining("host-42");
  }
}
