package dev.ringfence.gates.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A webhook receiver on 127.0.0.1 (OkHttp's MockWebServer) that does what docs/gates.md tells receivers to do:
 * it checks every request's {@code Ringfence-Signature} against HMAC-SHA256 of {@code <Ringfence-Timestamp> "."
 * <body>} under its secret, computed here from the documented contract and not by the gate's code, and answers
 * 401 when it does not match. Otherwise it answers with the next scripted answer (the last one repeats), or
 * waits until {@link #release()} when told to hang.
 */
public final class WebhookReceiver implements AutoCloseable {

  private record Answer(int status, String body) {
    MockResponse response() {
      return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body).build();
    }
  }

  /** One request as received, with whether its signature was right. */
  public record Request(String timestamp, String signature, String delivery, byte[] body, JsonNode json,
      boolean signedRight) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MockWebServer server = new MockWebServer();
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<Request> requests = new ArrayList<>();
  private final Deque<Answer> script = new ArrayDeque<>();
  private byte[] secret;
  private boolean hang;

  private WebhookReceiver(byte[] secret) {
    this.secret = secret.clone();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest recorded) throws InterruptedException {
        return answer(recorded);
      }
    });
  }

  /**
   * @param secret the secret the receiver checks signatures with
   * @return a started receiver on 127.0.0.1, on a free port
   */
  public static WebhookReceiver start(String secret) {
    WebhookReceiver receiver = new WebhookReceiver(secret.getBytes(StandardCharsets.UTF_8));
    try {
      receiver.server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return receiver;
  }

  /** @return the URL the gate posts to */
  public String url() {
    return "http://127.0.0.1:" + server.getPort() + "/gate?check=canary";
  }

  /**
   * @param secret the secret checked from now on (the gate's secret was rotated)
   */
  public synchronized void secret(String secret) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Queues answers; the last one is repeated once the others are used.
   *
   * @param status the HTTP status
   * @param body the body
   * @return this receiver
   */
  public synchronized WebhookReceiver then(int status, String body) {
    script.add(new Answer(status, body));
    return this;
  }

  /**
   * Queues a verdict answered with HTTP 200.
   *
   * @param verdict the verdict
   * @param reason the reason
   * @return this receiver
   */
  public WebhookReceiver thenVerdict(String verdict, String reason) {
    return then(200, "{\"verdict\": \"" + verdict + "\", \"reason\": \"" + reason + "\"}");
  }

  /** From now on, requests get no answer until {@link #release()}. */
  public synchronized void hang() {
    hang = true;
  }

  /** Lets hanging requests go (with a 503). */
  public void release() {
    released.countDown();
  }

  /** @return the requests received so far, in order */
  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** @return how many requests were badly signed */
  public synchronized long badlySigned() {
    return requests.stream().filter(r -> !r.signedRight()).count();
  }

  private MockResponse answer(RecordedRequest recorded) throws InterruptedException {
    boolean waits;
    Answer response;
    synchronized (this) {
      byte[] body = recorded.getBody() == null ? new byte[0] : recorded.getBody().toByteArray();
      String timestamp = String.valueOf(recorded.getHeaders().get("Ringfence-Timestamp"));
      String signature = String.valueOf(recorded.getHeaders().get("Ringfence-Signature"));
      boolean right = "POST".equals(recorded.getMethod()) && verify(secret, timestamp, body, signature);
      JsonNode json;
      try {
        json = JSON.readTree(body);
      } catch (IOException e) {
        json = null;
      }
      requests.add(new Request(timestamp, signature, String.valueOf(recorded.getHeaders().get("Ringfence-Delivery")),
          body, json, right));
      if (!right) {
        return new MockResponse.Builder().code(401).body("bad signature").build();
      }
      waits = hang;
      response = script.size() > 1 ? script.poll() : script.peek();
    }
    if (waits) {
      released.await();
      return new MockResponse.Builder().code(503).build();
    }
    return response == null ? new MockResponse.Builder().code(500).build() : response.response();
  }

  /** The receiver's check, written from docs/gates.md. */
  static boolean verify(byte[] secret, String timestamp, byte[] body, String header) {
    if (!timestamp.matches("[0-9]+") || !header.startsWith("sha256=")) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] signed = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
      mac.update(signed);
      byte[] expected = mac.doFinal(body);
      byte[] given = HexFormat.of().parseHex(header.substring("sha256=".length()));
      return MessageDigest.isEqual(expected, given);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public void close() {
    release();
    server.close();
  }
}
