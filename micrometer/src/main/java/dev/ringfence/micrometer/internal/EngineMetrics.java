package dev.ringfence.micrometer.internal;

import static java.util.Objects.requireNonNull;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.micrometer.RingfenceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** The {@link RingfenceMetrics} binder: one {@link EngineBinding} per registry it was bound to. */
public final class EngineMetrics implements RingfenceMetrics {

  /** Null once closed, so that a closed binder keeps neither the engine nor its rollouts reachable. */
  private @Nullable RolloutEngine engine;
  private final List<EngineBinding> bindings = new ArrayList<>();

  /**
   * Creates the binder; use {@link RingfenceMetrics#of(RolloutEngine)}.
   *
   * @param engine the engine whose rollouts are measured
   */
  public EngineMetrics(RolloutEngine engine) {
    this.engine = requireNonNull(engine, "engine");
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    RolloutEngine bound = engine;
    if (bound == null) {
      throw new IllegalStateException("the binder was closed; create a new one with RingfenceMetrics.of(engine)");
    }
    for (EngineBinding binding : bindings) {
      if (binding.registry() == registry) {
        return;
      }
    }
    bindings.add(EngineBinding.open(bound, registry));
  }

  /**
   * The rollouts that have meters now, in any registry: for tests and diagnostics.
   *
   * @return rollout ids, sorted
   */
  public synchronized Set<String> measuredRollouts() {
    Set<String> ids = new TreeSet<>();
    for (EngineBinding binding : bindings) {
      ids.addAll(binding.rolloutIds());
    }
    return Collections.unmodifiableSet(ids);
  }

  @Override
  public synchronized void close() {
    for (EngineBinding binding : bindings) {
      binding.close();
    }
    bindings.clear();
    engine = null;
  }
}
