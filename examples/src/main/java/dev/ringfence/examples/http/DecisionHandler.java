package dev.ringfence.examples.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.UnknownVersionException;
import dev.ringfence.examples.QuickStart;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The engine behind a plain HTTP endpoint of the JDK's built-in server: {@code GET
 * /decide?endpoint=host-69&current=41&os=windows&region=eu-west&tier=standard} answers
 * {@code {"kind":"OFFER","version":42,"ring":"canary","reason":"admitted to ring 'canary'"}}.
 *
 * <p>{@code endpoint} and {@code current} (the version the endpoint runs) are required; {@code os},
 * {@code region} and {@code tier} are optional. Bad input gets 400 with {@code {"error", "field",
 * "message"}} naming the query parameter; a method other than GET gets 405. A real update server also
 * authenticates endpoints: without that, anyone who reaches it can ask, and be admitted, as any endpoint.
 */
public final class DecisionHandler implements HttpHandler {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Rollout rollout;

  /** @param rollout the rollout whose decisions this handler serves */
  public DecisionHandler(Rollout rollout) {
    this.rollout = rollout;
  }

  /** The 200 body; {@code ring} is null when no ring applies (e.g. STAY outside the open rings). */
  record DecisionBody(String kind, long version, @Nullable String ring, String reason) {}

  /** The body of every refusal. */
  record ErrorBody(String error, String field, String message) {}

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        send(exchange, 405, new ErrorBody("method-not-allowed", "method", "only GET is allowed"));
      } else if (!exchange.getRequestURI().getPath().equals("/decide")) {
        send(exchange, 404, new ErrorBody("not-found", "path", "the only path is /decide"));
      } else {
        try {
          Decision d = decide(query(exchange.getRequestURI().getRawQuery()));
          send(exchange, 200, new DecisionBody(d.kind().name(), d.version(),
              d.ringIndex() == Decision.NO_RING ? null : d.ringName(), d.reason()));
        } catch (BadInput e) {
          send(exchange, 400, new ErrorBody(e.error, e.field, e.getMessage()));
        }
      }
    }
  }

  private Decision decide(Map<String, String> query) throws BadInput {
    String endpoint = query.getOrDefault("endpoint", "");
    if (endpoint.isBlank() || endpoint.length() > 200) {
      throw new BadInput("bad-request", "endpoint", "required: the endpoint's id, 1 to 200 characters");
    }
    long current;
    try {
      current = Long.parseLong(query.getOrDefault("current", ""));
    } catch (NumberFormatException e) {
      current = -1;
    }
    if (current < 0) {
      throw new BadInput("bad-request", "current", "required: the version the endpoint runs, a whole number >= 0");
    }
    EndpointAttributes attributes = EndpointAttributes.builder().os(query.getOrDefault("os", ""))
        .region(query.getOrDefault("region", "")).tier(query.getOrDefault("tier", "")).build();
    try {
      return rollout.decide(endpoint, attributes, current);
    } catch (InvalidInputException e) { // checked above already; the engine names its own argument
      throw new BadInput("bad-request", e.field(), e.getMessage());
    } catch (UnknownVersionException e) { // newer than the candidate: a version of another channel
      throw new BadInput("unknown-version", "current", e.getMessage());
    }
  }

  private static Map<String, String> query(@Nullable String rawQuery) {
    Map<String, String> params = new HashMap<>(); // the server has already refused malformed %-escapes
    for (String pair : rawQuery == null ? new String[0] : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      params.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  /** Input that gets a 400 naming the query parameter. */
  private static final class BadInput extends Exception {
    private static final long serialVersionUID = 1L;
    private final String error;
    private final String field;

    BadInput(String error, String field, String message) {
      super(message);
      this.error = error;
      this.field = field;
    }
  }

  /**
   * Starts the JDK's HTTP server with a {@link DecisionHandler} on {@code /decide}.
   *
   * @param address where to listen, e.g. {@code 127.0.0.1} and port 0 for an ephemeral port
   * @param rollout the rollout to serve
   * @return the started server; {@code stop(0)} it when done
   * @throws IOException if the address cannot be bound
   */
  public static HttpServer serve(InetSocketAddress address, Rollout rollout) throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    server.createContext("/decide", new DecisionHandler(rollout));
    server.start(); // one dispatcher thread; decide() is lock-free, so server.setExecutor(pool) scales it out
    return server;
  }

  /**
   * Serves the quick start's rollout on {@code http://127.0.0.1:<port>/decide} and ticks the engine
   * every 5 seconds, until the process is stopped.
   *
   * @param args optional: the port; 0, the default, takes an ephemeral one
   * @throws IOException if the port cannot be bound
   */
  public static void main(String[] args) throws IOException {
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.ofDefaults());
    Rollout rollout = QuickStart.startRollout(engine);
    Executors.newSingleThreadScheduledExecutor().scheduleWithFixedDelay(engine::tick, 5, 5, TimeUnit.SECONDS);

    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    HttpServer server = serve(new InetSocketAddress("127.0.0.1", port), rollout);
    System.out.println("try: curl 'http://127.0.0.1:" + server.getAddress().getPort()
        + "/decide?endpoint=host-69&current=41&os=windows'");
  }
}
