package dev.ringfence.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.FetchConfig;
import dev.ringfence.protocol.UpdateProtocol;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Fetches envelopes and payloads over {@link HttpClient}, each attempt bounded by a resilience4j
 * {@link TimeLimiter}, guarded by a {@link CircuitBreaker}, and retried with exponential backoff and
 * jitter. Payloads stream to a temporary file with a hard size cap and are hashed on the way.
 *
 * <p>Server paths: {@code GET {base}/v1/channels/{channel}/envelope} (200 with the envelope JSON, or 204
 * when there is no release, possibly with a REVERT directive) and
 * {@code GET {base}/v1/channels/{channel}/releases/{version}/payload}. Every request names the version the
 * endpoint runs and, when credentials are set, the endpoint and its bearer token ({@link UpdateProtocol}).
 */
public final class HttpFetcher {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final int BUFFER = 64 * 1024;
  private static final int MAX_ENVELOPE_BYTES = 64 * 1024;
  private static final int MAX_TRUST_DOCUMENT_BYTES = 256 * 1024;

  private final URI base;
  private final String channel;
  private final FetchConfig config;
  private final ExecutorService executor;
  private final HttpClient client;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final TimeLimiter timeLimiter;
  private final @Nullable EndpointCredentials credentials;
  private final LongSupplier currentVersion;

  /**
   * The server's answer to an envelope request.
   *
   * @param envelope the envelope's JSON bytes, null when the server offers none
   * @param revertTo the version a REVERT directive names, -1 when there is none
   * @param reason the server's reason for the REVERT, empty otherwise
   */
  public record EnvelopeAnswer(byte @Nullable [] envelope, long revertTo, String reason) {
    static final EnvelopeAnswer NONE = new EnvelopeAnswer(null, -1, "");
  }

  /** The server answered with a status that is worth retrying (5xx, 429). */
  static final class RetryableStatusException extends IOException {
    private static final long serialVersionUID = 1L;

    RetryableStatusException(String message) {
      super(message);
    }
  }

  /** The fetch failed for good: after retries, with the breaker open, or with a client error. */
  public static final class FetchFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    FetchFailedException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A downloaded payload.
   *
   * @param file the temporary file; the caller deletes it
   * @param size its size
   * @param sha256 its SHA-256, lowercase hex
   */
  public record Download(Path file, long size, String sha256) {}

  /**
   * @param base the update server's base URI
   * @param channel the channel
   * @param config timeouts, retries, breaker, cap
   * @param executor runs the attempts (and the HTTP client's tasks)
   */
  public HttpFetcher(URI base, String channel, FetchConfig config, ExecutorService executor) {
    this(base, channel, config, executor, null, () -> 0);
  }

  /**
   * @param base the update server's base URI
   * @param channel the channel
   * @param config timeouts, retries, breaker, cap
   * @param executor runs the attempts (and the HTTP client's tasks)
   * @param credentials sent with every request; null to send none
   * @param currentVersion the version the endpoint runs now, sent with every request
   */
  public HttpFetcher(URI base, String channel, FetchConfig config, ExecutorService executor,
      @Nullable EndpointCredentials credentials, LongSupplier currentVersion) {
    this.credentials = credentials;
    this.currentVersion = currentVersion;
    this.base = base;
    this.channel = channel;
    this.config = config;
    this.executor = executor;
    this.client = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).executor(executor)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.retry = Retry.of("ringfence-fetch", RetryConfig.custom()
        .maxAttempts(config.maxAttempts())
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(config.initialBackoff(),
            config.backoffMultiplier(), config.jitter()))
        .retryExceptions(IOException.class, TimeoutException.class)
        .ignoreExceptions(CallNotPermittedException.class, ContentRefusedException.class)
        .build());
    this.breaker = CircuitBreaker.of("ringfence-fetch", CircuitBreakerConfig.custom()
        .failureRateThreshold(config.breakerFailureRatePercent())
        .minimumNumberOfCalls(config.breakerMinimumCalls())
        .slidingWindowSize(Math.max(config.breakerMinimumCalls(), 10))
        .waitDurationInOpenState(config.breakerOpenDuration())
        .recordExceptions(IOException.class, TimeoutException.class)
        .build());
    this.timeLimiter = TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(config.attemptTimeout())
        .cancelRunningFuture(true).build());
  }

  /** @return the circuit breaker's state, for diagnostics and tests */
  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  /**
   * @return the envelope's JSON bytes, or none, or a REVERT directive
   * @throws FetchFailedException when the server cannot be reached or answers with an error
   */
  public EnvelopeAnswer fetchEnvelope() throws FetchFailedException {
    URI uri = base.resolve("v1/channels/" + channel + "/envelope");
    return resilient("envelope", guard -> {
      HttpResponse<InputStream> response = send(uri);
      try (InputStream body = guard.register(response.body())) {
        if (response.statusCode() == 204) {
          return revertDirective(uri, response);
        }
        if (response.statusCode() == 404) {
          return EnvelopeAnswer.NONE;
        }
        checkStatus(uri, response.statusCode(), body);
        byte[] bytes = body.readNBytes(MAX_ENVELOPE_BYTES + 1);
        if (bytes.length > MAX_ENVELOPE_BYTES) {
          throw new IOException("envelope from " + uri + " is above " + MAX_ENVELOPE_BYTES + " bytes");
        }
        return new EnvelopeAnswer(bytes, -1, "");
      }
    });
  }

  /**
   * The channel's signed freshness timestamp, {@code GET {base}/v1/channels/{channel}/timestamp}.
   *
   * @return its JSON bytes, null when the server has none (404)
   * @throws FetchFailedException when the server cannot be reached or answers with an error
   */
  public byte @Nullable [] fetchTimestamp() throws FetchFailedException {
    return fetchDocument(base.resolve("v1/channels/" + channel + "/timestamp"), "timestamp");
  }

  /**
   * One version of the trust root, {@code GET {base}/v1/roots/{version}}.
   *
   * @param version the root version
   * @return its JSON bytes, null when the server has no such version (404)
   * @throws FetchFailedException when the server cannot be reached or answers with an error
   */
  public byte @Nullable [] fetchRoot(long version) throws FetchFailedException {
    return fetchDocument(base.resolve("v1/roots/" + version), "root v" + version);
  }

  private byte @Nullable [] fetchDocument(URI uri, String what) throws FetchFailedException {
    return resilient(what, guard -> {
      HttpResponse<InputStream> response = send(uri);
      try (InputStream body = guard.register(response.body())) {
        if (response.statusCode() == 404) {
          return null;
        }
        checkStatus(uri, response.statusCode(), body);
        byte[] bytes = body.readNBytes(MAX_TRUST_DOCUMENT_BYTES + 1);
        if (bytes.length > MAX_TRUST_DOCUMENT_BYTES) {
          throw new IOException(what + " from " + uri + " is above " + MAX_TRUST_DOCUMENT_BYTES + " bytes");
        }
        return bytes;
      }
    });
  }

  private static EnvelopeAnswer revertDirective(URI uri, HttpResponse<?> response) throws IOException {
    if (!"REVERT".equals(response.headers().firstValue(UpdateProtocol.DECISION_HEADER).orElse(""))) {
      return EnvelopeAnswer.NONE;
    }
    String to = response.headers().firstValue(UpdateProtocol.REVERT_TO_HEADER).orElse("");
    long version;
    try {
      version = Long.parseLong(to);
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 0) {
      throw new ClientErrorException(uri + " answered REVERT with " + UpdateProtocol.REVERT_TO_HEADER + " '" + to
          + "'; expected a version");
    }
    return new EnvelopeAnswer(null, version, response.headers().firstValue(UpdateProtocol.REASON_HEADER)
        .orElse("the update server asked for a revert"));
  }

  /**
   * Streams a payload to a temporary file in {@code directory}, cutting it at {@code min(signedSize,
   * maxPayloadBytes)}.
   *
   * @param version the version
   * @param signedSize the size the envelope states
   * @param directory where the temporary file goes (the state directory's file system)
   * @return the download
   * @throws FetchFailedException when the server cannot be reached or answers with an error
   * @throws ContentRefusedException {@link ContentRefusedException.Reason#PAYLOAD_TOO_LARGE} when the server
   *     sends more than the cap
   */
  public Download fetchPayload(long version, long signedSize, Path directory) throws FetchFailedException {
    URI uri = base.resolve("v1/channels/" + channel + "/releases/" + version + "/payload");
    long cap = Math.min(signedSize, config.maxPayloadBytes());
    return resilient("payload v" + version, guard -> {
      HttpResponse<InputStream> response = send(uri);
      try (InputStream body = guard.register(response.body())) {
        checkStatus(uri, response.statusCode(), body);
        Files.createDirectories(directory);
        Path file = Files.createTempFile(directory, "download-v" + version + "-", ".part");
        boolean ok = false;
        try {
          Download download = copyCapped(body, file, version, cap);
          ok = true;
          return download;
        } finally {
          if (!ok) {
            Files.deleteIfExists(file);
          }
        }
      }
    });
  }

  private HttpResponse<InputStream> send(URI uri) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(config.attemptTimeout())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, Long.toString(currentVersion.getAsLong()))
        .header(UpdateProtocol.PROTOCOL_HEADER, Integer.toString(UpdateProtocol.PROTOCOL_VERSION));
    if (credentials != null) {
      request.header(UpdateProtocol.ENDPOINT_HEADER, credentials.endpointId())
          .header("Authorization", credentials.authorization());
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private static void checkStatus(URI uri, int status, InputStream body) throws IOException {
    if (status >= 500 || status == 429) {
      throw new RetryableStatusException("HTTP " + status + " from " + uri);
    }
    if (status != 200) {
      throw new ClientErrorException("HTTP " + status + " from " + uri + serverReason(body));
    }
  }

  /**
   * The {@code message} of the server's JSON error (e.g. a 426 that names the side to upgrade), printable
   * ASCII and at most 300 characters, or nothing when the answer has none.
   */
  private static String serverReason(InputStream body) {
    try {
      byte[] bytes = body.readNBytes(4096);
      String message = MAPPER.readTree(bytes).path("message").asText("");
      if (message.isEmpty()) {
        return "";
      }
      String printable = message.replaceAll("[^\\x20-\\x7e]", "?");
      return ": " + (printable.length() > 300 ? printable.substring(0, 300) + "..." : printable);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** A 4xx answer: retrying will not help; not a sign of an unhealthy server either. */
  static final class ClientErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClientErrorException(String message) {
      super(message);
    }
  }

  private static Download copyCapped(InputStream body, Path file, long version, long cap) throws IOException {
    MessageDigest digest = Digests.sha256();
    long total = 0;
    byte[] buffer = new byte[BUFFER];
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      int read;
      while ((read = body.read(buffer)) != -1) {
        total += read;
        if (total > cap) {
          throw Refusals.payloadTooLarge(version, cap);
        }
        digest.update(buffer, 0, read);
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
    }
    return new Download(file, total, HexFormat.of().formatHex(digest.digest()));
  }

  /** One attempt, which registers the response body it reads with its guard. */
  private interface Attempt<T> {
    T run(AttemptGuard guard) throws Exception;
  }

  /**
   * Closes the body an attempt reads when the attempt times out. Cancelling the attempt interrupts its
   * thread, but a read on {@link HttpClient}'s body stream does not wake up on an interrupt: against a
   * server that sends part of a body and then stalls, the thread and its half-written download would stay
   * until the server let go. Closing the stream ends the read at once.
   */
  private static final class AttemptGuard {
    private @Nullable InputStream body;
    private boolean timedOut;

    synchronized InputStream register(InputStream stream) throws IOException {
      if (timedOut) {
        stream.close();
        throw new IOException("the attempt timed out before its body was read");
      }
      body = stream;
      return stream;
    }

    void timedOut() {
      InputStream stream;
      synchronized (this) {
        timedOut = true;
        stream = body;
      }
      if (stream != null) {
        try {
          stream.close();
        } catch (IOException e) {
          // the attempt fails either way
        }
      }
    }
  }

  private <T> T resilient(String what, Attempt<T> attempt) throws FetchFailedException {
    Callable<T> limited = () -> {
      AttemptGuard guard = new AttemptGuard();
      try {
        return timeLimiter.executeFutureSupplier(() -> executor.submit(() -> attempt.run(guard)));
      } catch (TimeoutException e) {
        guard.timedOut();
        throw e;
      }
    };
    Callable<T> guarded = CircuitBreaker.decorateCallable(breaker, limited);
    Callable<T> retried = Retry.decorateCallable(retry, guarded);
    try {
      return retried.call();
    } catch (ContentRefusedException e) { // the payload was cut at its cap
      throw e;
    } catch (CallNotPermittedException e) {
      throw new FetchFailedException(what + ": circuit breaker is open after repeated failures; not calling "
          + base + " until it lets a probe through", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchFailedException(what + ": interrupted", e);
    } catch (Exception e) {
      throw new FetchFailedException(what + ": " + e, e);
    }
  }
}
