package dev.ringfence.server;

import java.time.Instant;
import java.util.List;

/**
 * Where each channel's customer deferral policy lives, so that every replica defers the same endpoints: every
 * change in order (the policy as set, who set it and when), in a file of the data folder ({@link
 * FileDeferralRecords}) or in PostgreSQL ({@link JdbcSharedRecords}). A channel's policy is its newest change;
 * the older ones are its audit trail.
 */
interface DeferralRecords {

  /**
   * One change of a channel's policy.
   *
   * @param seq its sequence number, growing with each change of any channel
   * @param channel the channel
   * @param policyJson the policy as set: the JSON array of deferrals ({@code []} when cleared)
   * @param actor the name of the token that set it
   * @param at when
   */
  record Change(long seq, String channel, String policyJson, String actor, Instant at) {}

  /**
   * Appends a change.
   *
   * @param channel the channel
   * @param policyJson the policy, checked by the caller
   * @param actor the caller's token name
   * @param at when
   */
  void appendDeferral(String channel, String policyJson, String actor, Instant at);

  /** @return the changes after {@code seq}, in order */
  List<Change> deferralsAfter(long seq);
}
