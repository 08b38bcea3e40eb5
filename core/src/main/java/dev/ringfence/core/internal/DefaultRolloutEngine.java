package dev.ringfence.core.internal;

import dev.ringfence.core.Decision;
import dev.ringfence.core.DuplicateRolloutException;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.InvalidInputException;
import dev.ringfence.core.RingfenceException;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutEvents;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.UnknownRolloutException;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.PlanLinter;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The {@link RolloutEngine}: a registry of rollouts sharing one clock, store and event bus. */
public final class DefaultRolloutEngine implements RolloutEngine {

  /** The gate of a ring that has none (allowed only by a lint override): time and sample decide alone. */
  private static final Gate NO_GATE = context -> Verdict.pass("none",
      "ring has no gate (overridden in the plan); bake time and sample decide alone", Map.of());

  private final RolloutEngineConfig config;
  private final EventBus events;
  private final Map<String, RolloutRuntime> byId = new ConcurrentHashMap<>();
  private final List<RolloutRuntime> ordered = new CopyOnWriteArrayList<>();

  private DefaultRolloutEngine(RolloutEngineConfig config) {
    this.config = config;
    this.events = new EventBus(config.eventExecutor());
  }

  /**
   * Creates the engine and rebuilds every rollout in the configured store.
   *
   * @param config the configuration
   * @return the engine
   */
  public static DefaultRolloutEngine recover(RolloutEngineConfig config) {
    if (config == null) {
      throw new InvalidInputException("config", "is null; use RolloutEngineConfig.ofDefaults()");
    }
    DefaultRolloutEngine engine = new DefaultRolloutEngine(config);
    Instant now = config.clock().instant();
    for (String rolloutId : config.store().rolloutIds()) {
      List<JournalEntry> entries = config.store().read(rolloutId);
      if (entries.isEmpty() || !(entries.get(0) instanceof JournalEntry.Created)) {
        throw new RingfenceException("rollout '" + rolloutId + "': the stored journal does not begin with its"
            + " Created entry; restore the store from a backup");
      }
      RolloutSpec spec = ((JournalEntry.Created) entries.get(0)).spec();
      Gate[] gates;
      try {
        gates = engine.resolveGates(spec.plan());
      } catch (InvalidPlanException e) {
        throw new RingfenceException("rollout '" + rolloutId + "' in the store cannot be rebuilt: " + e.getMessage()
            + "\nregister its gate types with RolloutEngineConfig.custom().gate(...)", e);
      }
      Instant hourAgo = now.minus(Duration.ofHours(1));
      long recent = entries.stream()
          .filter(e -> e instanceof JournalEntry.Admitted && e.at().isAfter(hourAgo))
          .count();
      RolloutRuntime runtime = new RolloutRuntime(spec, gates, PlanLinter.lint(spec.plan()), config.clock(),
          config.store(), engine.events, recent);
      for (JournalEntry entry : entries.subList(1, entries.size())) {
        runtime.replay(entry);
      }
      engine.register(runtime);
    }
    return engine;
  }

  private void register(RolloutRuntime runtime) {
    byId.put(runtime.id(), runtime);
    ordered.add(runtime);
  }

  @Override
  public synchronized Rollout createRollout(RolloutSpec spec) {
    if (spec == null) {
      throw new InvalidInputException("spec", "is null");
    }
    if (byId.containsKey(spec.id())) {
      throw new DuplicateRolloutException(spec.id());
    }
    LintReport report = PlanLinter.lint(spec.plan()).requirePass();
    Gate[] gates = resolveGates(spec.plan());
    JournalEntry.Created created = new JournalEntry.Created(spec.id(), config.clock().instant(), spec,
        report.overridden());
    config.store().append(created);
    RolloutRuntime runtime = new RolloutRuntime(spec, gates, report, config.clock(), config.store(), events, 0);
    register(runtime);
    return runtime;
  }

  private Gate[] resolveGates(Plan plan) {
    List<Ring> rings = plan.rings();
    Gate[] gates = new Gate[rings.size()];
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < rings.size(); i++) {
      Ring ring = rings.get(i);
      if (ring.gate() == null) {
        gates[i] = NO_GATE;
        continue;
      }
      GateFactory factory = config.gateFactories().get(ring.gate().type());
      if (factory == null) {
        problems.add("rings[" + i + "].gate.type: '" + ring.gate().type() + "' is not registered with this engine;"
            + " registered types: " + config.gateFactories().keySet());
        continue;
      }
      try {
        gates[i] = factory.create(ring.gate());
      } catch (InvalidPlanException e) {
        for (String problem : e.problems()) {
          problems.add("rings[" + i + "]." + problem);
        }
      }
      if (gates[i] == null && problems.isEmpty()) {
        problems.add("rings[" + i + "].gate: the factory of '" + ring.gate().type() + "' returned null");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    return gates;
  }

  @Override
  public Rollout rollout(String rolloutId) {
    if (rolloutId == null) {
      throw new InvalidInputException("rolloutId", "is null");
    }
    RolloutRuntime runtime = byId.get(rolloutId);
    if (runtime == null) {
      throw new UnknownRolloutException(rolloutId);
    }
    return runtime;
  }

  @Override
  public List<Rollout> rollouts() {
    return List.copyOf(ordered);
  }

  @Override
  public Decision decide(String rolloutId, String endpointId, EndpointAttributes attributes, long currentVersion) {
    return rollout(rolloutId).decide(endpointId, attributes, currentVersion);
  }

  @Override
  public void tick() {
    for (RolloutRuntime runtime : ordered) {
      runtime.tick();
    }
  }

  @Override
  public RolloutEvents events() {
    return events;
  }
}
