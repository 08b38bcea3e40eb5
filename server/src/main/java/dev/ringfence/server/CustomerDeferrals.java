package dev.ringfence.server;

import dev.ringfence.core.deferral.DeferralPolicy;
import dev.ringfence.protocol.InvalidInputException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each channel's customer deferral policy as this replica last read it ({@link DeferralRecords}): read on every
 * decision from memory, caught up with other replicas' changes on every tick and at once with this replica's own.
 */
final class CustomerDeferrals {

  private static final Logger LOG = LoggerFactory.getLogger(CustomerDeferrals.class);

  /**
   * A channel's policy and the change that set it.
   *
   * @param policy the policy
   * @param change the change that set it, or null for a channel never given one
   */
  record Current(DeferralPolicy policy, DeferralRecords.@org.jspecify.annotations.Nullable Change change) {}

  private static final Current NONE = new Current(DeferralPolicy.NONE, null);

  private final DeferralRecords records;
  private final Clock clock;
  private long seen;
  private final List<DeferralRecords.Change> history = new ArrayList<>();
  private volatile Map<String, Current> policies = Map.of();

  CustomerDeferrals(DeferralRecords records, Clock clock) {
    this.records = records;
    this.clock = clock;
    refresh();
  }

  /** Reads the changes made since the last read, through any replica. */
  synchronized void refresh() {
    List<DeferralRecords.Change> changes = records.deferralsAfter(seen);
    if (changes.isEmpty()) {
      return;
    }
    Map<String, Current> next = new HashMap<>(policies);
    for (DeferralRecords.Change c : changes) {
      seen = Math.max(seen, c.seq());
      history.add(c);
      try {
        next.put(c.channel(), new Current(DeferralPolicy.fromJson(c.policyJson(), "deferrals"), c));
      } catch (InvalidInputException e) {
        // Written by a newer server with syntax this one does not know: keep the channel's previous policy.
        LOG.warn("deferrals of {} set by {} at {} not understood here; keeping the previous policy: {}",
            LogText.of(c.channel()), LogText.of(c.actor()), c.at(), LogText.of(e.getMessage()));
      }
    }
    policies = Map.copyOf(next);
  }

  /** @return the channel's policy, empty when it has none */
  DeferralPolicy policy(String channel) {
    return policies.getOrDefault(channel, NONE).policy();
  }

  /** @return the channel's policy and the change that set it */
  Current current(String channel) {
    return policies.getOrDefault(channel, NONE);
  }

  /** @return every channel with a non-empty policy, by name */
  Map<String, DeferralPolicy> all() {
    Map<String, DeferralPolicy> out = new java.util.TreeMap<>();
    policies.forEach((channel, current) -> {
      if (!current.policy().isEmpty()) {
        out.put(channel, current.policy());
      }
    });
    return out;
  }

  /** @return the channel's changes, oldest first */
  synchronized List<DeferralRecords.Change> history(String channel) {
    return history.stream().filter(c -> c.channel().equals(channel)).toList();
  }

  /**
   * Sets a channel's policy.
   *
   * @param channel the channel
   * @param policy the policy, checked
   * @param actor the caller's token name
   * @return the channel's policy and the change afterwards
   */
  Current set(String channel, DeferralPolicy policy, String actor) {
    records.appendDeferral(channel, policy.toJson(), actor, clock.instant());
    refresh();
    return Optional.ofNullable(policies.get(channel)).orElse(NONE);
  }
}
