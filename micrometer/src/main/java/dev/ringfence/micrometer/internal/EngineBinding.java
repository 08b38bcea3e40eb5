package dev.ringfence.micrometer.internal;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEvents;
import dev.ringfence.core.store.JournalEntry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One engine bound to one registry: the ids of the meters registered per live rollout, and the
 * subscription that adds a rollout's meters at its first transition and removes them at its last.
 */
final class EngineBinding {

  private final RolloutEngine engine;
  private final MeterRegistry registry;
  /** Rollout id to the ids of its meters; ids only, so the binding never keeps a rollout reachable. */
  private final Map<String, List<Meter.Id>> meterIds = new ConcurrentHashMap<>();
  private final RolloutEvents.Registration subscription;
  private volatile boolean closed;

  private EngineBinding(RolloutEngine engine, MeterRegistry registry) {
    this.engine = engine;
    this.registry = registry;
    this.subscription = engine.events().onTransition(this::onTransition);
  }

  /**
   * Subscribes to the engine's transitions, then registers the meters of every live rollout: in this
   * order, so that a rollout that starts or ends during the scan is not missed.
   *
   * @param engine the engine
   * @param registry the registry
   * @return the binding
   */
  static EngineBinding open(RolloutEngine engine, MeterRegistry registry) {
    EngineBinding binding = new EngineBinding(engine, registry);
    for (Rollout rollout : engine.rollouts()) {
      binding.add(rollout);
    }
    return binding;
  }

  MeterRegistry registry() {
    return registry;
  }

  /** @return the ids of the rollouts that have meters in the registry now */
  Set<String> rolloutIds() {
    return Set.copyOf(meterIds.keySet());
  }

  private void onTransition(JournalEntry.Transitioned transition) {
    if (transition.to().isTerminal()) {
      remove(transition.rolloutId());
    } else if (!meterIds.containsKey(transition.rolloutId())) {
      add(engine.rollout(transition.rolloutId()));
    }
  }

  private void add(Rollout rollout) {
    if (closed || rollout.state().isTerminal()) {
      return;
    }
    meterIds.computeIfAbsent(rollout.id(), id -> RolloutMeters.register(registry, rollout));
    // The rollout may have ended, or the binding closed, while its meters were registered; their removal
    // may have run before the registration, so it is repeated here.
    if (closed || rollout.state().isTerminal()) {
      remove(rollout.id());
    }
  }

  private void remove(String rolloutId) {
    List<Meter.Id> ids = meterIds.remove(rolloutId);
    if (ids != null) {
      ids.forEach(registry::remove);
    }
  }

  /** Unsubscribes and removes every meter of this binding; idempotent. */
  void close() {
    closed = true;
    subscription.close();
    for (String rolloutId : meterIds.keySet()) {
      remove(rolloutId);
    }
  }
}
