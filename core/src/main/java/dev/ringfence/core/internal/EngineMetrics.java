package dev.ringfence.core.internal;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Binds the meters documented on {@link dev.ringfence.core.metrics.RingfenceMetrics}. */
public final class EngineMetrics implements MeterBinder {

  private static final String[] TYPES = {"heartbeat", "apply", "probe"};
  private static final String[] ARMS = {"candidate", "control", "none"};

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
    if (!(rollout instanceof RolloutRuntime) || !bound.add(rollout.id())) {
      return;
    }
    RolloutRuntime runtime = (RolloutRuntime) rollout;
    Tags tags = Tags.of("rollout", rollout.id(), "channel", rollout.spec().channel());
    for (RolloutState state : RolloutState.values()) {
      Gauge.builder("ringfence.rollout.state", runtime, r -> r.state() == state ? 1 : 0)
          .tags(tags).tag("state", state.name().toLowerCase(Locale.ROOT))
          .description("1 for the rollout's current state, 0 for the others").strongReference(true)
          .register(registry);
    }
    Gauge.builder("ringfence.rollout.ring", runtime, r -> r.status().ringIndex()).tags(tags)
        .description("index of the open ring, -1 before start").strongReference(true).register(registry);
    Gauge.builder("ringfence.rollout.exposed", runtime, r -> r.status().exposedTotal()).tags(tags)
        .baseUnit("endpoints").description("endpoints admitted to the candidate").strongReference(true)
        .register(registry);
    HealthTracker health = runtime.health();
    for (int type = 0; type < TYPES.length; type++) {
      for (int arm = 0; arm < ARMS.length; arm++) {
        for (IngestResult result : IngestResult.values()) {
          int t = type;
          int a = arm;
          FunctionCounter.builder("ringfence.signals", health, h -> h.signals(t, a, result)).tags(tags)
              .tag("type", TYPES[type]).tag("arm", ARMS[arm]).tag("outcome", result.name().toLowerCase(Locale.ROOT))
              .baseUnit("signals").description("health signals received").register(registry);
        }
      }
    }
    FunctionCounter.builder("ringfence.signals.silent", health, HealthTracker::silentFailures).tags(tags)
        .baseUnit("endpoints").description("endpoints offered the candidate that did not report in time")
        .register(registry);
    RolloutCounters counters = runtime.counters();
    for (Verdict.Outcome outcome : Verdict.Outcome.values()) {
      FunctionCounter.builder("ringfence.verdicts", counters, c -> c.verdicts(outcome)).tags(tags)
          .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).baseUnit("verdicts")
          .description("gate evaluations").register(registry);
    }
    FunctionCounter.builder("ringfence.halts", counters, RolloutCounters::halts).tags(tags)
        .baseUnit("halts").description("times the rollout was halted").register(registry);
  }
}
