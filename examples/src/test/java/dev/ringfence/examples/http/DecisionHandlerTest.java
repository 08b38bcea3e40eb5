package dev.ringfence.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.examples.QuickStart;
import dev.ringfence.testing.ManualClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecisionHandlerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private HttpServer server;

  @BeforeEach
  void startServer() throws IOException {
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom()
        .clock(ManualClock.at("2024-07-19T04:09:00Z")).build());
    Rollout rollout = QuickStart.startRollout(engine);
    server = DecisionHandler.serve(new InetSocketAddress("127.0.0.1", 0), rollout);
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void get_endpointInTheCanary_answersOfferWithRingAsJson() throws Exception {
    HttpResponse<String> response = get("/decide?endpoint=host-69&current=41&os=windows&region=eu-west&tier=standard");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("kind").asText()).isEqualTo("OFFER");
    assertThat(body.get("version").asLong()).isEqualTo(42);
    assertThat(body.get("ring").asText()).isEqualTo("canary");
    assertThat(body.get("reason").asText()).isEqualTo("admitted to ring 'canary'");
  }

  @Test
  void get_endpointOutsideTheOpenRings_answersStayWithNullRing() throws Exception {
    HttpResponse<String> response = get("/decide?endpoint=host-42&current=41");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("kind").asText()).isEqualTo("STAY");
    assertThat(body.get("version").asLong()).isEqualTo(41);
    assertThat(body.get("ring").isNull()).isTrue();
    assertThat(body.get("reason").asText()).isEqualTo("outside the open rings");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/decide?current=41                  | endpoint | bad-request",
      "/decide?endpoint=&current=41        | endpoint | bad-request",
      "/decide?endpoint=%20&current=41     | endpoint | bad-request",
      "/decide?endpoint=host-69            | current  | bad-request",
      "/decide?endpoint=host-69&current=v41 | current | bad-request",
      "/decide?endpoint=host-69&current=4.1 | current | bad-request",
      "/decide?endpoint=host-69&current=-1 | current  | bad-request",
      "/decide?endpoint=host-69&current=43 | current  | unknown-version",
      "/decide                             | endpoint | bad-request"})
  void get_badInput_answers400NamingTheField(String path, String field, String error) throws Exception {
    HttpResponse<String> response = get(path);

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("error").asText()).isEqualTo(error);
    assertThat(body.get("field").asText()).isEqualTo(field);
    assertThat(body.get("message").asText()).isNotBlank();
  }

  @Test
  void post_decide_answers405AllowingGet() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/decide?endpoint=host-69&current=41"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("method-not-allowed");
  }

  @Test
  void get_pathBelowDecide_answers404() throws Exception {
    assertThat(get("/decide/more?endpoint=host-69&current=41").statusCode()).isEqualTo(404);
  }

  @Test
  void serve_loopbackPortZero_bindsAnEphemeralPortOn127001() {
    assertThat(server.getAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(server.getAddress().getPort()).isPositive();
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
  }
}
