package dev.ringfence.server;

import dev.ringfence.core.DuplicateRolloutException;
import dev.ringfence.core.FreezeWindowException;
import dev.ringfence.core.IllegalStateTransitionException;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.UnknownRolloutException;
import dev.ringfence.core.UnknownVersionException;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.PlanLintException;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.InvalidSignalException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches requests by method and path template ({@code /v1/channels/{channel}/envelope}); runs the
 * route's guard (admin token, endpoint token) before its handler; turns every refusal into a JSON error
 * with the field at fault, and every unexpected failure into a 500 that is logged. A Jetty handler whose
 * routes block (they read bodies and may call the database), so Jetty runs it on a pool thread.
 */
final class Router extends org.eclipse.jetty.server.Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z0-9]+)}");

  /** Runs before a handler; throws {@link HttpError} to refuse. */
  interface Guard {
    void check(Request request);

    /** @return the role an admin route needs, or null for a route that takes no admin token */
    default @Nullable Role role() {
      return null;
    }
  }

  /** A route's work. */
  interface Handler {
    Response handle(Request request) throws IOException;
  }

  private record Route(String method, String template, Pattern pattern, List<String> names, Guard guard,
      long maxBody, Handler handler) {}

  /** Request bytes read (and thrown away) after the handler, under the request's deadline. */
  static final long DISCARD_LIMIT = 32L << 20;

  private final List<Route> routes = new ArrayList<>();
  private final RequestDeadlines deadlines;
  private final Runnable onTimeout;
  private final Runnable onUndelivered;
  private final LongSupplier ticker;
  /** Timeouts since the last log line: a flood of stalled clients is one line per interval, not one each. */
  private final AtomicLong timeoutsUnlogged = new AtomicLong();
  private final AtomicLong lastTimeoutLogNanos;
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
  private final HostCheck hosts;

  /**
   * @param deadlines bound each request's time until its answer is ready
   * @param onTimeout counts a request disconnected at its deadline
   * @param onUndelivered counts an answer the client did not take (it closed or reset the connection first)
   * @param ticker nanoseconds, for the interval between timeout log lines
   * @param hosts the {@code Host} headers the server answers; every other gets 421
   */
  Router(RequestDeadlines deadlines, Runnable onTimeout, Runnable onUndelivered, LongSupplier ticker,
      HostCheck hosts) {
    super(org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING);
    this.deadlines = deadlines;
    this.onTimeout = onTimeout;
    this.onUndelivered = onUndelivered;
    this.ticker = ticker;
    this.lastTimeoutLogNanos = new AtomicLong(ticker.getAsLong() - LOG_INTERVAL_NANOS);
    this.hosts = hosts;
  }

  void add(String method, String template, Guard guard, long maxBody, Handler handler) {
    if (template.startsWith("/admin/") && guard.role() == null) {
      throw new IllegalArgumentException(method + " " + template + ": an admin route must name the role it needs");
    }
    List<String> names = new ArrayList<>();
    Matcher m = PARAM.matcher(template);
    StringBuilder regex = new StringBuilder();
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
      names.add(m.group(1));
      last = m.end();
    }
    regex.append(Pattern.quote(template.substring(last)));
    routes.add(new Route(method, template, Pattern.compile(regex.toString()), names, guard, maxBody, handler));
  }

  @Override
  public boolean handle(org.eclipse.jetty.server.Request exchange, org.eclipse.jetty.server.Response out,
      Callback callback) {
    Runnable abort = () -> exchange.getConnectionMetaData().getConnection().getEndPoint().close();
    RequestDeadlines.Deadline deadline = deadlines.arm(() -> {
      onTimeout.run(); // counted before the connection closes, so that whoever sees it closed sees it counted
      abort.run();
    });
    InputStream body = org.eclipse.jetty.server.Request.asInputStream(exchange);
    try {
      Response response;
      try {
        response = dispatch(exchange, body);
      } catch (HttpError e) {
        response = error(e);
      } catch (RuntimeException e) {
        response = error(translate(e));
      }
      // A body refused for its size (413) is not read at all: the answer goes out at once and the connection
      // closes after it. Any other rest of a body is read here, under the deadline, so that a client that
      // stalls after the part a route reads cannot hold the connection's next request.
      boolean refusedUnread = response.status() == 413;
      if (refusedUnread) {
        response = response.header("Connection", "close");
      }
      boolean drained = deadline.fired() || refusedUnread || discardRest(body);
      if (deadline.disarm()) { // it fired: counted then
        long unlogged = timeoutsUnlogged.incrementAndGet();
        long now = ticker.getAsLong();
        long last = lastTimeoutLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastTimeoutLogNanos.compareAndSet(last, now)) {
          timeoutsUnlogged.addAndGet(-unlogged);
          LOG.warn("{} request(s) not complete within {} since the last such line, disconnected; the latest: {} {}"
              + " from {}", unlogged, deadlines.timeout(), exchange.getMethod(),
              LogText.of(exchange.getHttpURI().getPath()), Request.remote(exchange));
        }
        callback.failed(new IOException("request deadline passed"));
        return true;
      }
      if (!drained) {
        LOG.warn("{} {} from {}: body more than {} bytes beyond what the route reads; disconnected without an"
            + " answer", exchange.getMethod(), LogText.of(exchange.getHttpURI().getPath()), Request.remote(exchange),
            DISCARD_LIMIT);
        abort.run();
        callback.failed(new IOException("request body too long"));
        return true;
      }
      send(exchange, out, response, Callback.from(callback::succeeded, failure -> {
        onUndelivered.run();
        LOG.debug("response to {} {} not delivered: {}", exchange.getMethod(),
            LogText.of(exchange.getHttpURI().getPath()), failure.toString());
        callback.failed(failure);
      }));
    } catch (IOException | RuntimeException e) {
      LOG.debug("response to {} {} not delivered: {}", exchange.getMethod(), LogText.of(exchange.getHttpURI().getPath()),
          e.toString());
      callback.failed(e);
    }
    return true;
  }

  /** @return every route as {@code "METHOD /template"}, in registration order */
  List<String> routes() {
    List<String> all = new ArrayList<>();
    for (Route route : routes) {
      all.add(route.method() + " " + route.template());
    }
    return all;
  }

  /** @return the role each admin route needs, by {@code "METHOD /template"}, in registration order */
  Map<String, Role> roles() {
    Map<String, Role> all = new java.util.LinkedHashMap<>();
    for (Route route : routes) {
      Role role = route.guard().role();
      if (role != null) {
        all.put(route.method() + " " + route.template(), role);
      }
    }
    return all;
  }

  /** @return true when the request body is at its end (or unreadable), false when more than the limit is left */
  private static boolean discardRest(InputStream in) {
    try {
      byte[] buffer = new byte[8192];
      long discarded = 0;
      int read;
      while ((read = in.read(buffer)) != -1) {
        discarded += read;
        if (discarded > DISCARD_LIMIT) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return true; // closed or reset: nothing more will come
    }
  }

  private Response dispatch(org.eclipse.jetty.server.Request exchange, InputStream body) throws IOException {
    String host = exchange.getHeaders().get(HttpHeader.HOST);
    if (host == null && exchange.getHttpURI().getAuthority() != null) {
      host = exchange.getHttpURI().getAuthority();
    }
    if (!hosts.test(host)) {
      throw new HttpError(421, "misdirected_request", "Host", "Host: '" + LogText.of(host) + "' is not this server; "
          + hosts.describe());
    }
    String path = exchange.getHttpURI().getPath();
    boolean pathMatched = false;
    for (Route route : routes) {
      Matcher m = route.pattern().matcher(path);
      if (!m.matches()) {
        continue;
      }
      pathMatched = true;
      if (!route.method().equals(exchange.getMethod())) {
        continue;
      }
      Map<String, String> params = new HashMap<>();
      for (int i = 0; i < route.names().size(); i++) {
        params.put(route.names().get(i), java.net.URLDecoder.decode(m.group(i + 1), java.nio.charset.StandardCharsets.UTF_8));
      }
      Request request = new Request(exchange, body, params, route.maxBody(), route.method() + " " + route.template());
      route.guard().check(request);
      return route.handler().handle(request);
    }
    if (pathMatched) {
      throw new HttpError(405, "method_not_allowed", null, exchange.getMethod() + " is not allowed on " + path);
    }
    throw new HttpError(404, "not_found", null, "no route for " + path);
  }

  /**
   * Answers what Jetty refuses before any route runs (a malformed request line or header, a NUL in the path,
   * headers over the size limit) in the same JSON shape as every other refusal, naming the part at fault.
   */
  static boolean jettyError(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response out,
      Callback callback) {
    Object status = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_STATUS);
    int code = status instanceof Integer i ? i : out.getStatus() >= 400 ? out.getStatus() : 400;
    Object message = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
    if (code >= 500) {
      LOG.error("{} {} failed: {}", request.getMethod(), LogText.of(request.getHttpURI().getPath()),
          LogText.of(String.valueOf(message)));
    }
    Response response = error(beforeRoute(code, message == null ? null : message.toString()));
    send(request, out, response, callback);
    return true;
  }

  /**
   * The refusal of what Jetty answered before any route: the request's fault (a malformed line or header, headers
   * too large) named by its part; a 5xx, an {@link Error} a handler threw (a RuntimeException is translated before
   * it gets here), is the server's, and its text stays in the server's log.
   */
  static HttpError beforeRoute(int code, @Nullable String message) {
    if (code >= 500) {
      return new HttpError(code, "internal", null, "internal error; see the server log");
    }
    String field = code == 431 ? "headers" : "path";
    String reason = message == null ? org.eclipse.jetty.http.HttpStatus.getMessage(code) : message;
    return new HttpError(code, code == 431 ? "headers_too_large" : "bad_request", field, field
        + ": the request was refused before it reached a route (" + reason + "); send a well-formed HTTP/1.1 request"
        + " without NUL or control characters in its path and headers");
  }

  /** Maps the engine's typed exceptions to statuses; anything else is a 500, logged. */
  static HttpError translate(RuntimeException e) {
    if (e instanceof HttpError error) {
      return error;
    }
    if (e instanceof InvalidInputException invalid) {
      return new HttpError(400, "bad_request", invalid.field(), e.getMessage());
    }
    if (e instanceof InvalidSignalException invalid) {
      return new HttpError(400, "bad_request", invalid.field(), e.getMessage());
    }
    if (e instanceof InvalidPlanException || e instanceof PlanLintException) {
      return new HttpError(e instanceof PlanLintException ? 422 : 400,
          e instanceof PlanLintException ? "plan_lint" : "bad_plan", "plan", e.getMessage());
    }
    if (e instanceof UnknownRolloutException unknown) {
      // In the server's words: the engine's message advises a library call that an API user cannot make.
      return new HttpError(404, "not_found", "rolloutId", "rolloutId: no rollout '" + unknown.rolloutId()
          + "' on this server; GET /admin/v1/rollouts lists them");
    }
    if (e instanceof DuplicateRolloutException) {
      return new HttpError(409, "conflict", "id", e.getMessage());
    }
    if (e instanceof IllegalStateTransitionException || e instanceof FreezeWindowException) {
      return new HttpError(409, "conflict", "state", e.getMessage());
    }
    if (e instanceof UnknownVersionException) {
      return new HttpError(409, "conflict", "currentVersion", e.getMessage());
    }
    if (e instanceof StoreException) {
      LOG.warn("store refused: {}", LogText.of(e.getMessage()));
      return new HttpError(503, "store_unavailable", null, e.getMessage());
    }
    LOG.error("unexpected failure", e);
    return new HttpError(500, "internal", null, "internal error: " + e.getClass().getSimpleName()
        + "; see the server log");
  }

  /** Every refusal's body (docs/update-server.md, "Errors"). */
  private record ErrorBody(String error, @Nullable String field, String message) {}

  private static Response error(HttpError e) {
    Response response = Response.json(e.status(), new ErrorBody(e.code(), e.field(), e.getMessage()));
    for (Map.Entry<String, String> header : e.headers().entrySet()) {
      response = response.header(header.getKey(), header.getValue());
    }
    return response;
  }

  private static void send(org.eclipse.jetty.server.Request exchange, org.eclipse.jetty.server.Response out,
      Response response, Callback callback) {
    out.setStatus(response.status());
    HttpFields.Mutable headers = out.getHeaders();
    response.headers().forEach(headers::add);
    headers.put(HttpHeader.CONTENT_TYPE, response.contentType());
    headers.put(HttpHeader.CACHE_CONTROL, "no-store");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put(dev.ringfence.protocol.UpdateProtocol.PROTOCOL_HEADER,
        Integer.toString(dev.ringfence.protocol.UpdateProtocol.PROTOCOL_VERSION));
    byte[] body = response.body();
    boolean head = "HEAD".equals(exchange.getMethod());
    if (response.status() != 204 && response.status() != 304) {
      headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    }
    out.write(true, body.length == 0 || head ? null : ByteBuffer.wrap(body), callback);
  }
}
