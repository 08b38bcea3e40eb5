package dev.ringfence.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The server's own meters, next to the engine's ({@code ringfence.rollout.*}): refused signal batches by
 * reason, refused admin calls, received signals by result, decisions by kind, payload downloads.
 */
final class ServerMetrics {

  private final MeterRegistry registry;

  ServerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void signalRefused(String reason) {
    Counter.builder("ringfence.server.signals.refused").description("signal batches refused, by reason")
        .tag("reason", reason).register(registry).increment();
  }

  void endpointRefused(String reason) {
    Counter.builder("ringfence.server.endpoint.refused").description("endpoint requests refused, by reason")
        .tag("reason", reason).register(registry).increment();
  }

  /**
   * @param reason {@code unknown_token} (401: missing, unknown or revoked) or {@code wrong_role} (403)
   * @param route the route as {@code "METHOD /template"}
   */
  void adminRefused(String reason, String route) {
    Counter.builder("ringfence.server.admin.refused")
        .description("admin calls refused, by reason (unknown_token: missing, unknown or revoked; wrong_role) and route")
        .tag("reason", reason).tag("route", route).register(registry).increment();
  }

  /**
   * @param stopAll the switch, read at each scrape from what the latest tick or call saw
   */
  void stopAll(StopAll stopAll) {
    io.micrometer.core.instrument.Gauge.builder("ringfence.server.stop.all", stopAll,
        s -> s.inForceAsLastRead() ? 1 : 0)
        .description("1 while stop-all is in force (every running rollout paused, new ones refused), else 0")
        .register(registry);
  }

  void responseUndelivered() {
    Counter.builder("ringfence.server.responses.undelivered")
        .description("answers the client did not take: it closed or reset the connection first")
        .register(registry).increment();
  }

  void slowHeader() {
    Counter.builder("ringfence.server.connections.closed")
        .description("connections closed by the server, by reason: slow_header = part of a request but no complete"
            + " header within the request timeout")
        .tag("reason", "slow_header").register(registry).increment();
  }

  void requestTimedOut() {
    Counter.builder("ringfence.server.requests.timed.out")
        .description("requests disconnected because their body or answer was not ready within requestTimeout")
        .register(registry).increment();
  }

  void signals(String result, long count) {
    Counter.builder("ringfence.server.signals").description("signals received, by ingest result")
        .tag("result", result).register(registry).increment(count);
  }

  void decision(String kind) {
    Counter.builder("ringfence.server.decisions").description("decisions answered, by kind")
        .tag("kind", kind).register(registry).increment();
  }

  void download(String channel) {
    Counter.builder("ringfence.server.downloads").description("payloads served").tag("channel", channel)
        .baseUnit("downloads").register(registry).increment();
  }

  void notificationDelivered(String sink, String type) {
    Counter.builder("ringfence.server.notifications.delivered")
        .description("notifications a sink's receiver answered 2xx to, by sink and event type")
        .tag("sink", sink).tag("type", type).register(registry).increment();
  }

  /**
   * @param reason {@code rejected} (a 4xx other than 408 and 429: the event is skipped) or {@code
   *     retries_exhausted} (every attempt of a round failed: the event stays next and is tried again after a pause)
   */
  void notificationFailed(String sink, String reason) {
    Counter.builder("ringfence.server.notifications.failed")
        .description("notifications not delivered, by sink and reason (rejected: refused by the receiver and"
            + " skipped; retries_exhausted: a round's attempts all failed, tried again after a pause)")
        .tag("sink", sink).tag("reason", reason).register(registry).increment();
  }

  void notificationRetried(String sink) {
    Counter.builder("ringfence.server.notifications.retries")
        .description("notification attempts retried after a failed one (no answer, timeout, 408, 429, 5xx)")
        .tag("sink", sink).register(registry).increment();
  }

  void notificationBacklog(String sink, java.util.function.Supplier<Number> undelivered) {
    io.micrometer.core.instrument.Gauge.builder("ringfence.server.notifications.undelivered", undelivered)
        .description("journal lines past the sink's delivery cursor, read at each scrape (0 on a replica that does"
            + " not hold the sink)")
        .tag("sink", sink).register(registry);
  }
}
