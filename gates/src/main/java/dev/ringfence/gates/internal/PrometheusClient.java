package dev.ringfence.gates.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Prometheus's instant query, {@code POST /api/v1/query} with {@code query} and {@code time} form-encoded, over
 * the JDK's {@link HttpClient}. Blocking: it runs on the gate's executor, never on the tick thread.
 */
public final class PrometheusClient {

  /** The largest answer read, in bytes: an instant query for one number is a few hundred. */
  static final int MAX_RESPONSE_BYTES = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;

  /**
   * @param http the client the requests go through
   */
  public PrometheusClient(HttpClient http) {
    this.http = http;
  }

  /**
   * Asks Prometheus for the value of a query at an instant.
   *
   * @param endpoint the {@code /api/v1/query} URI
   * @param query the PromQL query
   * @param at the evaluation instant ({@code time=})
   * @param timeout how long the request may take
   * @return the answer: one value, or no data
   * @throws QueryFailedException when Prometheus refuses the query or answers something other than one number
   * @throws IOException when Prometheus cannot be reached
   * @throws InterruptedException when the measurement is abandoned
   */
  public Sample query(URI endpoint, String query, Instant at, Duration timeout)
      throws QueryFailedException, IOException, InterruptedException {
    String form = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&time="
        + URLEncoder.encode(time(at), StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .timeout(timeout)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
        .build();
    HttpResponse<byte[]> response;
    try {
      response = CappedAnswer.send(http, request, MAX_RESPONSE_BYTES);
    } catch (IOException e) {
      // A refused connection has no message of its own: say where it went.
      throw new IOException("cannot query " + endpoint + ": " + e, e);
    }
    byte[] body = response.body();
    if (body.length > MAX_RESPONSE_BYTES) {
      throw new QueryFailedException("HTTP " + response.statusCode() + " from " + endpoint + ": the answer is over "
          + MAX_RESPONSE_BYTES + " bytes");
    }
    return parse(endpoint, query, response.statusCode(), body);
  }

  /** Prometheus's {@code time}: Unix seconds with the milliseconds of the engine's clock. */
  static String time(Instant at) {
    return BigDecimal.valueOf(at.toEpochMilli()).movePointLeft(3).toPlainString();
  }

  static Sample parse(URI endpoint, String query, int status, byte[] body) throws QueryFailedException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      throw new QueryFailedException("HTTP " + status + " from " + endpoint + " is not a Prometheus API answer: "
          + excerpt(body));
    }
    if (!"success".equals(root.path("status").asText())) {
      throw new QueryFailedException("Prometheus refused the query " + query + " (HTTP " + status + ", "
          + root.path("errorType").asText("no errorType") + "): " + root.path("error").asText("no error message"));
    }
    if (status / 100 != 2) {
      throw new QueryFailedException("HTTP " + status + " from " + endpoint + " with status success");
    }
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    switch (type) {
      case "scalar":
        return sample(query, result, "a scalar");
      case "vector":
        if (!result.isArray()) {
          break;
        }
        if (result.size() == 0) {
          return new Sample(query, null, "the query returned an empty vector (no series)");
        }
        if (result.size() > 1) {
          throw new QueryFailedException("the query returned " + result.size() + " series, first "
              + result.get(0).path("metric") + "; a gate needs one number: aggregate them (sum, max, avg)");
        }
        return sample(query, result.get(0).path("value"), "the one series " + result.get(0).path("metric"));
      default:
        throw new QueryFailedException("the query returned a " + (type.isEmpty() ? "result without a type" : type)
            + "; a gate needs an instant vector of one series or a scalar");
    }
    throw new QueryFailedException("the answer's data.result is not a list: " + excerpt(body));
  }

  private static Sample sample(String query, JsonNode pair, String what) throws QueryFailedException {
    if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
      throw new QueryFailedException(what + " has no [time, \"value\"] pair: " + pair);
    }
    String value = pair.get(1).asText();
    double number;
    try {
      number = parseValue(value);
    } catch (NumberFormatException e) {
      throw new QueryFailedException(what + " has the value '" + value + "', which is not a number");
    }
    if (Double.isNaN(number)) {
      return new Sample(query, null, what + " is NaN (for example 0/0: nothing was counted)");
    }
    return new Sample(query, value, null);
  }

  /** Prometheus's float text: Go's {@code strconv.FormatFloat}, with {@code +Inf}, {@code -Inf} and {@code NaN}. */
  static double parseValue(String text) {
    switch (text) {
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        return Double.parseDouble(text);
    }
  }

  private static String excerpt(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    return body.length > 200 ? text + "..." : text;
  }
}
