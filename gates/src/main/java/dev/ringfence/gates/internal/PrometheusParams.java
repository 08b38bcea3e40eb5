package dev.ringfence.gates.internal;

import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.plan.InvalidPlanException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of a {@code prometheus} gate, read from a ring's {@code gate.params} with every problem reported
 * at once, each under its path ({@code gate.params.failIf: ...}; the engine puts {@code rings[i].} in front).
 *
 * @param queryUri the query endpoint, {@code url} + {@code /api/v1/query}
 * @param query the PromQL query with its placeholders
 * @param failIf FAIL when the value matches, or null
 * @param passIf PASS when the value matches, or null (then PASS is "not failIf")
 * @param minSamples passing evaluations in a row before PASS
 * @param consecutiveErrorLimit failed queries in a row tolerated before ERROR
 * @param timeout how long a query may take, on the engine's clock
 * @param interval least time between two queries
 */
public record PrometheusParams(URI queryUri, QueryTemplate query, @Nullable Threshold failIf,
    @Nullable Threshold passIf, int minSamples, int consecutiveErrorLimit, Duration timeout, Duration interval)
    implements PollingParams {

  /** Where the parameters are, relative to the ring. */
  static final String PREFIX = GateParams.PREFIX;
  /** The longest query accepted, in characters. */
  static final int MAX_QUERY_LENGTH = 16_384;

  private static final Set<String> KNOWN = Set.of("url", "query", "failIf", "passIf", "minSamples",
      "consecutiveErrorLimit", "timeout", "interval");

  /**
   * Reads and checks the parameters.
   *
   * @param params the ring's gate parameters, without {@code dryRun}
   * @return the parameters
   * @throws InvalidPlanException naming every bad parameter by its path
   */
  public static PrometheusParams read(Map<String, Object> params) {
    List<String> problems = new ArrayList<>();
    GateParams.refuseUnknown(params, KNOWN, "prometheus", problems);
    URI uri = url(params.get("url"), problems);
    String text = GateParams.string(params, "query", true, problems);
    QueryTemplate query = null;
    if (text != null) {
      if (text.length() > MAX_QUERY_LENGTH) {
        problems.add(PREFIX + "query: " + text.length() + " characters is over " + MAX_QUERY_LENGTH);
      }
      query = QueryTemplate.parse(text, PREFIX + "query", problems);
    }
    Threshold failIf = threshold(params, "failIf", problems);
    Threshold passIf = threshold(params, "passIf", problems);
    if (params.get("failIf") == null && params.get("passIf") == null) {
      problems.add(PREFIX + "failIf: neither failIf nor passIf is given; give at least one, e.g. \"failIf\": \"> 0.02\"");
    }
    int minSamples = GateParams.count(params, "minSamples", 1, 1, problems);
    int errorLimit = GateParams.count(params, "consecutiveErrorLimit",
        AsyncGateConfig.DEFAULT_CONSECUTIVE_ERROR_LIMIT, 0, problems);
    Duration timeout = GateParams.duration(params, "timeout",
        Duration.ofSeconds(AsyncGateConfig.DEFAULT_TIMEOUT_SECONDS), false, problems);
    Duration interval = GateParams.duration(params, "interval", Duration.ZERO, true, problems);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    return new PrometheusParams(uri, query, failIf, passIf, minSamples, errorLimit, timeout, interval);
  }

  private static @Nullable URI url(@Nullable Object value, List<String> problems) {
    URI uri = GateParams.httpUrl(value, "give Prometheus's base URL, e.g. http://prometheus:9090", Integer.MAX_VALUE,
        problems);
    if (uri == null) {
      return null;
    }
    if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      problems.add(PREFIX + "url: '" + GateParams.withoutUserInfo(uri.toString()) + "' must name a host and have no"
          + " query, fragment or user info (a password goes in the HttpClient's Authenticator, not the URL); the"
          + " gate adds /api/v1/query itself");
      return null;
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority() + path
        + "/api/v1/query");
  }

  private static @Nullable Threshold threshold(Map<String, Object> params, String key, List<String> problems) {
    String text = GateParams.string(params, key, false, problems);
    if (text == null) {
      return null;
    }
    Threshold threshold = Threshold.parse(text);
    if (threshold == null) {
      problems.add(PREFIX + key + ": '" + text + "' is not a comparison; write an operator (>, >=, <, <=, ==, !=)"
          + " and a number, e.g. \"> 0.02\"");
    }
    return threshold;
  }
}
