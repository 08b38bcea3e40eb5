package dev.ringfence.server;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.UpdateProtocol;
import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes endpoints call, each authenticated by the endpoint's own token: the decision (as an
 * envelope or as JSON), the payload of the release the endpoint is offered (by version or by digest, and
 * only that one), and signed signal batches.
 */
final class EndpointApi {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointApi.class);

  private final ServerContext ctx;

  EndpointApi(ServerContext ctx) {
    this.ctx = ctx;
  }

  void register(Router router) {
    Router.Guard endpoint = request -> {
      checkProtocol(request);
      authenticate(request);
    };
    router.add("GET", "/v1/channels/{channel}/envelope", endpoint, 0, this::envelope);
    router.add("GET", "/v1/channels/{channel}/decision", endpoint, 0, this::decision);
    router.add("GET", "/v1/channels/{channel}/releases/{version}/payload", endpoint, 0, this::payload);
    router.add("GET", "/v1/content/{sha256}", endpoint, 0, this::content);
    router.add("GET", "/v1/channels/{channel}/timestamp", endpoint, 0, this::timestamp);
    router.add("GET", "/v1/roots/{version}", endpoint, 0, this::root);
    router.add("POST", "/v1/channels/{channel}/signals", EndpointApi::checkProtocol, ctx.config().maxJsonBytes(),
        this::signals);
  }

  /**
   * Refuses an agent whose protocol version is more than {@link UpdateProtocol#PROTOCOL_SKEW} away from this
   * server's (426, naming the side to upgrade); a request without the header speaks version 1.
   */
  static void checkProtocol(Request request) {
    String value = request.header(UpdateProtocol.PROTOCOL_HEADER);
    if (value == null) {
      value = "1";
    }
    int version;
    try {
      version = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw HttpError.badField(UpdateProtocol.PROTOCOL_HEADER, "'" + LogText.of(value) + "' is not a protocol version"
          + " (a whole number; this server speaks " + UpdateProtocol.PROTOCOL_VERSION + ")");
    }
    int skew = version - UpdateProtocol.PROTOCOL_VERSION;
    if (Math.abs(skew) > UpdateProtocol.PROTOCOL_SKEW) {
      String upgrade = skew < 0 ? "upgrade the agent" : "upgrade the update server";
      throw new HttpError(426, "protocol_skew", UpdateProtocol.PROTOCOL_HEADER, UpdateProtocol.PROTOCOL_HEADER + ": the"
          + " agent speaks protocol " + version + ", this server " + UpdateProtocol.PROTOCOL_VERSION + " (at most "
          + UpdateProtocol.PROTOCOL_SKEW + " apart works); " + upgrade);
    }
  }

  private void authenticate(Request request) {
    var found = ctx.endpoints().authenticate(request.header(UpdateProtocol.ENDPOINT_HEADER),
        request.header("Authorization"));
    if (found.isEmpty()) {
      ctx.metrics().endpointRefused("bad_token");
      LOG.warn("refused {} {} from {}: unknown endpoint or wrong token", request.method(), LogText.of(request.path()),
          request.remote());
      throw new HttpError(401, "unauthorized", "Authorization", "Authorization: send " + UpdateProtocol.ENDPOINT_HEADER
          + " and the endpoint's enrollment token as 'Bearer <token>'");
    }
    request.authenticated(found.get());
  }

  private static long currentVersion(Request request) {
    String value = request.header(UpdateProtocol.CURRENT_VERSION_HEADER);
    if (value == null) {
      return 0;
    }
    try {
      long v = Long.parseLong(value.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw HttpError.badField(UpdateProtocol.CURRENT_VERSION_HEADER, "'" + value + "' is not a version (0 or above)");
    }
  }

  private ChannelRollouts.Target target(Request request, String channel, long current) {
    ReleaseStore.checkChannel(channel);
    EndpointRegistry.Enrollment e = request.endpoint();
    ChannelRollouts.Target target = ctx.channels().target(channel, e.endpointId(), e.attributes(), current);
    ctx.fleet().asked(e.endpointId(), channel, current, target.kind() + " v" + target.version(),
        ctx.config().clock().instant());
    ctx.metrics().decision(target.kind().name());
    return target;
  }

  private Response envelope(Request request) {
    String channel = request.param("channel");
    long current = currentVersion(request);
    ChannelRollouts.Target t = target(request, channel, current);
    if (t.kind() == Decision.Kind.REVERT) {
      return Response.empty(204).header(UpdateProtocol.DECISION_HEADER, "REVERT")
          .header(UpdateProtocol.REVERT_TO_HEADER, Long.toString(t.version()))
          .header(UpdateProtocol.REASON_HEADER, ascii(t.reason()));
    }
    if (t.version() > current) {
      Optional<ReleaseStore.Release> release = ctx.releases().release(channel, t.version());
      if (release.isPresent()) {
        return Response.bytes("application/json", release.get().envelopeJson())
            .header(UpdateProtocol.DECISION_HEADER, t.kind().name())
            .header(UpdateProtocol.REASON_HEADER, ascii(t.reason()));
      }
    }
    return Response.empty(204).header(UpdateProtocol.DECISION_HEADER, t.kind().name())
        .header(UpdateProtocol.REASON_HEADER, ascii(t.reason()));
  }

  /** The channel's signed freshness timestamp; 404 when the server issues none for it. */
  private Response timestamp(Request request) {
    String channel = request.param("channel");
    ReleaseStore.checkChannel(channel);
    TrustService trust = ctx.trust();
    Optional<byte[]> json = trust == null ? Optional.empty() : trust.timestamp(channel);
    if (json.isEmpty()) {
      throw new HttpError(404, "not_found", "channel", "channel: '" + channel + "' has no signed timestamp on this"
          + " server");
    }
    return Response.bytes("application/json", json.get());
  }

  /** One version of the trust root; 404 when it is not stored (an agent's walk ends there). */
  private Response root(Request request) {
    String text = request.param("version");
    long version;
    try {
      version = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw HttpError.badField("version", "'" + LogText.of(text) + "' is not a root version");
    }
    TrustService trust = ctx.trust();
    Optional<byte[]> json = trust == null ? Optional.empty() : trust.root(version);
    if (json.isEmpty()) {
      throw new HttpError(404, "not_found", "version", "version: this server has no trust root v" + version);
    }
    return Response.bytes("application/json", json.get());
  }

  /** The decision as JSON (docs/update-server.md): these six fields, in this order. */
  private record DecisionBody(String channel, String decision, long version, String ring, @Nullable String rolloutId,
      String reason) {}

  /** The hot route's writer, prepared once. */
  private static final ObjectWriter DECISION = ServerJson.PRETTY.forType(DecisionBody.class);

  private Response decision(Request request) {
    String channel = request.param("channel");
    ChannelRollouts.Target t = target(request, channel, currentVersion(request));
    return Response.json(200, DECISION, new DecisionBody(channel, t.kind().name(), t.version(), t.ring(),
        t.rolloutId(), t.reason()));
  }

  private Response payload(Request request) throws IOException {
    String channel = request.param("channel");
    long version;
    try {
      version = Long.parseLong(request.param("version"));
    } catch (NumberFormatException e) {
      throw HttpError.badField("version", "'" + request.param("version") + "' is not a version");
    }
    ReleaseStore.checkChannel(channel);
    ReleaseStore.Release release = ctx.releases().release(channel, version).orElseThrow(() ->
        new HttpError(404, "not_found", "version", "version: v" + version + " of '" + channel + "' is not published"));
    return serve(request, release);
  }

  private Response content(Request request) throws IOException {
    String sha = request.param("sha256");
    if (!sha.matches("[0-9a-f]{64}")) {
      throw HttpError.badField("sha256", "must be 64 lowercase hex digits");
    }
    ReleaseStore.Release release = ctx.releases().bySha256(sha).orElseThrow(() ->
        new HttpError(404, "not_found", "sha256", "sha256: no release has this digest"));
    return serve(request, release);
  }

  /** Serves a payload only when it is the release the endpoint's decision names now. */
  private Response serve(Request request, ReleaseStore.Release release) throws IOException {
    ChannelRollouts.Target t = target(request, release.channel(), currentVersion(request));
    if (t.version() != release.version()) {
      ctx.metrics().endpointRefused("not_offered");
      throw new HttpError(403, "not_offered", "version", "version: v" + release.version() + " of '"
          + release.channel() + "' is not offered to " + request.endpoint().endpointId() + " (" + t.kind() + " v"
          + t.version() + ": " + t.reason() + ")");
    }
    byte[] bytes = ctx.releases().payload(release);
    ctx.fleet().downloaded(request.endpoint().endpointId(), release.channel(), release.version());
    ctx.metrics().download(release.channel());
    return Response.bytes("application/octet-stream", bytes);
  }

  private Response signals(Request request) {
    String channel = request.param("channel");
    var found = ctx.endpoints().authenticate(request.header(UpdateProtocol.ENDPOINT_HEADER),
        request.header("Authorization"));
    if (found.isEmpty()) {
      ctx.metrics().signalRefused("bad_token");
      LOG.warn("refused signals from {}: unknown endpoint or wrong token", request.remote());
      throw new HttpError(401, "unauthorized", "Authorization", "Authorization: send " + UpdateProtocol.ENDPOINT_HEADER
          + " and the endpoint's enrollment token as 'Bearer <token>'");
    }
    EndpointRegistry.Enrollment endpoint = found.get();
    // Before the body is read or its signature computed: a flood costs the server next to nothing.
    long waitMillis = ctx.signalLimiter().acquire(endpoint.endpointId());
    if (waitMillis > 0) {
      ctx.metrics().signalRefused("rate_limited");
      LOG.debug("rate-limited signals from {} ({})", endpoint.endpointId(), request.remote());
      long seconds = Math.max(1, (waitMillis + 999) / 1000);
      throw new HttpError(429, "rate_limited", UpdateProtocol.ENDPOINT_HEADER, UpdateProtocol.ENDPOINT_HEADER + ": '"
          + endpoint.endpointId() + "' sent more than " + ctx.config().signalBurst() + " signal batches at once or "
          + ctx.config().signalRatePerMinute() + " per minute; retry after " + seconds + " s (batch the signals)")
          .header("Retry-After", Long.toString(seconds));
    }
    byte[] body = request.body();
    try {
      ctx.signals().verify(endpoint, request, body, ctx.config().clock().instant());
    } catch (HttpError e) {
      ctx.metrics().signalRefused(e.code());
      LOG.warn("refused signals from {} ({}): {}", LogText.of(endpoint.endpointId()), request.remote(),
          LogText.of(e.getMessage()));
      throw e;
    }
    ReleaseStore.checkChannel(channel);
    List<Signal> signals = SignalJson.parse(body);
    for (int i = 0; i < signals.size(); i++) {
      if (!signals.get(i).endpointId().equals(endpoint.endpointId())) {
        ctx.metrics().signalRefused("wrong_endpoint");
        throw new HttpError(403, "wrong_endpoint", "signals[" + i + "].endpointId", "signals[" + i + "].endpointId: '"
            + signals.get(i).endpointId() + "' is not the authenticated endpoint '" + endpoint.endpointId() + "'");
      }
    }
    Map<IngestResult, Long> counts = new EnumMap<>(IngestResult.class);
    long ignored = 0;
    Optional<Rollout> rollout = ctx.channels().governing(channel);
    for (Signal signal : signals) {
      // A deferred group's member reports to the group's own rollout when it has one (customer deferral).
      Optional<Rollout> to = rollout.isEmpty() ? rollout
          : ctx.channels().governingFor(channel, endpoint.attributes(), signal.version());
      if (to.isEmpty()) {
        ignored++;
      } else {
        counts.merge(to.get().ingest(signal), 1L, Long::sum);
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    for (IngestResult r : IngestResult.values()) {
      long n = counts.getOrDefault(r, 0L);
      result.put(r.name().toLowerCase(java.util.Locale.ROOT), n);
      ctx.metrics().signals(r.name().toLowerCase(java.util.Locale.ROOT), n);
    }
    result.put("ignored", ignored);
    ctx.metrics().signals("ignored", ignored);
    rollout.ifPresent(r -> result.put("rolloutId", r.id()));
    return Response.json(200, result);
  }

  /** Header values must be printable ASCII. */
  static String ascii(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 300; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
