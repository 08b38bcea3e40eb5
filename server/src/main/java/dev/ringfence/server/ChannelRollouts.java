package dev.ringfence.server;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.deferral.DeferralPolicy;
import dev.ringfence.core.deferral.Deferrals;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.protocol.Decision;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which rollout governs each channel, and what each endpoint should run: the newest rollout of the
 * channel that was not aborted before it started (and is not a deferred group's own) decides ({@link
 * Rollout#decide}), so only the open rings' cohorts get the candidate and a halted rollout answers REVERT; a
 * channel without a rollout serves its general version, or the candidate of its newest completed rollout. An
 * endpoint that the channel's customer deferral policy matches is decided by {@link Deferrals#route} instead
 * (docs/update-server.md, "Customer deferral").
 */
final class ChannelRollouts {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelRollouts.class);

  /** States in which a rollout still governs its channel and a new one may not be created. */
  static final Set<RolloutState> ACTIVE = EnumSet.of(RolloutState.PLANNED, RolloutState.RUNNING, RolloutState.PAUSED,
      RolloutState.HALTED, RolloutState.ROLLING_BACK);

  /**
   * What one endpoint should do.
   *
   * @param kind OFFER (run {@code version}), STAY or HOLD (run {@code version}, the baseline or general
   *     version), REVERT (go back to {@code version})
   * @param version the version to run or go back to; 0 when the channel has nothing to serve
   * @param reason why, in words
   * @param rolloutId the deciding rollout, or null
   * @param ring the ring that admitted the endpoint, or empty
   */
  record Target(Decision.Kind kind, long version, String reason, @Nullable String rolloutId, String ring) {}

  private final RolloutEngine engine;
  private final ReleaseStore releases;
  private final CustomerDeferrals deferrals;
  private final RolloutStore store;
  private final Clock clock;
  /** When each completed rollout completed, from its journal: read once, it never changes. */
  private final Map<String, Instant> completed = new ConcurrentHashMap<>();

  /**
   * Reads the engine's rollouts on every call, never a copy made earlier: with a shared store the engine
   * catches up on each tick with rollouts that other replicas created and with their transitions, and
   * this replica must answer from them (a halt through any replica makes every replica answer REVERT).
   */
  ChannelRollouts(RolloutEngine engine, ReleaseStore releases, CustomerDeferrals deferrals, RolloutStore store,
      Clock clock) {
    this.engine = engine;
    this.releases = releases;
    this.deferrals = deferrals;
    this.store = store;
    this.clock = clock;
  }

  /** @return the channels' customer deferral policies */
  CustomerDeferrals deferrals() {
    return deferrals;
  }

  /** @return the channel's rollouts in creation order */
  List<Rollout> rollouts(String channel) {
    List<Rollout> out = new ArrayList<>();
    for (Rollout r : engine.rollouts()) {
      if (r.spec().channel().equals(channel)) {
        out.add(r);
      }
    }
    return out;
  }

  /** @return the rollout that decides for the channel now (a deferred group's own decides only for the group) */
  Optional<Rollout> governing(String channel) {
    // On every endpoint request: the engine's list, newest first, without a filtered copy.
    List<Rollout> all = engine.rollouts();
    for (int i = all.size() - 1; i >= 0; i--) {
      Rollout r = all.get(i);
      if (r.spec().channel().equals(channel) && r.state() != RolloutState.ABORTED && !Deferrals.isChild(r)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * @return the rollout whose judge an endpoint's signals belong to: a deferred group's own rollout for its
   *     members, else the governing one
   */
  Optional<Rollout> governingFor(String channel, EndpointAttributes attributes, long runningVersion) {
    DeferralPolicy policy = deferrals.policy(channel);
    if (policy.isEmpty() || policy.effective(attributes) < 0) {
      return governing(channel);
    }
    return Deferrals.signalsTo(rollouts(channel), policy, attributes, runningVersion);
  }

  /** @return a rollout of the channel that still runs, is paused, planned or rolling back */
  Optional<Rollout> active(String channel) {
    return rollouts(channel).stream().filter(r -> ACTIVE.contains(r.state())).findFirst();
  }

  /** @return the version the whole fleet runs without a rollout: the general version or the newest completed candidate */
  OptionalLong fleetVersion(String channel) {
    OptionalLong result = releases.general(channel);
    for (Rollout r : rollouts(channel)) {
      if (r.state() == RolloutState.COMPLETED && !Deferrals.isChild(r)
          && (result.isEmpty() || r.spec().candidateVersion() > result.getAsLong())) {
        result = OptionalLong.of(r.spec().candidateVersion());
      }
    }
    return result;
  }

  /** @return when a completed rollout completed, from its journal */
  Optional<Instant> completedAt(Rollout rollout) {
    if (rollout.state() != RolloutState.COMPLETED) {
      return Optional.empty();
    }
    Instant at = completed.get(rollout.id());
    if (at == null) {
      Optional<Instant> read = Deferrals.completedAt(store, rollout.id());
      read.ifPresent(t -> completed.put(rollout.id(), t));
      return read;
    }
    return Optional.of(at);
  }

  Target target(String channel, String endpointId, EndpointAttributes attributes, long current) {
    Optional<Rollout> governing = governing(channel);
    if (governing.isEmpty()) {
      OptionalLong fleet = fleetVersion(channel);
      if (fleet.isEmpty()) {
        return new Target(Decision.Kind.STAY, 0, "channel '" + channel + "' has no general release", null, "");
      }
      return new Target(Decision.Kind.STAY, fleet.getAsLong(), "general release of '" + channel + "'", null, "");
    }
    DeferralPolicy policy = deferrals.policy(channel);
    if (!policy.isEmpty() && policy.effective(attributes) >= 0) {
      Optional<Deferrals.Routed> routed = Deferrals.route(rollouts(channel), policy, this::completedAt, endpointId,
          attributes, current, clock.instant());
      if (routed.isPresent()) {
        Decision d = routed.get().decision();
        Rollout by = routed.get().rollout();
        return new Target(d.kind(), d.version(), d.reason(), by == null ? null : by.id(), d.ringName());
      }
    }
    Rollout rollout = governing.get();
    Decision d = rollout.decide(endpointId, attributes, current);
    return new Target(d.kind(), d.version(), d.reason(), rollout.id(), d.ringName());
  }

  /**
   * On every tick: creates and starts the deferred groups' own rollouts that are due ({@link Deferrals#advance}),
   * for entries that defer at least one enrolled endpoint.
   *
   * @param endpoints the enrolled endpoints
   */
  void advanceDeferrals(EndpointRegistry endpoints) {
    Instant now = clock.instant();
    for (Map.Entry<String, DeferralPolicy> e : deferrals.all().entrySet()) {
      String channel = e.getKey();
      DeferralPolicy policy = e.getValue();
      BitSet[] inUse = new BitSet[1];
      try {
        for (Rollout created : Deferrals.advance(engine, rollouts(channel), policy, this::completedAt, now, i -> {
          if (inUse[0] == null) {
            inUse[0] = new BitSet();
            for (EndpointRegistry.Enrollment en : endpoints.all()) {
              int index = policy.effective(en.attributes());
              if (index >= 0) {
                inUse[0].set(index);
              }
            }
          }
          return inUse[0].get(i);
        })) {
          LOG.info("deferral: rollout {} of {} v{} -> v{} for a deferred group is {}", LogText.of(created.id()),
              LogText.of(channel), created.spec().baselineVersion(), created.spec().candidateVersion(),
              created.state());
        }
      } catch (RuntimeException ex) {
        // One channel's failure must not keep the others' groups waiting; the next tick tries again.
        LOG.warn("deferral: the deferred groups' rollouts of {} not advanced; retried at the next tick: {}",
            LogText.of(channel), LogText.of(ex.toString()));
      }
    }
  }
}
