package dev.ringfence.server;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * What the server has seen of each endpoint since it started: when it last asked, the version it runs
 * per channel, the last decision, and every payload it downloaded. Kept in memory; for the status page,
 * the admin API and the end-to-end demo's check that only the canary downloaded a bad release.
 */
final class FleetView {

  /** One endpoint's view. */
  static final class Seen {
    volatile Instant lastSeen = Instant.EPOCH;
    final Map<String, Long> versions = new ConcurrentHashMap<>();
    final Map<String, String> decisions = new ConcurrentHashMap<>();
    final Set<String> downloads = new ConcurrentSkipListSet<>();
  }

  private final Map<String, Seen> endpoints = new ConcurrentHashMap<>();

  Seen seen(String endpointId) {
    return endpoints.computeIfAbsent(endpointId, id -> new Seen());
  }

  void asked(String endpointId, String channel, long version, String decision, Instant now) {
    Seen s = seen(endpointId);
    s.lastSeen = now;
    s.versions.put(channel, version);
    s.decisions.put(channel, decision);
  }

  void downloaded(String endpointId, String channel, long version) {
    seen(endpointId).downloads.add(channel + ":" + version);
  }

  Map<String, Seen> all() {
    return new TreeMap<>(endpoints);
  }
}
