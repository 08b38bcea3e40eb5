package dev.ringfence.server;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.MalformedEnvelopeException;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.core.CommandRefusedException;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administrator's routes, each behind an API token of the role it needs (401 without a valid token, 403
 * naming the role when the token's is too low; both counted and logged): enroll endpoints, publish signed
 * releases, create rollouts from plans (linted; overrides need a written reason), start, pause, resume, halt,
 * abort, approve and promote them, read their state, verdicts and journal, export the audit trail, manage tokens, and stop every
 * rollout at once. The actor of every command is the calling token's name.
 */
final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  private static final List<String> ACTIONS = List.of("start", "pause", "resume", "halt", "abort");

  private final ServerContext ctx;

  // The answers with a fixed shape; the endpoint list and the rollout views keep maps (keys present only when
  // known; the status page reads the same views).

  /** The credentials, shown once. */
  private record Enrolled(String endpointId, String token, String hmacKey, String note) {}

  private record ChannelView(String channel, @Nullable Long fleetVersion, @Nullable String governingRollout) {}

  private record Releases(String channel, List<ReleaseStore.Summary> releases) {}

  private record JournalLine(String type, String entry) {}

  private record Journal(String rolloutId, List<JournalLine> entries) {}

  AdminApi(ServerContext ctx) {
    this.ctx = ctx;
  }

  void register(Router router) {
    int json = ctx.config().maxJsonBytes();
    router.add("POST", "/admin/v1/endpoints", needs(Role.ADMIN), json, this::enroll);
    router.add("GET", "/admin/v1/endpoints", needs(Role.VIEWER), 0, this::endpoints);
    router.add("GET", "/admin/v1/channels", needs(Role.VIEWER), 0, this::channels);
    router.add("POST", "/admin/v1/channels/{channel}/releases", needs(Role.ADMIN), publishBodyLimit(ctx.config()),
        this::publish);
    router.add("GET", "/admin/v1/channels/{channel}/releases", needs(Role.VIEWER), 0, this::releases);
    // Customer deferral: setting it can widen exposure (clearing an entry sends its endpoints the releases they
    // waited for at once), as starting a rollout does, so it needs admin; reading it, viewer.
    DeferralApi deferrals = new DeferralApi(ctx);
    router.add("GET", "/admin/v1/channels/{channel}/deferrals", needs(Role.VIEWER), 0, deferrals::get);
    router.add("PUT", "/admin/v1/channels/{channel}/deferrals", needs(Role.ADMIN), json, deferrals::put);
    router.add("POST", "/admin/v1/rollouts", needs(Role.ADMIN), json, this::createRollout);
    router.add("GET", "/admin/v1/rollouts", needs(Role.VIEWER), 0, this::rollouts);
    router.add("GET", "/admin/v1/rollouts/{id}", needs(Role.VIEWER), 0, this::rollout);
    router.add("GET", "/admin/v1/rollouts/{id}/journal", needs(Role.VIEWER), 0, this::journal);
    // Starting exposes endpoints, as creating does; the others stop or slow a rollout, an operator's work.
    for (String action : ACTIONS) {
      router.add("POST", "/admin/v1/rollouts/{id}/" + action, needs(action.equals("start") ? Role.ADMIN : Role.OPERATOR),
          json, request -> command(request, action));
    }
    // Approving and promoting move a rollout on by a person's judgement, as resuming does: an operator's work.
    router.add("POST", "/admin/v1/rollouts/{id}/approve", needs(Role.OPERATOR), json, this::approve);
    router.add("POST", "/admin/v1/rollouts/{id}/promote", needs(Role.OPERATOR), json, this::promote);
    router.add("GET", "/admin/v1/audit", needs(Role.VIEWER), 0, this::audit);
    router.add("POST", "/admin/v1/roots", needs(Role.ADMIN), json, this::publishRoot);
    router.add("GET", "/admin/v1/roots", needs(Role.VIEWER), 0, this::roots);
    router.add("POST", "/admin/v1/tokens", needs(Role.ADMIN), json, this::createToken);
    router.add("GET", "/admin/v1/tokens", needs(Role.ADMIN), 0, this::tokens);
    router.add("DELETE", "/admin/v1/tokens/{name}", needs(Role.ADMIN), 0, this::revokeToken);
    router.add("GET", "/admin/v1/stop-all", needs(Role.VIEWER), 0, this::stopAllState);
    router.add("POST", "/admin/v1/stop-all", needs(Role.OPERATOR), json, this::stopAll);
    router.add("POST", "/admin/v1/stop-all/lift", needs(Role.ADMIN), json, this::liftStopAll);
  }

  private Router.Guard needs(Role role) {
    return new RoleGuard(role);
  }

  /** Authenticates the token (401 when none is valid) and checks its role (403 naming the role needed). */
  private final class RoleGuard implements Router.Guard {

    private final Role needed;

    RoleGuard(Role needed) {
      this.needed = needed;
    }

    @Override
    public Role role() {
      return needed;
    }

    @Override
    public void check(Request request) {
      ApiTokens.Principal caller = ctx.tokens().authenticate(request.header("Authorization"));
      if (caller == null) {
        ctx.metrics().adminRefused("unknown_token", request.route());
        LOG.warn("refused admin call {} {} from {}: missing, unknown or revoked token", request.method(),
            LogText.of(request.path()), request.remote());
        throw new HttpError(401, "unauthorized", "Authorization", "Authorization: admin calls need 'Bearer <token>'"
            + " with a valid API token (a replica's own is in " + ctx.tokens().bootstrapFile().getFileName() + ")");
      }
      if (!caller.role().includes(needed)) {
        ctx.metrics().adminRefused("wrong_role", request.route());
        LOG.warn("refused admin call {} {} from {}: token '{}' has role {}, the route needs {}", request.method(),
            LogText.of(request.path()), request.remote(), caller.name(), caller.role().wireName(), needed.wireName());
        throw new HttpError(403, "forbidden", "Authorization", "Authorization: token '" + caller.name() + "' has role "
            + caller.role().wireName() + "; " + request.route() + " needs role " + needed.wireName())
            .header("Ringfence-Role-Needed", needed.wireName());
      }
      request.authenticated(caller);
    }
  }

  private Response enroll(Request request) {
    AdminBodies.Enroll body = AdminBodies.Enroll.BODY.read(request.body());
    String id = body.endpointId();
    EndpointAttributes attributes = body.endpointAttributes();
    EndpointCredentials issued = ctx.endpoints().enroll(id, attributes, ctx.config().clock().instant());
    LOG.info("enrolled endpoint {} ({})", LogText.of(id), LogText.of(attributes));
    return Response.json(201, new Enrolled(issued.endpointId(), issued.token(),
        Base64.getEncoder().encodeToString(issued.hmacKey()), "shown once: the server keeps only the token's hash"));
  }

  private Response endpoints(Request request) {
    List<Map<String, Object>> list = new ArrayList<>();
    Map<String, FleetView.Seen> seen = ctx.fleet().all();
    for (EndpointRegistry.Enrollment e : ctx.endpoints().all()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("endpointId", e.endpointId());
      m.put("attributes", EndpointRegistry.attributesJson(e.attributes()));
      m.put("enrolledAt", e.enrolledAt().toString());
      FleetView.Seen s = seen.get(e.endpointId());
      if (s != null) {
        m.put("lastSeen", s.lastSeen.toString());
        m.put("versions", new LinkedHashMap<>(s.versions));
        m.put("decisions", new LinkedHashMap<>(s.decisions));
        m.put("downloads", new ArrayList<>(s.downloads));
      }
      list.add(m);
    }
    return Response.json(200, Map.of("endpoints", list));
  }

  private Response channels(Request request) {
    List<ChannelView> list = new ArrayList<>();
    for (String channel : ctx.releases().channels()) {
      OptionalLong fleet = ctx.channels().fleetVersion(channel);
      list.add(new ChannelView(channel, fleet.isPresent() ? fleet.getAsLong() : null,
          ctx.channels().governing(channel).map(Rollout::id).orElse(null)));
    }
    return Response.json(200, Map.of("channels", list));
  }

  private Response publish(Request request) {
    String channel = request.param("channel");
    ReleaseStore.checkChannel(channel);
    AdminBodies.Publish body = AdminBodies.Publish.BODY.read(request.body());
    byte[] payload;
    try {
      payload = Base64.getDecoder().decode(body.payloadBase64());
    } catch (IllegalArgumentException e) {
      throw HttpError.badField("payloadBase64", "is not base64: " + e.getMessage());
    }
    int limit = ctx.config().maxReleaseBytes();
    if (payload.length > limit) {
      throw new HttpError(413, "payload_too_large", "payloadBase64", "payloadBase64: the payload holds "
          + payload.length + " bytes, above this server's max-release-bytes of " + limit);
    }
    boolean general = body.isGeneral();
    byte[] envelope = body.envelope().toString().getBytes(StandardCharsets.UTF_8);
    verify(channel, envelope);
    ReleaseStore.Release release = ctx.releases().publish(channel, envelope, payload, general,
        ctx.config().clock().instant());
    // Re-signed now, not at the next tick: an agent offered the new release must find it in the timestamp, or it
    // refuses it as withheld (a rollout started right after the publish would count every canary as failed).
    ctx.refreshTimestamps();
    LOG.info("published {} v{} ({} bytes, sha256 {}){}", LogText.of(channel), release.version(), release.size(), release.sha256(),
        general ? " as the general release" : "");
    return Response.json(201, ReleaseStore.summary(release));
  }

  /**
   * The body limit of a publication: {@code max-release-bytes} limits the payload, which the body carries as base64
   * (4 characters for 3 bytes), beside the envelope and the rest of the JSON (as large as any JSON body may be).
   * The decoded payload is checked against the limit itself.
   */
  static int publishBodyLimit(UpdateServerConfig config) {
    long base64 = (config.maxReleaseBytes() + 2L) / 3 * 4;
    return (int) Math.min(Integer.MAX_VALUE - 8, base64 + config.maxJsonBytes());
  }

  /**
   * A release is published only if it carries enough valid signatures by the release keys, for its channel,
   * unexpired: what the server offers, every agent must be able to accept, and a release with a version above
   * every later one must not be stored on the word of whoever holds the admin token.
   */
  private void verify(String channel, byte[] envelopeJson) {
    TrustService trust = ctx.trust();
    TrustStore keys = trust != null ? trust.releaseKeys() : ctx.config().releaseKeys();
    if (keys == null) {
      throw new HttpError(409, "no_release_keys", "envelope", "envelope: this server has no release keys, so it"
          + " cannot check a release's signatures and publishes none; start it with --release-key ID=KEY (the"
          + " public keys your agents trust)");
    }
    Envelope parsed;
    try {
      parsed = Envelope.parse(envelopeJson);
    } catch (MalformedEnvelopeException e) {
      throw HttpError.badField("envelope", e.getMessage());
    }
    try {
      keys.verify(parsed, channel, ctx.config().clock().instant());
    } catch (ContentRefusedException e) {
      throw new HttpError(400, "refused_envelope", "envelope", "envelope: " + e.getMessage());
    }
  }

  /** A stored trust root, as the roots route lists it. */
  private record RootSummary(long version, String expiresAt, java.util.List<String> releaseKeys,
      int releaseThreshold, java.util.List<String> revokedKeys) {
    static RootSummary of(dev.ringfence.agent.RootDocument root) {
      return new RootSummary(root.version(), root.expiresAt().toString(), root.release().keyIds(),
          root.release().threshold(), java.util.List.copyOf(root.revokedKeys().keySet()));
    }
  }

  /** {@code GET /admin/v1/roots}'s body. */
  private record Roots(java.util.List<RootSummary> roots) {}

  private TrustService trustOrConflict() {
    TrustService trust = ctx.trust();
    if (trust == null) {
      throw new HttpError(409, "no_trust_root", "root", "root: this server was started without --trust-root, so"
          + " it keeps no trust roots; start it with one");
    }
    return trust;
  }

  private Response publishRoot(Request request) {
    dev.ringfence.agent.RootDocument root = trustOrConflict().publish(request.body());
    // The timestamps name the newest root: re-signed now, a revocation reaches agents at their next check.
    ctx.refreshTimestamps();
    return Response.json(201, RootSummary.of(root));
  }

  private Response roots(Request request) {
    return Response.json(200, new Roots(trustOrConflict().roots().values().stream()
        .map(json -> RootSummary.of(dev.ringfence.agent.RootDocument.parse(json))).toList()));
  }

  private Response releases(Request request) {
    String channel = request.param("channel");
    ReleaseStore.checkChannel(channel);
    return Response.json(200, new Releases(channel, ctx.releases().releases(channel).stream()
        .map(ReleaseStore::summary).toList()));
  }

  private Response createRollout(Request request) {
    AdminBodies.CreateRollout body = AdminBodies.CreateRollout.BODY.read(request.body());
    String id = body.id();
    if (dev.ringfence.core.deferral.Deferrals.reservedId(id)) {
      throw HttpError.badField("id", "'" + id + "' ends like a deferred group's own rollout ('.deferral-' and 8 hex"
          + " digits), which only the server creates; choose another id");
    }
    String channel = body.channel();
    ReleaseStore.checkChannel(channel);
    long baseline = body.baselineVersion();
    long candidate = body.candidateVersion();
    Plan plan = Plans.fromJson(body.plan().toString());
    // The request is checked whole (its id, versions and plan) before it is compared with the server's state.
    RolloutSpec spec;
    try {
      spec = RolloutSpec.builder(id).channel(channel).baseline(baseline).candidate(candidate).plan(plan).build();
    } catch (InvalidInputException e) {
      throw new HttpError(400, "bad_request", e.field(), e.getMessage());
    }
    ctx.stopAll().checkNotInForce("be created");
    synchronized (ctx.channels()) {
      if (ctx.releases().release(channel, candidate).isEmpty()) {
        throw new HttpError(409, "conflict", "candidateVersion", "candidateVersion: v" + candidate + " of '" + channel
            + "' is not published; publish it first");
      }
      if (ctx.releases().release(channel, baseline).isEmpty()) {
        throw new HttpError(409, "conflict", "baselineVersion", "baselineVersion: v" + baseline + " of '" + channel
            + "' is not published");
      }
      Optional<Rollout> active = ctx.channels().active(channel);
      if (active.isPresent()) {
        throw new HttpError(409, "conflict", "channel", "channel: rollout '" + active.get().id() + "' is "
            + active.get().state() + " on '" + channel + "'; finish, roll back or abort it first");
      }
      OptionalLong fleet = ctx.channels().fleetVersion(channel);
      if (fleet.isPresent() && fleet.getAsLong() != baseline) {
        throw new HttpError(409, "conflict", "baselineVersion", "baselineVersion: the fleet runs v" + fleet.getAsLong()
            + " of '" + channel + "', not v" + baseline);
      }
      Rollout rollout = ctx.engine().createRollout(spec, request.principal().name());
      ctx.history().record(rollout, ctx.config().clock().instant());
      LOG.info("created rollout {} on {}: v{} -> v{}, plan '{}', by {}", LogText.of(id), LogText.of(channel), baseline,
          candidate, LogText.of(plan.name()), request.principal().name());
      Map<String, Object> view = RolloutViews.detail(ctx, rollout);
      view.put("lint", rollout.lintReport().findings().stream().map(Object::toString).toList());
      return Response.json(201, view);
    }
  }

  private Response rollouts(Request request) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Rollout r : ctx.engine().rollouts()) {
      list.add(RolloutViews.summary(r));
    }
    return Response.json(200, Map.of("rollouts", list));
  }

  private Response rollout(Request request) {
    return Response.json(200, RolloutViews.detail(ctx, ctx.engine().rollout(request.param("id"))));
  }

  private Response journal(Request request) {
    String id = request.param("id");
    ctx.engine().rollout(id); // 404 for an unknown id
    List<JournalLine> entries = new ArrayList<>();
    for (JournalEntry e : ctx.store().read(id)) {
      entries.add(new JournalLine(e.getClass().getSimpleName(), e.toString()));
    }
    return Response.json(200, new Journal(id, entries));
  }

  private Response command(Request request, String action) {
    String id = request.param("id");
    Rollout rollout = ctx.engine().rollout(id);
    byte[] raw = request.body();
    String reason = null;
    // The actor is the token's name, never text from the request: the audit trail says which credential acted.
    String actor = request.principal().name();
    if (raw.length > 0 || !action.equals("start")) {
      AdminBodies.Command body = AdminBodies.Command.BODY.read(raw);
      reason = action.equals("start") ? body.reason() : AdminBodies.text(body.reason(), "reason");
      checkActor(body.actor(), actor);
    }
    if (action.equals("start") || action.equals("resume")) {
      ctx.stopAll().checkNotInForce(action.equals("start") ? "be started" : "be resumed");
    }
    Rollout acting = rollout.by(actor);
    switch (action) {
      case "start" -> acting.start();
      case "pause" -> acting.pause(reason);
      case "resume" -> acting.resume(reason);
      case "halt" -> acting.halt(reason);
      default -> acting.abort(reason);
    }
    return acted(rollout, action, actor, reason);
  }

  /** After a command: the exposure history gets the rollout's new state, the log a line, the caller its detail. */
  private Response acted(Rollout rollout, String action, String actor, @Nullable String reason) {
    ctx.history().record(rollout, ctx.config().clock().instant());
    LOG.info("rollout {}: {} by {}{}", LogText.of(rollout.id()), action, LogText.of(actor),
        reason == null ? "" : " (" + LogText.of(reason) + ")");
    return Response.json(200, RolloutViews.detail(ctx, rollout));
  }

  /**
   * {@code approve}: the open ring, whose gate requires approval, may open the next ring once its gate passes. The
   * body ({@code {"reason": ...}}) is optional; approving an approved ring again changes nothing.
   */
  private Response approve(Request request) {
    String id = request.param("id");
    Rollout rollout = ctx.engine().rollout(id);
    String actor = request.principal().name();
    byte[] raw = request.body(); // read once: the body is a stream
    AdminBodies.Command body = raw.length > 0 ? AdminBodies.Command.BODY.read(raw) : new AdminBodies.Command(null, null);
    checkActor(body.actor(), actor);
    String reason = body.reason();
    refusedAs409(() -> rollout.by(actor).approve(reason));
    return acted(rollout, "approve", actor, reason);
  }

  /**
   * {@code promote}: opens the next ring now once the open ring's gate has passed, or with {@code "skipGate": true}
   * and a written reason whatever the gate says.
   */
  private Response promote(Request request) {
    String id = request.param("id");
    Rollout rollout = ctx.engine().rollout(id);
    String actor = request.principal().name();
    byte[] raw = request.body(); // read once: the body is a stream
    AdminBodies.Promote body = raw.length > 0 ? AdminBodies.Promote.BODY.read(raw)
        : new AdminBodies.Promote(null, null, null);
    checkActor(body.actor(), actor);
    ctx.stopAll().checkNotInForce("be promoted");
    Rollout acting = rollout.by(actor);
    refusedAs409(() -> {
      if (body.skipsGate()) {
        acting.promoteSkippingGate(body.reason());
      } else {
        acting.promote(body.reason());
      }
    });
    return acted(rollout, body.skipsGate() ? "promote skipping the gate" : "promote", actor, body.reason());
  }

  private static void checkActor(@Nullable String claimed, String actor) {
    if (claimed != null && !claimed.equals(actor)) {
      throw HttpError.badField("actor", "the actor is the calling token's name, '" + actor + "'; leave the field out"
          + " (or send that name)");
    }
  }

  /** A refusal of the ring (no approval needed, gate not passed, last ring) is a 409 naming what stood in the way. */
  private static void refusedAs409(Runnable command) {
    try {
      command.run();
    } catch (CommandRefusedException e) {
      String field = switch (e.reason()) {
        case GATE_NOT_PASSED -> "verdict";
        case SAMPLE_TOO_SMALL -> "minSample";
        default -> "ring";
      };
      throw new HttpError(409, "conflict", field, e.getMessage());
    }
  }

  /** A token as the API shows it: never the token, never its digest. */
  private static Map<String, Object> tokenView(TokenRecords.StoredToken t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("role", t.role().wireName());
    m.put("bootstrap", t.bootstrap());
    m.put("createdAt", t.createdAt().toString());
    m.put("createdBy", t.createdBy());
    m.put("lastUsedAt", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
    m.put("revokedAt", t.revokedAt() == null ? null : t.revokedAt().toString());
    m.put("revokedBy", t.revokedBy());
    return m;
  }

  private Response createToken(Request request) {
    AdminBodies.CreateToken body = AdminBodies.CreateToken.BODY.read(request.body());
    ApiTokens.Created created = ctx.tokens().create(body.name(), Role.parse(body.role()), request.principal().name());
    LOG.info("token {} ({}) created by {}", created.stored().name(), created.stored().role().wireName(),
        request.principal().name());
    Map<String, Object> view = tokenView(created.stored());
    view.put("token", created.token());
    view.put("note", "shown once: the server keeps only the token's SHA-256");
    return Response.json(201, view);
  }

  private Response tokens(Request request) {
    return Response.json(200, Map.of("tokens", ctx.tokens().list().stream().map(AdminApi::tokenView).toList()));
  }

  private Response revokeToken(Request request) {
    String name = request.param("name");
    TokenRecords.StoredToken revoked = ctx.tokens().revoke(name, request.principal().name());
    LOG.info("token {} revoked by {}", LogText.of(name), request.principal().name());
    return Response.json(200, tokenView(revoked));
  }

  private static Map<String, Object> stopView(StopAllRecords.Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("action", e.stop() ? "stop" : "lift");
    m.put("actor", e.actor());
    m.put("reason", e.reason());
    m.put("at", e.at().toString());
    return m;
  }

  private Response stopAllState(Request request) {
    Optional<StopAllRecords.Event> standing = ctx.stopAll().current();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("inForce", standing.isPresent());
    m.put("stop", standing.map(AdminApi::stopView).orElse(null));
    m.put("history", ctx.stopAll().history().stream().map(AdminApi::stopView).toList());
    return Response.json(200, m);
  }

  private Response stopAll(Request request) {
    String reason = AdminBodies.Reason.BODY.read(request.body()).reason();
    StopAll.Stopped stopped = ctx.stopAll().stop(request.principal().name(), reason);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("inForce", true);
    m.put("stop", stopView(stopped.standing()));
    m.put("alreadyInForce", stopped.alreadyInForce());
    m.put("paused", stopped.paused());
    return Response.json(200, m);
  }

  private Response liftStopAll(Request request) {
    String reason = AdminBodies.Reason.BODY.read(request.body()).reason();
    StopAll.Lifted lifted = ctx.stopAll().lift(request.principal().name(), reason);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("inForce", false);
    m.put("lifted", stopView(lifted.stop()));
    m.put("lift", stopView(lifted.lift()));
    m.put("note", "paused rollouts stay paused: resume each with POST /admin/v1/rollouts/{id}/resume");
    return Response.json(200, m);
  }

  private Response audit(Request request) {
    // Checked against the head the store recorded, so a cut-off or emptied trail shows too.
    AuditSource.Export export = ctx.audit().export();
    AuditVerification result = export.verification();
    Optional<String> broken = result.broken();
    String text = String.join("\n", export.lines());
    Response response = Response.text(200, "application/x-ndjson", text.isEmpty() ? "" : text + "\n")
        .header("Ringfence-Audit-Verified", broken.isEmpty() ? "true" : "false: " + EndpointApi.ascii(broken.get()));
    return result.note().isPresent() ? response.header("Ringfence-Audit-Note", EndpointApi.ascii(result.note().get()))
        : response;
  }

}
