package dev.ringfence.micrometer.internal;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutMetrics;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Binds the meters documented on {@link dev.ringfence.micrometer.RingfenceMetrics}. */
public final class EngineMetrics implements MeterBinder {

  /** The tag values of the signal kinds, as they were before the kinds had an enum. */
  private static final Map<RolloutMetrics.SignalKind, String> TYPES = new EnumMap<>(Map.of(
      RolloutMetrics.SignalKind.HEARTBEAT, "heartbeat",
      RolloutMetrics.SignalKind.APPLY_RESULT, "apply",
      RolloutMetrics.SignalKind.PROBE_READING, "probe"));

  private final RolloutEngine engine;

  /**
   * Creates the binder.
   *
   * @param engine the engine whose rollouts are measured
   */
  public EngineMetrics(RolloutEngine engine) {
    this.engine = engine;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Set<String> bound = ConcurrentHashMap.newKeySet();
    for (Rollout rollout : engine.rollouts()) {
      bind(registry, rollout, bound);
    }
    engine.events().onTransition(t -> bind(registry, engine.rollout(t.rolloutId()), bound));
  }

  private static void bind(MeterRegistry registry, Rollout rollout, Set<String> bound) {
    if (rollout == null || !bound.add(rollout.id())) {
      return;
    }
    Tags tags = Tags.of("rollout", rollout.id(), "channel", rollout.spec().channel());
    for (RolloutState state : RolloutState.values()) {
      Gauge.builder("ringfence.rollout.state", rollout, r -> r.state() == state ? 1 : 0)
          .tags(tags).tag("state", lower(state))
          .description("1 for the rollout's current state, 0 for the others").strongReference(true)
          .register(registry);
    }
    Gauge.builder("ringfence.rollout.ring", rollout, r -> r.status().ringIndex()).tags(tags)
        .description("index of the open ring, -1 before start").strongReference(true).register(registry);
    Gauge.builder("ringfence.rollout.exposed", rollout, r -> r.status().exposedTotal()).tags(tags)
        .baseUnit("endpoints").description("endpoints admitted to the candidate").strongReference(true)
        .register(registry);
    RolloutMetrics metrics = rollout.metrics();
    for (RolloutMetrics.SignalKind kind : RolloutMetrics.SignalKind.values()) {
      for (RolloutMetrics.Arm arm : RolloutMetrics.Arm.values()) {
        for (IngestResult result : IngestResult.values()) {
          FunctionCounter.builder("ringfence.signals", metrics, m -> m.signals(kind, arm, result)).tags(tags)
              .tag("type", TYPES.get(kind)).tag("arm", lower(arm)).tag("outcome", lower(result))
              .baseUnit("signals").description("health signals received").register(registry);
        }
      }
    }
    FunctionCounter.builder("ringfence.signals.silent", metrics, RolloutMetrics::silentFailures).tags(tags)
        .baseUnit("endpoints").description("endpoints offered the candidate that did not report in time")
        .register(registry);
    for (Verdict.Outcome outcome : Verdict.Outcome.values()) {
      FunctionCounter.builder("ringfence.verdicts", metrics, m -> m.verdicts(outcome)).tags(tags)
          .tag("outcome", lower(outcome)).baseUnit("verdicts")
          .description("gate evaluations").register(registry);
    }
    FunctionCounter.builder("ringfence.halts", metrics, RolloutMetrics::halts).tags(tags)
        .baseUnit("halts").description("times the rollout was halted").register(registry);
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
