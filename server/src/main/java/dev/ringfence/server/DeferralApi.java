package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.deferral.Deferral;
import dev.ringfence.core.deferral.DeferralPolicy;
import dev.ringfence.core.deferral.Deferrals;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Customer deferral on the admin API: {@code GET} and {@code PUT /admin/v1/channels/{channel}/deferrals}, and
 * what the rollout views and the status page show of it (how many enrolled endpoints each entry defers, and
 * where each deferred group stands). Semantics: docs/update-server.md, "Customer deferral".
 */
final class DeferralApi {

  private static final Logger LOG = LoggerFactory.getLogger(DeferralApi.class);

  /** {@code PUT /admin/v1/channels/{channel}/deferrals}: the whole policy, replacing the previous one. */
  record SetDeferrals(@Nullable JsonNode deferrals) {

    static final JsonBody<SetDeferrals> BODY = JsonBody.of(SetDeferrals.class);

    SetDeferrals {
      if (deferrals == null || deferrals.isNull()) {
        throw new InvalidInputException("deferrals", "is missing; send the channel's whole policy, e.g. {\"deferrals\":"
            + " [{\"match\": {\"tag\": \"tenant:acme\"}, \"policy\": \"n-1\"}]} ([] clears it)");
      }
    }

    DeferralPolicy policy() {
      return DeferralPolicy.fromJson(deferrals.toString(), "deferrals");
    }
  }

  private final ServerContext ctx;

  DeferralApi(ServerContext ctx) {
    this.ctx = ctx;
  }

  Response get(Request request) {
    String channel = request.param("channel");
    ReleaseStore.checkChannel(channel);
    return Response.json(200, view(channel));
  }

  Response put(Request request) {
    String channel = request.param("channel");
    ReleaseStore.checkChannel(channel);
    SetDeferrals body = SetDeferrals.BODY.read(request.body());
    DeferralPolicy policy;
    try {
      policy = body.policy();
    } catch (InvalidInputException e) {
      throw new HttpError(400, "bad_request", e.field(), e.getMessage());
    }
    String actor = request.principal().name();
    ctx.channels().deferrals().set(channel, policy, actor);
    LOG.info("deferrals of {} set by {}: {}", LogText.of(channel), LogText.of(actor), LogText.of(policy.toJson()));
    return Response.json(200, view(channel));
  }

  private Map<String, Object> view(String channel) {
    CustomerDeferrals.Current current = ctx.channels().deferrals().current(channel);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("channel", channel);
    m.put("deferrals", json(current.policy().toJson()));
    m.put("setBy", current.change() == null ? null : current.change().actor());
    m.put("setAt", current.change() == null ? null : current.change().at().toString());
    m.put("deferred", entries(ctx, channel, current.policy(), ctx.channels().governing(channel).orElse(null)));
    List<Map<String, Object>> history = new ArrayList<>();
    for (DeferralRecords.Change c : ctx.channels().deferrals().history(channel)) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("deferrals", json(c.policyJson()));
      h.put("actor", c.actor());
      h.put("at", c.at().toString());
      history.add(h);
    }
    m.put("history", history);
    return m;
  }

  private static JsonNode json(String text) {
    try {
      return ServerJson.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Each entry of a channel's policy: how many enrolled endpoints it defers (those for which it is the most
   * conservative matching entry) and, with a main rollout, where its group stands.
   */
  static List<Map<String, Object>> entries(ServerContext ctx, String channel, DeferralPolicy policy,
      @Nullable Rollout main) {
    long[] counts = new long[policy.entries().size()];
    if (!policy.isEmpty()) {
      for (EndpointRegistry.Enrollment e : ctx.endpoints().all()) {
        int index = policy.effective(e.attributes());
        if (index >= 0) {
          counts[index]++;
        }
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      Deferral d = policy.entries().get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("entry", i);
      m.put("deferral", d.toString());
      m.put("endpoints", counts[i]);
      if (main != null) {
        m.putAll(stand(ctx, channel, main, d));
      }
      out.add(m);
    }
    return out;
  }

  /** Where one entry's group stands against the channel's main rollout. */
  private static Map<String, Object> stand(ServerContext ctx, String channel, Rollout main, Deferral d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rollout", main.id());
    if (d.previousRelease()) {
      m.put("status", main.state() == RolloutState.COMPLETED ? "one release behind: offered at most v"
          + main.spec().baselineVersion() : "held back from v" + main.spec().candidateVersion() + " while the rollout is "
          + main.state());
      return m;
    }
    String ownId = Deferrals.childId(main.id(), d);
    Optional<Rollout> own = ctx.channels().rollouts(channel).stream().filter(r -> r.id().equals(ownId)).findFirst();
    Optional<Instant> done = ctx.channels().completedAt(main);
    m.put("until", done.map(t -> t.plus(d.delay()).toString()).orElse(null));
    m.put("ownRollout", own.map(Rollout::id).orElse(null));
    if (own.isPresent()) {
      m.put("status", "own rollout " + own.get().id() + " " + own.get().state());
    } else if (done.isPresent()) {
      m.put("status", "waiting until " + done.get().plus(d.delay()) + " for v" + main.spec().candidateVersion());
    } else {
      m.put("status", "held back from v" + main.spec().candidateVersion() + " while the rollout is " + main.state()
          + "; then " + d.delay() + " more");
    }
    return m;
  }

  /**
   * What a rollout's JSON shows of customer deferral: for the channel's main rollout, each entry's group; for a
   * deferred group's own rollout, whose group it is.
   *
   * @return the view, or null when the channel has no deferrals and the rollout is not a group's own
   */
  static @Nullable Map<String, Object> forRollout(ServerContext ctx, Rollout rollout) {
    String channel = rollout.spec().channel();
    DeferralPolicy policy = ctx.channels().deferrals().policy(channel);
    if (Deferrals.isChild(rollout)) {
      Map<String, Object> m = new LinkedHashMap<>();
      String parent = rollout.id().substring(0, rollout.id().lastIndexOf(".deferral-"));
      m.put("groupOf", parent);
      // The id holds at most the parent's first 100 characters: find the parent and the entry that give this id.
      for (Rollout r : ctx.channels().rollouts(channel)) {
        if (!r.id().startsWith(parent)) {
          continue;
        }
        for (Deferral d : policy.entries()) {
          if (Deferrals.childId(r.id(), d).equals(rollout.id())) {
            m.put("groupOf", r.id());
            m.put("deferral", d.toString());
          }
        }
      }
      return m;
    }
    Optional<Rollout> main = ctx.channels().governing(channel);
    if (policy.isEmpty() || main.isEmpty() || main.get() != rollout) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    List<Map<String, Object>> entries = entries(ctx, channel, policy, rollout);
    long total = 0;
    for (Map<String, Object> e : entries) {
      total += (Long) e.get("endpoints");
    }
    m.put("deferredEndpoints", total);
    m.put("entries", entries);
    return m;
  }
}
