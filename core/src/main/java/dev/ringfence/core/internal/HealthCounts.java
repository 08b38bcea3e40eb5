package dev.ringfence.core.internal;

import org.jspecify.annotations.Nullable;

/**
 * One replica's health counts of one rollout at one tick, by stratum key: what {@link HealthTracker#collect()}
 * takes and what replicas exchange ({@link FleetHealth}). Failures are totals since the rollout began on that
 * replica, so they never shrink; endpoints at risk and outcomes are counts now.
 */
final class HealthCounts {

  /** The key of each stratum (index), as {@link HealthTracker#stratum(String)} reads it. */
  final String[] keys;
  final long[] candidateFailures;
  final long[] controlFailures;
  final long[] candidateAtRisk;
  final long[] controlAtRisk;
  /** Endpoints per [slot * Track.STATUSES + status]; slot is the ring of admission, or the rings' count for control. */
  final long[] outcomes;
  final long censoredReported;
  /** The stratum of each key in the tracker that reads these counts: set by {@link #mapStrata}. */
  private int[] local = new int[0];

  HealthCounts(String[] keys, long[] candidateFailures, long[] controlFailures, long[] candidateAtRisk,
      long[] controlAtRisk, long[] outcomes, long censoredReported) {
    this.keys = keys;
    this.candidateFailures = candidateFailures;
    this.controlFailures = controlFailures;
    this.candidateAtRisk = candidateAtRisk;
    this.controlAtRisk = controlAtRisk;
    this.outcomes = outcomes;
    this.censoredReported = censoredReported;
  }

  /** Gives every key its stratum in {@code tracker}, making those it has not seen (they may have no track here). */
  void mapStrata(HealthTracker tracker) {
    local = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      local[i] = tracker.stratum(keys[i]);
    }
  }

  /** Adds these counts into arrays indexed by the strata of {@link #mapStrata}; null arrays are left out. */
  void addTo(long[] candidateTotal, long[] controlTotal, long @Nullable [] candidateNow, long @Nullable [] controlNow) {
    for (int i = 0; i < keys.length; i++) {
      int s = local[i];
      candidateTotal[s] += candidateFailures[i];
      controlTotal[s] += controlFailures[i];
      if (candidateNow != null && controlNow != null) {
        candidateNow[s] += candidateAtRisk[i];
        controlNow[s] += controlAtRisk[i];
      }
    }
  }
}
