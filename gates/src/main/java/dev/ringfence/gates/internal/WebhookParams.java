package dev.ringfence.gates.internal;

import dev.ringfence.core.Durations;
import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.plan.InvalidPlanException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of a {@code webhook} gate, read from a ring's {@code gate.params} with every problem reported at
 * once, each under its path ({@code gate.params.url: ...}; the engine puts {@code rings[i].} in front).
 *
 * @param url where the ring's context is POSTed
 * @param secret where the signing secret is
 * @param metadata strings sent as they are in the request's {@code metadata}, sorted by key
 * @param timeout how long a measurement (every attempt and the waits between them) may take, on the engine's clock
 * @param requestTimeout how long one attempt may wait for the answer's headers
 * @param retries attempts after the first when one fails in a way another may mend
 * @param retryWait the wait before each retry
 * @param minSamples passing answers in a row before PASS
 * @param consecutiveErrorLimit failed measurements in a row tolerated before ERROR
 * @param interval least time between two measurements' starts
 */
public record WebhookParams(URI url, SecretRef secret, Map<String, String> metadata, Duration timeout,
    Duration requestTimeout, int retries, Duration retryWait, int minSamples, int consecutiveErrorLimit,
    Duration interval) implements PollingParams {

  /** The most retries a plan may ask for. */
  static final int MAX_RETRIES = 10;
  /** The longest {@code retryWait}. */
  static final Duration MAX_RETRY_WAIT = Duration.ofMinutes(1);
  /** The default {@code requestTimeout}. */
  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** The most metadata entries, and the longest key or value. */
  static final int MAX_METADATA = 32;
  static final int MAX_METADATA_LENGTH = 1024;
  /** The longest URL, in characters. */
  static final int MAX_URL_LENGTH = 2048;

  private static final String PREFIX = GateParams.PREFIX;
  private static final Set<String> KNOWN = Set.of("url", "secret", "metadata", "timeout", "requestTimeout",
      "retries", "retryWait", "minSamples", "consecutiveErrorLimit", "interval");

  /**
   * Copies.
   *
   * @param url where the ring's context is POSTed
   * @param secret where the signing secret is
   * @param metadata strings sent in the request's {@code metadata}
   * @param timeout how long a measurement may take, on the engine's clock
   * @param requestTimeout how long one attempt may wait for the answer's headers
   * @param retries attempts after the first
   * @param retryWait the wait before each retry
   * @param minSamples passing answers in a row before PASS
   * @param consecutiveErrorLimit failed measurements in a row tolerated before ERROR
   * @param interval least time between two measurements' starts
   */
  public WebhookParams {
    metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /**
   * Reads and checks the parameters.
   *
   * @param params the ring's gate parameters, without {@code dryRun}
   * @param filesAllowed whether the host gave a secrets directory, so that {@code {"file": ...}} may be used
   * @return the parameters
   * @throws InvalidPlanException naming every bad parameter by its path; never with a secret's value in it
   */
  public static WebhookParams read(Map<String, Object> params, boolean filesAllowed) {
    List<String> problems = new ArrayList<>();
    GateParams.refuseUnknown(params, KNOWN, "webhook", problems);
    URI url = url(params.get("url"), problems);
    SecretRef secret = SecretRef.read(params.get("secret"), PREFIX + "secret", filesAllowed, problems);
    Map<String, String> metadata = metadata(params.get("metadata"), problems);
    Duration timeout = GateParams.duration(params, "timeout",
        Duration.ofSeconds(AsyncGateConfig.DEFAULT_TIMEOUT_SECONDS), false, problems);
    Duration requestTimeout = GateParams.duration(params, "requestTimeout",
        DEFAULT_REQUEST_TIMEOUT.compareTo(timeout) < 0 ? DEFAULT_REQUEST_TIMEOUT : timeout, false, problems);
    if (params.get("requestTimeout") != null && requestTimeout.compareTo(timeout) > 0) {
      problems.add(PREFIX + "requestTimeout: " + params.get("requestTimeout") + " is longer than the timeout of the"
          + " whole measurement, " + Durations.format(timeout));
    }
    int retries = GateParams.count(params, "retries", 2, 0, MAX_RETRIES, problems);
    Duration retryWait = GateParams.duration(params, "retryWait", Duration.ofSeconds(1), true, MAX_RETRY_WAIT,
        problems);
    int minSamples = GateParams.count(params, "minSamples", 1, 1, problems);
    int errorLimit = GateParams.count(params, "consecutiveErrorLimit",
        AsyncGateConfig.DEFAULT_CONSECUTIVE_ERROR_LIMIT, 0, problems);
    Duration interval = GateParams.duration(params, "interval", Duration.ZERO, true, problems);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    return new WebhookParams(url, secret, metadata, timeout, requestTimeout, retries, retryWait, minSamples,
        errorLimit, interval);
  }

  private static @Nullable URI url(@Nullable Object value, List<String> problems) {
    URI uri = GateParams.httpUrl(value, "give the receiver's URL, e.g. https://checks.example.com/ringfence",
        MAX_URL_LENGTH, problems);
    if (uri == null) {
      return null;
    }
    if (uri.getHost() == null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      // User info would be a credential in the plan, which is stored and shown: the signature authenticates.
      problems.add(PREFIX + "url: '" + redact(uri) + "' must name a host and have no fragment or user info");
      return null;
    }
    return uri;
  }

  private static String redact(URI uri) {
    return GateParams.withoutUserInfo(uri.toString());
  }

  private static Map<String, String> metadata(@Nullable Object value, List<String> problems) {
    String field = PREFIX + "metadata";
    Map<String, String> result = new TreeMap<>();
    if (value == null) {
      return result;
    }
    if (!(value instanceof Map)) {
      problems.add(field + ": must be an object of strings, e.g. {\"check\": \"error-budget\"}");
      return result;
    }
    Map<?, ?> map = (Map<?, ?>) value;
    if (map.size() > MAX_METADATA) {
      problems.add(field + ": " + map.size() + " entries is over " + MAX_METADATA);
      return result;
    }
    for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
      String key = String.valueOf(e.getKey());
      if (key.isEmpty() || key.length() > MAX_METADATA_LENGTH) {
        problems.add(field + ": a key must have 1.." + MAX_METADATA_LENGTH + " characters");
      } else if (!(e.getValue() instanceof String) || ((String) e.getValue()).length() > MAX_METADATA_LENGTH) {
        problems.add(field + "." + key + ": must be a string of at most " + MAX_METADATA_LENGTH + " characters,"
            + " found " + e.getValue());
      } else {
        result.put(key, (String) e.getValue());
      }
    }
    return result;
  }
}
