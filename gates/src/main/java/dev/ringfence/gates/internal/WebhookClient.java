package dev.ringfence.gates.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ringfence.core.gate.Verdict;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * POSTs one measurement's signed request to a webhook receiver over the JDK's {@link HttpClient}, retried with a
 * resilience4j {@link Retry} when another attempt may mend it (no connection, no answer within the request
 * timeout, HTTP 408, 429 or 5xx), and reads the 2xx answer strictly. Blocking: it runs on the gate's executor,
 * never on the tick thread; an interrupt (the measurement abandoned on the engine's clock) stops it.
 */
public final class WebhookClient {

  /** The largest answer read, in bytes. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;
  /** The longest receiver's reason kept in a verdict, in characters; a longer one is cut. */
  static final int MAX_REASON = 1000;
  /** The longest answer kept in a verdict, in characters; a longer one is cut. */
  static final int MAX_ANSWER = 2000;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final HttpClient http;

  /**
   * @param http the client the requests go through
   */
  public WebhookClient(HttpClient http) {
    this.http = http;
  }

  /**
   * Sends a request until an answer decides or the attempts run out.
   *
   * @param url the receiver
   * @param request the body and its signature's parts
   * @param signature the {@link WebhookRequest#SIGNATURE} header's value
   * @param params the request timeout, retries and wait
   * @param exposure the exposure the body carries, for the answer
   * @return the answer that decided
   * @throws WebhookFailedException when the receiver answered something another attempt would not mend
   * @throws IOException when every attempt failed to get an answer, or got 408, 429 or 5xx
   * @throws InterruptedException when the measurement is abandoned
   */
  public WebhookAnswer post(URI url, WebhookRequest request, String signature, WebhookParams params,
      @Nullable Exposure exposure) throws WebhookFailedException, IOException, InterruptedException {
    int attempts = params.retries() + 1;
    long waitMillis = params.retryWait().toMillis();
    Retry retry = Retry.of("ringfence-webhook-gate", RetryConfig.custom()
        .maxAttempts(attempts)
        .intervalFunction(attempt -> waitMillis) // a lambda: IntervalFunction.of refuses 0, which plans may give
        .retryExceptions(IOException.class)
        .ignoreExceptions(WebhookFailedException.class, InterruptedException.class)
        .build());
    HttpRequest http = HttpRequest.newBuilder(url)
        .timeout(params.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header(WebhookRequest.TIMESTAMP, request.timestamp())
        .header(WebhookRequest.SIGNATURE, signature)
        .header(WebhookRequest.DELIVERY, request.id())
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()))
        .build();
    AtomicInteger attempt = new AtomicInteger();
    Callable<WebhookAnswer> once = () -> attempt(url, http, attempt.incrementAndGet(), attempts, exposure);
    try {
      return Retry.decorateCallable(retry, once).call();
    } catch (WebhookFailedException | IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e.toString(), e); // attempt() throws nothing else
    }
  }

  private WebhookAnswer attempt(URI url, HttpRequest request, int attempt, int attempts, @Nullable Exposure exposure)
      throws WebhookFailedException, IOException, InterruptedException {
    String which = " (attempt " + attempt + " of " + attempts + ")";
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException("the measurement was abandoned before attempt " + attempt);
    }
    HttpResponse<byte[]> response;
    try {
      response = CappedAnswer.send(http, request, MAX_RESPONSE_BYTES);
    } catch (IOException e) {
      // A refused connection has no message of its own: say where it went.
      throw new IOException("cannot POST to " + url + which + ": " + e, e);
    }
    byte[] body = response.body();
    int status = response.statusCode();
    if (body.length > MAX_RESPONSE_BYTES) {
      throw new WebhookFailedException("HTTP " + status + " from " + url + which + ": the answer is over "
          + MAX_RESPONSE_BYTES + " bytes");
    }
    if (status == 408 || status == 429 || status / 100 == 5) {
      throw new RetryableAnswerException("HTTP " + status + " from " + url + which + ": " + excerpt(body));
    }
    if (status / 100 != 2) {
      throw new WebhookFailedException("HTTP " + status + " from " + url + which + ", not retried (only 408, 429 and"
          + " 5xx are): " + excerpt(body));
    }
    return parse(url + which, status, body, attempt, attempts, exposure);
  }

  /**
   * Reads a 2xx answer: a JSON object with {@code verdict} PASS, FAIL or INCONCLUSIVE (exactly so) and an
   * optional string {@code reason}; other fields are kept in the answer, not read. Anything else is an error.
   */
  static WebhookAnswer parse(String from, int status, byte[] body, int attempt, int attempts,
      @Nullable Exposure exposure) throws WebhookFailedException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new WebhookFailedException("HTTP " + status + " from " + from + " is not JSON ("
          + e.getOriginalMessage() + "): " + excerpt(body));
    } catch (IOException e) {
      throw new WebhookFailedException("HTTP " + status + " from " + from + " cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new WebhookFailedException("HTTP " + status + " from " + from + " is not a JSON object with a verdict: "
          + excerpt(body));
    }
    String answer = cut(root.toString(), MAX_ANSWER);
    JsonNode verdict = root.get("verdict");
    if (verdict == null || !verdict.isTextual()) {
      throw new WebhookFailedException("HTTP " + status + " from " + from + " has no string verdict; expected"
          + " {\"verdict\": \"PASS|FAIL|INCONCLUSIVE\", \"reason\": \"...\"}: " + answer);
    }
    Verdict.Outcome outcome;
    switch (verdict.textValue()) {
      case "PASS":
        outcome = Verdict.Outcome.PASS;
        break;
      case "FAIL":
        outcome = Verdict.Outcome.FAIL;
        break;
      case "INCONCLUSIVE":
        outcome = Verdict.Outcome.INCONCLUSIVE;
        break;
      default:
        throw new WebhookFailedException("HTTP " + status + " from " + from + " has the unknown verdict "
            + verdict + "; a receiver says PASS, FAIL or INCONCLUSIVE: " + answer);
    }
    JsonNode reason = root.get("reason");
    if (reason != null && !reason.isNull() && !reason.isTextual()) {
      throw new WebhookFailedException("HTTP " + status + " from " + from + " has a reason that is not a string: "
          + answer);
    }
    String text = reason == null || reason.isNull() || reason.textValue().isBlank() ? null
        : cut(oneLine(reason.textValue()), MAX_REASON);
    return new WebhookAnswer(status, attempt, attempts, outcome, text, answer, exposure);
  }

  private static String oneLine(String text) {
    return text.replaceAll("\\p{Cntrl}+", " ").strip();
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  private static String excerpt(byte[] body) {
    if (body.length == 0) {
      return "(no body)";
    }
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    return body.length > 200 ? text + "..." : text;
  }
}
