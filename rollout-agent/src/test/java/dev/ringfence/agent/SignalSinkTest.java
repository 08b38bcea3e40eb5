package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.Signal;
import dev.ringfence.testing.RecordingSignalSink;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** In-memory and HTTP sinks: bounded, buffered while offline, oldest dropped first and counted. */
class SignalSinkTest {

  private MockWebServer server;
  private ExecutorService threads;
  private final AtomicBoolean online = new AtomicBoolean(false);
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    threads = Executors.newCachedThreadPool();
    server = MockPeers.start(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (!request.getUrl().encodedPath().equals("/v1/signals")) {
          return MockPeers.respond(404, new byte[0]);
        }
        if (!online.get()) {
          return MockPeers.respond(503, new byte[0]);
        }
        try {
          new ObjectMapper().readTree(request.getBody().toByteArray()).forEach(received::add);
        } catch (java.io.IOException e) {
          return MockPeers.respond(400, new byte[0]);
        }
        return MockPeers.respond(204, new byte[0]);
      }
    });
  }

  @AfterEach
  void stop() {
    server.close();
    threads.shutdownNow();
  }

  private static Heartbeat beat(long sequence) {
    return new Heartbeat("host-42", 1, sequence, 6, 0);
  }

  @Test
  void inMemory_full_dropsOldestFirst_andCountsThem() {
    RecordingSignalSink sink = new RecordingSignalSink(3);
    for (long i = 0; i < 5; i++) {
      sink.send(beat(i));
    }
    assertThat(sink.signals()).extracting(Signal::sequence).containsExactly(2L, 3L, 4L);
    assertThat(sink.dropped()).isEqualTo(2);
  }

  @Test
  void inMemory_capacityBelowOne_isRefused() {
    assertThatThrownBy(() -> new RecordingSignalSink(0)).hasMessageContaining("capacity: 0 must be at least 1");
  }

  @Test
  void http_offline_buffersBounded_thenDeliversNewestInOrder() {
    HttpClient client = HttpClient.newBuilder().executor(threads).build();
    BufferedSignalSink sink = SignalSinks.http(
        MockPeers.base(server).resolve("v1/signals"), 3, client);
    for (long i = 0; i < 4; i++) {
      sink.send(beat(i));
    }
    sink.send(new ApplyResult("host-42", 1, 4, 7, ApplyOutcome.REVERTED_BY_AGENT, "failed 3 starts"));
    assertThat(sink.flush()).as("server offline").isZero();
    assertThat(sink.buffered()).isEqualTo(3);
    assertThat(sink.dropped()).isEqualTo(2);

    online.set(true);
    assertThat(sink.flush()).isEqualTo(3);
    assertThat(sink.buffered()).isZero();
    assertThat(received).extracting(n -> n.get("sequence").asLong()).containsExactly(2L, 3L, 4L);
    JsonNode revert = received.get(2);
    assertThat(revert.get("type").asText()).isEqualTo("applyResult");
    assertThat(revert.get("outcome").asText()).isEqualTo("REVERTED_BY_AGENT");
    assertThat(revert.get("endpointId").asText()).isEqualTo("host-42");
    assertThat(received.get(0).get("failedStarts").asInt()).isZero();
  }

  @Test
  void http_serverGone_keepsSignalsBuffered() {
    HttpClient client = HttpClient.newBuilder().executor(threads).build();
    BufferedSignalSink sink = SignalSinks.http(
        MockPeers.base(server).resolve("v1/signals"), 10, client);
    server.close();
    sink.send(beat(0));
    assertThat(sink.flush()).isZero();
    assertThat(sink.buffered()).isEqualTo(1);
    assertThat(sink.dropped()).isZero();
  }
}
