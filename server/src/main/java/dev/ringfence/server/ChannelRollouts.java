package dev.ringfence.server;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.protocol.Decision;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which rollout governs each channel, and what each endpoint should run: the newest rollout of the
 * channel that was not aborted before it started decides ({@link Rollout#decide}), so only the open
 * rings' cohorts get the candidate and a halted rollout answers REVERT; a channel without a rollout
 * serves its general version, or the candidate of its newest completed rollout.
 */
final class ChannelRollouts {

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

  /**
   * Reads the engine's rollouts on every call, never a copy made earlier: with a shared store the engine
   * catches up on each tick with rollouts that other replicas created and with their transitions, and
   * this replica must answer from them (a halt through any replica makes every replica answer REVERT).
   */
  ChannelRollouts(RolloutEngine engine, ReleaseStore releases) {
    this.engine = engine;
    this.releases = releases;
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

  /** @return the rollout that decides for the channel now */
  Optional<Rollout> governing(String channel) {
    // On every endpoint request: the engine's list, newest first, without a filtered copy.
    List<Rollout> all = engine.rollouts();
    for (int i = all.size() - 1; i >= 0; i--) {
      Rollout r = all.get(i);
      if (r.spec().channel().equals(channel) && r.state() != RolloutState.ABORTED) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** @return a rollout of the channel that still runs, is paused, planned or rolling back */
  Optional<Rollout> active(String channel) {
    return rollouts(channel).stream().filter(r -> ACTIVE.contains(r.state())).findFirst();
  }

  /** @return the version the whole fleet runs without a rollout: the general version or the newest completed candidate */
  OptionalLong fleetVersion(String channel) {
    OptionalLong result = releases.general(channel);
    for (Rollout r : rollouts(channel)) {
      if (r.state() == RolloutState.COMPLETED
          && (result.isEmpty() || r.spec().candidateVersion() > result.getAsLong())) {
        result = OptionalLong.of(r.spec().candidateVersion());
      }
    }
    return result;
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
    Rollout rollout = governing.get();
    Decision d = rollout.decide(endpointId, attributes, current);
    return new Target(d.kind(), d.version(), d.reason(), rollout.id(), d.ringName());
  }
}
