package dev.ringfence.micrometer.internal;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutMetrics;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The meters of one rollout, documented on {@link dev.ringfence.micrometer.RingfenceMetrics}. */
final class RolloutMeters {

  /** The tag values of the signal kinds, as they were before the kinds had an enum. */
  private static final Map<RolloutMetrics.SignalKind, String> TYPES = new EnumMap<>(Map.of(
      RolloutMetrics.SignalKind.HEARTBEAT, "heartbeat",
      RolloutMetrics.SignalKind.APPLY_RESULT, "apply",
      RolloutMetrics.SignalKind.PROBE_READING, "probe"));

  private RolloutMeters() {}

  /**
   * Registers a rollout's meters.
   *
   * <p>The gauges hold the rollout strongly: a rollout handle need not be the object the engine keeps, so a
   * weak reference could be cleared while the rollout runs. The registry therefore holds the rollout only
   * as long as these meters are registered, which {@link EngineBinding} ends when the rollout ends.
   *
   * @param registry where
   * @param rollout whose
   * @return the ids of the meters registered, to remove them by
   */
  static List<Meter.Id> register(MeterRegistry registry, Rollout rollout) {
    List<Meter.Id> ids = new ArrayList<>();
    Tags tags = Tags.of("rollout", rollout.id(), "channel", rollout.spec().channel());
    for (RolloutState state : RolloutState.values()) {
      ids.add(Gauge.builder("ringfence.rollout.state", rollout, r -> r.state() == state ? 1 : 0)
          .tags(tags).tag("state", lower(state))
          .description("1 for the rollout's current state, 0 for the others").strongReference(true)
          .register(registry).getId());
    }
    ids.add(Gauge.builder("ringfence.rollout.ring", rollout, r -> r.status().ringIndex()).tags(tags)
        .description("index of the open ring, -1 before start").strongReference(true)
        .register(registry).getId());
    ids.add(Gauge.builder("ringfence.rollout.exposed", rollout, r -> r.status().exposedTotal()).tags(tags)
        .baseUnit("endpoints").description("endpoints admitted to the candidate").strongReference(true)
        .register(registry).getId());
    // Function counters hold their object weakly: they read through the rollout, which the gauges above hold.
    for (RolloutMetrics.SignalKind kind : RolloutMetrics.SignalKind.values()) {
      for (RolloutMetrics.Arm arm : RolloutMetrics.Arm.values()) {
        for (IngestResult result : IngestResult.values()) {
          ids.add(FunctionCounter.builder("ringfence.signals", rollout, r -> r.metrics().signals(kind, arm, result))
              .tags(tags).tag("type", TYPES.get(kind)).tag("arm", lower(arm)).tag("outcome", lower(result))
              .baseUnit("signals").description("health signals received").register(registry).getId());
        }
      }
    }
    ids.add(FunctionCounter.builder("ringfence.signals.silent", rollout, r -> r.metrics().silentFailures())
        .tags(tags).baseUnit("endpoints")
        .description("endpoints offered the candidate that did not report in time").register(registry).getId());
    for (Verdict.Outcome outcome : Verdict.Outcome.values()) {
      ids.add(FunctionCounter.builder("ringfence.verdicts", rollout, r -> r.metrics().verdicts(outcome)).tags(tags)
          .tag("outcome", lower(outcome)).baseUnit("verdicts").description("gate evaluations")
          .register(registry).getId());
    }
    ids.add(FunctionCounter.builder("ringfence.halts", rollout, r -> r.metrics().halts()).tags(tags)
        .baseUnit("halts").description("times the rollout was halted").register(registry).getId());
    return List.copyOf(ids);
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
