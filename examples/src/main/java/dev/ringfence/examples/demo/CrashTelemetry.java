package dev.ringfence.examples.demo;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The demo's stand-in for a crash-reporting pipeline: per rollout, which exposed endpoints loaded the
 * candidate and reported back, and which of them crashed. The {@link CrashRateGate} reads it.
 */
final class CrashTelemetry {

  private final Map<String, Set<String>> reported = new HashMap<>();
  private final Map<String, Set<String>> crashed = new HashMap<>();

  /** An endpoint loaded the rollout's candidate and reported whether it survived. */
  void report(String rolloutId, String endpointId, boolean didCrash) {
    reported.computeIfAbsent(rolloutId, k -> new HashSet<>()).add(endpointId);
    if (didCrash) {
      crashed.computeIfAbsent(rolloutId, k -> new HashSet<>()).add(endpointId);
    }
  }

  /** @return distinct endpoints that loaded the rollout's candidate and reported */
  long reports(String rolloutId) {
    return reported.getOrDefault(rolloutId, Set.of()).size();
  }

  /** @return distinct endpoints that crashed on the rollout's candidate at least once */
  long crashes(String rolloutId) {
    return crashed.getOrDefault(rolloutId, Set.of()).size();
  }
}
