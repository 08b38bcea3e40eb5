package dev.ringfence.core.internal;

import dev.ringfence.core.RolloutMetrics;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;

/** {@link RolloutMetrics} over a rollout's striped signal counters and its verdict counters. */
final class RuntimeMetrics implements RolloutMetrics {

  private final HealthTracker health;
  private final RolloutCounters counters;

  RuntimeMetrics(HealthTracker health, RolloutCounters counters) {
    this.health = health;
    this.counters = counters;
  }

  @Override
  public long signals(SignalKind kind, Arm arm, IngestResult result) {
    int type = switch (kind) {
      case HEARTBEAT -> HealthTracker.TYPE_HEARTBEAT;
      case APPLY_RESULT -> HealthTracker.TYPE_APPLY;
      case PROBE_READING -> HealthTracker.TYPE_PROBE;
    };
    int index = switch (arm) {
      case CANDIDATE -> HealthTracker.ARM_CANDIDATE;
      case CONTROL -> HealthTracker.ARM_CONTROL;
      case NONE -> HealthTracker.ARM_NONE;
    };
    return health.signals(type, index, result);
  }

  @Override
  public long silentFailures() {
    return health.silentFailures();
  }

  @Override
  public long verdicts(Verdict.Outcome outcome) {
    return counters.verdicts(outcome);
  }

  @Override
  public long halts() {
    return counters.halts();
  }
}
