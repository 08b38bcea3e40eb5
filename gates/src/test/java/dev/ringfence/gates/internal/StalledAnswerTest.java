package dev.ringfence.gates.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * A Prometheus (or a proxy before it) that sends its headers at once and then stalls the body: the query gives up
 * within its timeout and frees its thread, instead of waiting for the peer to close the connection.
 */
class StalledAnswerTest {

  private static final String ONE = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
      + "[{\"metric\":{},\"value\":[1,\"0.5\"]}]}}";

  @Test
  void headersThenAStalledBody_isAFailedQueryWithinItsTimeout() throws Exception {
    MockWebServer server = new MockWebServer();
    server.start(InetAddress.getLoopbackAddress(), 0);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(ONE)
          .bodyDelay(60, TimeUnit.SECONDS).build());
      PrometheusClient client = new PrometheusClient(PollingParams.defaultHttpClient());
      URI endpoint = URI.create(server.url("/api/v1/query").toString());
      Future<Sample> answer = thread.submit(() -> client.query(endpoint, "sum(up)",
          Instant.parse("2026-01-15T12:00:00Z"), Duration.ofSeconds(1)));
      // Bounded far above the 1 s timeout: before the fix the thread stayed blocked for the whole 60 s body delay.
      Throwable thrown = catchThrowable(() -> answer.get(20, TimeUnit.SECONDS));
      assertThat(thrown).isInstanceOf(ExecutionException.class);
      assertThat(thrown.getCause()).hasMessageContaining("cannot query " + endpoint)
          .hasRootCauseInstanceOf(HttpTimeoutException.class);
      assertThat(thrown.getCause().getCause()).hasMessage("no whole answer within PT1S");
    } finally {
      thread.shutdownNow();
      server.close();
    }
  }
}
