package dev.ringfence.core.internal;

import dev.ringfence.core.DuplicateRolloutException;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutEvents;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.UnknownRolloutException;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.gate.TimeAndSampleGate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.PlanLinter;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.RingfenceException;
import dev.ringfence.protocol.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** The {@link RolloutEngine}: a registry of rollouts sharing one clock, store and event bus. */
public final class DefaultRolloutEngine implements RolloutEngine {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DefaultRolloutEngine.class);

  /** The gate of a ring that has none (allowed only by a lint override): time and sample decide alone. */
  /** Gate parameter, understood by the engine for every gate type: evaluate and record, never act. */
  public static final String DRY_RUN = "dryRun";
  /**
   * The gate parameter every gate type understands: what a FAIL does, {@code "rollback"} (the default: halt and
   * roll back) or {@code "pause"} (pause, and let an operator halt or resume).
   */
  public static final String ON_FAIL = "onFail";
  /**
   * The gate parameter every gate type understands: {@code "required"} holds the next ring, once the gate passed
   * after bake time and sample, until an operator approves or promotes; {@code "none"} (the default) does not.
   */
  public static final String APPROVAL = "approval";
  /**
   * The built-in gate type of a ring that a person opens: it passes on bake time and sample as {@code
   * time-and-sample} does, and always requires approval. It takes no parameters but {@code dryRun} and {@code
   * onFail}.
   */
  public static final String APPROVAL_GATE = GateSpec.APPROVAL;

  /** The approval gate: bake time and sample as time-and-sample judges them; the person is the rest of the gate. */
  private static final GateFactory APPROVAL_FACTORY = spec -> {
    if (!spec.params().isEmpty()) {
      throw new InvalidPlanException(List.of("gate.params: " + spec.params().keySet() + " are not parameters of "
          + GateSpec.APPROVAL + ", which takes none but dryRun and onFail"));
    }
    return TimeAndSampleGate.INSTANCE;
  };

  private static final Gate NO_GATE = context -> Verdict.pass("none",
      "ring has no gate (overridden in the plan); bake time and sample decide alone", Map.of());

  private final RolloutEngineConfig config;
  private final EventBus events;
  private final Map<String, RolloutRuntime> byId = new ConcurrentHashMap<>();
  private final List<RolloutRuntime> ordered = new CopyOnWriteArrayList<>();
  /**
   * Names this engine in the health replicas share: a random UUID, new with every start, so a restarted process
   * never mixes its counts (which start again from zero) with those of its previous life.
   */
  private final String replicaId = UUID.randomUUID().toString();
  /** The other replicas' shares read on the last exchange that worked, by rollout; only the tick thread. */
  private volatile Map<String, List<HealthShare>> lastShares = Map.of();
  /** The store's shared capabilities, asked for once; null for a store one process owns. */
  private final @Nullable SharedRolloutStore shared;

  private DefaultRolloutEngine(RolloutEngineConfig config) {
    this.config = config;
    this.shared = config.store().shared().orElse(null);
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
      engine.register(rebuild(config, engine, rolloutId, now));
    }
    return engine;
  }

  private static RolloutRuntime rebuild(RolloutEngineConfig config, DefaultRolloutEngine engine, String rolloutId,
      Instant now) {
    return rebuild(config, engine, rolloutId, now, config.store().read(rolloutId));
  }

  private static RolloutRuntime rebuild(RolloutEngineConfig config, DefaultRolloutEngine engine, String rolloutId,
      Instant now, List<JournalEntry> entries) {
    if (entries.isEmpty() || !(entries.get(0) instanceof JournalEntry.Created)) {
      throw new RingfenceException("rollout '" + rolloutId + "': the stored journal does not begin with its"
          + " Created entry; restore the store from a backup");
    }
    RolloutSpec spec = ((JournalEntry.Created) entries.get(0)).spec();
    ResolvedGates gates;
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
    RolloutRuntime runtime = new RolloutRuntime(spec, gates, PlanLinter.lint(spec.plan()), config, engine.events,
        recent);
    for (JournalEntry entry : entries.subList(1, entries.size())) {
      runtime.replay(entry);
    }
    return runtime;
  }

  private void register(RolloutRuntime runtime) {
    byId.put(runtime.id(), runtime);
    ordered.add(runtime);
  }

  @Override
  public Rollout createRollout(RolloutSpec spec) {
    return create(spec, null);
  }

  @Override
  public Rollout createRollout(RolloutSpec spec, String actor) {
    if (actor == null || actor.isBlank() || actor.length() > 200) {
      throw new InvalidInputException("actor", "must be 1 to 200 characters naming who creates the rollout");
    }
    return create(spec, actor.strip());
  }

  private synchronized Rollout create(RolloutSpec spec, @Nullable String actor) {
    if (spec == null) {
      throw new InvalidInputException("spec", "is null");
    }
    if (byId.containsKey(spec.id())) {
      throw new DuplicateRolloutException(spec.id());
    }
    // The journal keeps the plan in its JSON form and reads it back with the parser's limit: a plan built in code
    // beyond it would be written, then stop the store from opening.
    int planBytes = Plans.toJson(spec.plan()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (planBytes > Plans.MAX_DOCUMENT_BYTES) {
      throw new InvalidPlanException(List.of("plan: its JSON form is " + planBytes + " bytes, above the "
          + Plans.MAX_DOCUMENT_BYTES + " a plan may hold; select by fewer, broader attributes"));
    }
    LintReport report = PlanLinter.lint(spec.plan()).requirePass();
    ResolvedGates gates = resolveGates(spec.plan());
    JournalEntry.Created created = new JournalEntry.Created(spec.id(), config.clock().instant(), spec,
        report.overridden(), actor);
    config.store().append(created);
    RolloutRuntime runtime = new RolloutRuntime(spec, gates, report, config, events, 0);
    register(runtime);
    return runtime;
  }

  /**
   * A plan's rings, held tiers' included (built once: {@link Plan#allRings()} builds and checks them anew at each
   * call), their gates, and which of them only run dry, pause on a failure or wait for an approval.
   */
  static final class ResolvedGates {
    final List<Ring> rings;
    final Gate[] gates;
    final boolean[] dryRun;
    final boolean[] pauseOnFail;
    final boolean[] approvalRequired;

    ResolvedGates(List<Ring> rings) {
      this.rings = rings;
      gates = new Gate[rings.size()];
      dryRun = new boolean[rings.size()];
      pauseOnFail = new boolean[rings.size()];
      approvalRequired = new boolean[rings.size()];
    }
  }

  private ResolvedGates resolveGates(Plan plan) {
    List<Ring> rings = plan.allRings();
    ResolvedGates resolved = new ResolvedGates(rings);
    Gate[] gates = resolved.gates;
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < rings.size(); i++) {
      Ring ring = rings.get(i);
      String path = ringPath(plan, i);
      if (ring.gate() == null) {
        gates[i] = NO_GATE;
        continue;
      }
      boolean approvalGate = APPROVAL_GATE.equals(ring.gate().type());
      GateFactory factory = approvalGate ? APPROVAL_FACTORY : config.gateFactories().get(ring.gate().type());
      if (factory == null) {
        problems.add(path + ".gate.type: '" + ring.gate().type() + "' is not registered with this engine;"
            + " registered types: " + config.gateFactories().keySet());
        continue;
      }
      Object dryRun = ring.gate().params().get(DRY_RUN);
      if (dryRun != null && !(dryRun instanceof Boolean)) {
        problems.add(path + ".gate.params.dryRun: must be true or false, found " + dryRun);
        continue;
      }
      resolved.dryRun[i] = Boolean.TRUE.equals(dryRun);
      Object onFail = ring.gate().params().get(ON_FAIL);
      if (onFail != null && !"rollback".equals(onFail) && !"pause".equals(onFail)) {
        problems.add(path + ".gate.params.onFail: must be \"rollback\" (the default) or \"pause\", found " + onFail);
        continue;
      }
      resolved.pauseOnFail[i] = "pause".equals(onFail);
      Object approval = ring.gate().params().get(APPROVAL);
      if (approval != null && !"required".equals(approval) && !"none".equals(approval)) {
        problems.add(path + ".gate.params.approval: must be \"required\" (an operator approves before the next ring"
            + " opens) or \"none\" (the default), found " + approval);
        continue;
      }
      if (approvalGate && approval != null) {
        problems.add(path + ".gate.params.approval: the approval gate always requires approval; leave the parameter"
            + " out");
        continue;
      }
      resolved.approvalRequired[i] = approvalGate || "required".equals(approval);
      Map<String, Object> params = new LinkedHashMap<>(ring.gate().params());
      params.remove(DRY_RUN);
      params.remove(ON_FAIL);
      params.remove(APPROVAL);
      try {
        gates[i] = factory.create(new GateSpec(ring.gate().type(), params));
      } catch (InvalidPlanException e) {
        for (String problem : e.problems()) {
          problems.add(path + "." + problem);
        }
      }
      if (gates[i] == null && problems.isEmpty()) {
        problems.add(path + ".gate: the factory of '" + ring.gate().type() + "' returned null");
      }
    }
    if (!problems.isEmpty()) {
      // A canary that takes the first ring's gate repeats that gate's problems: report each once.
      throw new InvalidPlanException(new ArrayList<>(new LinkedHashSet<>(problems)));
    }
    return resolved;
  }

  /**
   * Where a ring's gate is written in the plan: {@code rings[i]} for the plan's rings; for a held tier's canary its
   * {@code heldTierCanaries} entry, or {@code rings[0]} when the canary takes the first ring's gate; for the ring
   * of the rest of a held tier the last ring, whose gate it takes.
   */
  private static String ringPath(Plan plan, int index) {
    int own = plan.rings().size();
    if (index < own) {
      return "rings[" + index + "]";
    }
    String tier = plan.heldTierOrder().get((index - own) / 2);
    if ((index - own) % 2 == 1) {
      return "rings[" + (own - 1) + "]";
    }
    return plan.heldTierCanary(tier).gate() == null ? "rings[0]" : "heldTierCanaries." + tier;
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
  public IngestResult ingest(String rolloutId, Signal signal) {
    return rollout(rolloutId).ingest(signal);
  }

  @Override
  public void tick() {
    SharedRolloutStore shared = this.shared;
    if (shared == null) {
      for (RolloutRuntime runtime : ordered) {
        isolated(runtime, runtime::tick);
      }
      return;
    }
    refresh();
    // Health across replicas: every rollout's counts collected, published and merged with the others' in one
    // exchange (two round trips with PostgreSQL), outside every rollout's lock; then each rollout is judged.
    Map<RolloutRuntime, HealthCounts> collected = new LinkedHashMap<>();
    List<HealthShare> own = new ArrayList<>();
    Instant now = config.clock().instant();
    for (RolloutRuntime runtime : ordered) {
      HealthCounts counts = runtime.collectHealth();
      if (counts != null) {
        collected.put(runtime, counts);
        own.add(new HealthShare(runtime.id(), replicaId, now, FleetHealth.encode(counts)));
      }
    }
    Map<String, List<HealthShare>> others = exchangeHealth(shared, own);
    for (RolloutRuntime runtime : ordered) {
      isolated(runtime, () -> runtime.tick(collected.get(runtime), others.getOrDefault(runtime.id(), List.of())));
    }
  }

  /**
   * One rollout's tick, on its own: a failure of one (a bug, a setting that overflows) is logged with its rollout and
   * never keeps the rollouts after it from being judged, halted or rolled back at this tick.
   */
  private static void isolated(RolloutRuntime runtime, Runnable tick) {
    try {
      tick.run();
    } catch (RuntimeException e) {
      LOG.error("rollout '{}': its tick failed, the other rollouts' went on; it is tried again at the next tick",
          runtime.id(), e);
    }
  }

  /**
   * Publishes this replica's shares and reads the others', by rollout. When the store cannot be reached, the
   * shares read last stand in (they only age: a replica's failures must not drop out of the totals for a tick).
   */
  private Map<String, List<HealthShare>> exchangeHealth(SharedRolloutStore shared, List<HealthShare> own) {
    if (own.isEmpty()) {
      return lastShares;
    }
    List<HealthShare> read;
    try {
      read = shared.exchangeHealth(replicaId, own);
    } catch (RuntimeException e) {
      LOG.warn("cannot exchange health with the other replicas; judging with the shares read last: {}", e.toString());
      return lastShares;
    }
    Map<String, List<HealthShare>> byRollout = new HashMap<>();
    for (HealthShare share : read) {
      if (!share.replicaId().equals(replicaId)) {
        byRollout.computeIfAbsent(share.rolloutId(), k -> new ArrayList<>()).add(share);
      }
    }
    lastShares = byRollout;
    return byRollout;
  }

  /** @return this engine's replica id in the health it shares: random, new with every engine */
  String replicaId() {
    return replicaId;
  }

  /** Catches up with rollouts and transitions that other replicas committed to the shared store. */
  private void refresh() {
    List<String> ids;
    try {
      ids = config.store().rolloutIds();
    } catch (RuntimeException e) {
      LOG.warn("cannot list rollouts in the shared store; trying again on the next tick", e);
      ids = List.of();
    }
    for (String rolloutId : ids) {
      if (!byId.containsKey(rolloutId)) {
        // One rollout this replica cannot rebuild (a gate type not registered here, say) must not hide the others.
        List<JournalEntry> adopted = null;
        try {
          synchronized (this) {
            if (!byId.containsKey(rolloutId)) {
              List<JournalEntry> entries = config.store().read(rolloutId);
              register(rebuild(config, this, rolloutId, config.clock().instant(), entries));
              adopted = entries;
            }
          }
        } catch (RuntimeException e) {
          LOG.warn("cannot rebuild rollout '{}' from the shared store; trying again on the next tick", rolloutId, e);
        }
        if (adopted != null) {
          // A rollout another replica created and moved on before this one saw it: its transitions are told to this
          // replica's listeners as a catch-up tells them (its meters, for one, begin at its first transition).
          for (JournalEntry entry : adopted) {
            if (entry instanceof JournalEntry.Transitioned) {
              events.publish(entry);
            }
          }
        }
      }
    }
    for (RolloutRuntime runtime : ordered) {
      runtime.refresh();
    }
  }

  @Override
  public RolloutEvents events() {
    return events;
  }
}
