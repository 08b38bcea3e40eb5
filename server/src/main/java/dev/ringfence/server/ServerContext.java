package dev.ringfence.server;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.store.RolloutStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Everything the routes share.
 *
 * @param config the settings
 * @param engine the rollout engine
 * @param store its journal
 * @param audit the hash-chained audit trail, in the file journal's folder or in PostgreSQL
 * @param releases published releases
 * @param endpoints enrolled endpoints
 * @param channels which rollout governs each channel
 * @param fleet what the server saw of each endpoint
 * @param history exposure over time
 * @param metrics the server's meters
 * @param prometheus the registry {@code /metrics} scrapes
 * @param tokens the admin API's tokens, each with a name and a role
 * @param stopAll the stop-all switch
 * @param signals the signal batch checker
 * @param signalLimiter the per-endpoint rate limit on signal batches
 * @param trust the trust roots and timestamps, or null without {@code --trust-root}
 */
record ServerContext(UpdateServerConfig config, RolloutEngine engine, RolloutStore store, AuditSource audit,
    ReleaseStore releases, EndpointRegistry endpoints, ChannelRollouts channels, FleetView fleet,
    ExposureHistory history, ServerMetrics metrics, PrometheusMeterRegistry prometheus, ApiTokens tokens,
    StopAll stopAll, SignalAuthenticator signals, EndpointRateLimiter signalLimiter, @Nullable TrustService trust) {

  /**
   * Re-signs the channels' timestamps that need it (none without {@code --trust-root}): on every tick, and at once
   * after a release or a root is published, since agents refuse a release the timestamp does not name and fetch the
   * root it names.
   */
  void refreshTimestamps() {
    if (trust != null) {
      trust.refresh(releases);
    }
  }
}
