package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.AgentFixture.sign;
import static dev.ringfence.agent.AgentFixture.unsigned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.testing.RecordingSignalSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enrollment credentials on every request, signed signal batches, and a server REVERT followed by the agent. */
class AuthenticatedUpdateTest {

  private static final String CHANNEL = "channel-291";
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private static final byte[] KEY = new byte[32];

  static {
    Arrays.fill(KEY, (byte) 7);
  }

  private static final EndpointCredentials CREDENTIALS =
      new EndpointCredentials("host-42", "token-0123456789abcdef", KEY);

  @TempDir Path dir;
  private HttpServer server;
  private ExecutorService threads;
  private KeyPair key;
  private final List<Headers> envelopeRequests = new CopyOnWriteArrayList<>();
  private final List<Headers> payloadRequests = new CopyOnWriteArrayList<>();
  private final List<byte[]> signalBodies = new CopyOnWriteArrayList<>();
  private final List<Headers> signalHeaders = new CopyOnWriteArrayList<>();
  private volatile Answer answer;
  private volatile byte[] payload;
  private final RecordingSignalSink recorded = new RecordingSignalSink(100);

  private interface Answer {
    void respond(HttpExchange exchange) throws IOException;
  }

  @BeforeEach
  void start() throws Exception {
    key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    threads = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/v1/channels/" + CHANNEL + "/envelope", exchange -> {
      envelopeRequests.add(exchange.getRequestHeaders());
      answer.respond(exchange);
    });
    server.createContext("/v1/channels/" + CHANNEL + "/releases/", exchange -> {
      payloadRequests.add(exchange.getRequestHeaders());
      respond(exchange, 200, payload);
    });
    server.createContext("/v1/channels/" + CHANNEL + "/signals", exchange -> {
      signalHeaders.add(exchange.getRequestHeaders());
      signalBodies.add(exchange.getRequestBody().readAllBytes());
      respond(exchange, 204, new byte[0]);
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    threads.shutdownNow();
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private RolloutAgent agent() {
    RolloutAgent agent = RolloutAgent.builder().stateDirectory(dir).endpointId("host-42").channel(CHANNEL)
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .updateServer(base()).fetchExecutor(threads).signalSink(recorded).credentials(CREDENTIALS)
        .fetchConfig(FetchConfig.custom().initialBackoff(Duration.ofMillis(1)).maxAttempts(2).build()).build();
    agent.onStart();
    return agent;
  }

  private void offer(long version) throws Exception {
    byte[] json = sign(unsigned(CHANNEL, version, bytes(version), NOW.plusSeconds(3600)), "k", key.getPrivate())
        .toJson();
    payload = bytes(version);
    answer = exchange -> respond(exchange, 200, json);
  }

  private void revertTo(long version) {
    answer = exchange -> {
      exchange.getResponseHeaders().add(UpdateProtocol.DECISION_HEADER, "REVERT");
      exchange.getResponseHeaders().add(UpdateProtocol.REVERT_TO_HEADER, Long.toString(version));
      exchange.getResponseHeaders().add(UpdateProtocol.REASON_HEADER, "rollout r1 halted");
      respond(exchange, 204, new byte[0]);
    };
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
    assertThat(first.getFirst(UpdateProtocol.ENDPOINT_HEADER)).isEqualTo("host-42");
    assertThat(first.getFirst("Authorization")).isEqualTo("Bearer token-0123456789abcdef");
    assertThat(first.getFirst(UpdateProtocol.CURRENT_VERSION_HEADER)).isEqualTo("0");
    assertThat(first.getFirst(UpdateProtocol.PROTOCOL_HEADER)).isEqualTo(Integer.toString(UpdateProtocol.PROTOCOL_VERSION));
    assertThat(envelopeRequests.get(1).getFirst(UpdateProtocol.CURRENT_VERSION_HEADER)).isEqualTo("6");
    assertThat(payloadRequests.get(0).getFirst("Authorization")).isEqualTo("Bearer token-0123456789abcdef");
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
      assertThat(headers.getFirst(UpdateProtocol.ENDPOINT_HEADER)).isEqualTo("host-42");
      assertThat(headers.getFirst("Authorization")).isEqualTo("Bearer token-0123456789abcdef");
      assertThat(headers.getFirst(UpdateProtocol.PROTOCOL_HEADER)).isEqualTo("1");
      assertThat(headers.getFirst(UpdateProtocol.TIMESTAMP_HEADER)).isEqualTo(Long.toString(NOW.toEpochMilli()));
      String expected = EndpointCredentials.sign(KEY, "host-42", NOW.toEpochMilli(),
          headers.getFirst(UpdateProtocol.NONCE_HEADER), signalBodies.get(i));
      assertThat(headers.getFirst(UpdateProtocol.SIGNATURE_HEADER)).isEqualTo(expected);
    }
    assertThat(signalHeaders.get(0).getFirst(UpdateProtocol.NONCE_HEADER))
        .isNotEqualTo(signalHeaders.get(1).getFirst(UpdateProtocol.NONCE_HEADER));
    // A changed body no longer matches the signature.
    byte[] tampered = new String(signalBodies.get(0), StandardCharsets.UTF_8).replace("\"version\":6", "\"version\":5")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(EndpointCredentials.sign(KEY, "host-42", NOW.toEpochMilli(),
        signalHeaders.get(0).getFirst(UpdateProtocol.NONCE_HEADER), tampered))
        .isNotEqualTo(signalHeaders.get(0).getFirst(UpdateProtocol.SIGNATURE_HEADER));
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
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("credentials").hasMessageContaining("host-42");
  }
}
