package dev.ringfence.simulator;

import dev.ringfence.agent.ContentValidator;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.MemoryDisk;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStores;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * What the run with Ringfence sets up before the push: the real engine on the simulator's clock with an in-memory
 * store, the rollout of the scenario's plan, a trust root and the signed baseline and candidate releases, and the
 * fleet's image, a disk on which an agent installed and confirmed the baseline. It also builds each host's agent
 * as production agents are built. The run without Ringfence has none of it.
 */
final class SimulatedWorld {

  /** The content channel of the simulated releases. */
  static final String CHANNEL = "content";

  private final Scenario scenario;
  private final VirtualClock clock;
  private final long candidate;
  private final RolloutEngine engine;
  private final dev.ringfence.core.store.RolloutStore store;
  /** When each completed rollout completed, read once from the journal. */
  private final java.util.Map<String, java.time.Instant> completed = new java.util.HashMap<>();
  private final Rollout rollout;
  private final RootDocument trust;
  private final Envelope candidateEnvelope;
  private final byte[] candidatePayload;
  private final MemoryDisk image;
  private final ExecutorService unusedFetchPool = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "sim-fetch");
    t.setDaemon(true);
    return t;
  });

  /**
   * Sets the world up.
   *
   * @param scenario the scenario
   * @param plan its plan
   * @param seed the run's seed (the rollout's salt, the service-metric gate's draws)
   * @param clock the simulator's virtual clock
   * @param exposedNow how many hosts run the candidate now, for the service-metric gate
   * @param onTransition hears every transition of the rollout
   * @param onVerdict hears every verdict of the rollout
   */
  SimulatedWorld(Scenario scenario, Plan plan, long seed, VirtualClock clock, IntSupplier exposedNow,
      Consumer<JournalEntry.Transitioned> onTransition, Consumer<JournalEntry.VerdictRecorded> onVerdict) {
    this.scenario = scenario;
    this.clock = clock;
    long base = scenario.push().baseline();
    long cand = scenario.push().candidate();
    this.candidate = cand;
    this.store = RolloutStores.inMemory();
    RolloutEngine e = RolloutEngine.create(RolloutEngineConfig.custom()
        .clock(clock)
        .store(store)
        .eventExecutor(Runnable::run)
        .heartbeatInterval(scenario.fleet().interval())
        // A stand-in for the operator's metrics (a Prometheus gate), fed from this simulator's counters.
        .gate(ServiceMetricGate.TYPE, spec -> new ServiceMetricGate(spec, exposedNow,
            scenario.candidate().serviceErrorRate(), new SplittableRandom(seed ^ 0x5E41CE)))
        .build());
    e.events().onTransition(onTransition);
    e.events().onVerdict(onVerdict);
    this.engine = e;
    this.rollout = e.createRollout(RolloutSpec.builder(scenario.name() + "-" + cand).channel(CHANNEL)
        .baseline(base).candidate(cand).plan(plan).salt(Long.hashCode(seed * 0x9E3779B97F4A7C15L)).build());
    try {
      KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      this.trust = trustRoot(key);
      Instant expiry = FleetSimulator.PUSH_AT.plus(Duration.ofDays(90));
      byte[] basePayload = ("baseline content v" + base).getBytes(StandardCharsets.UTF_8);
      this.candidatePayload = ("candidate content v" + cand).getBytes(StandardCharsets.UTF_8);
      Envelope baseEnvelope = sign(new Envelope(CHANNEL, base, sha256(basePayload), basePayload.length, expiry,
          List.of()), key);
      this.candidateEnvelope = sign(new Envelope(CHANNEL, cand, sha256(candidatePayload), candidatePayload.length,
          expiry, List.of()), key);
      // The fleet's image: an agent that installed and confirmed the baseline.
      MemoryDisk golden = new MemoryDisk();
      RolloutAgent installer = RolloutAgent.builder().memoryDisk(golden).endpointId("image").channel(CHANNEL)
          .trustRoot(trust).clock(clock).fetchExecutor(unusedFetchPool).build();
      installer.onStart();
      installer.apply(baseEnvelope, golden.putPayload("baseline", basePayload));
      installer.confirmHealthy();
      this.image = golden;
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException("this JDK cannot sign with Ed25519", ex);
    }
  }

  /** The engine. */
  RolloutEngine engine() {
    return engine;
  }

  /** @return every rollout of the channel (the main one, and the deferred groups' own), in creation order */
  List<Rollout> rollouts() {
    return engine.rollouts();
  }

  /** @return when a completed rollout completed, from the journal */
  java.util.Optional<java.time.Instant> completedAt(Rollout r) {
    if (r.state() != dev.ringfence.core.RolloutState.COMPLETED) {
      return java.util.Optional.empty();
    }
    java.time.Instant at = completed.get(r.id());
    if (at == null) {
      java.util.Optional<java.time.Instant> read = dev.ringfence.core.deferral.Deferrals.completedAt(store, r.id());
      read.ifPresent(t -> completed.put(r.id(), t));
      return read;
    }
    return java.util.Optional.of(at);
  }

  /** The rollout of the candidate. */
  Rollout rollout() {
    return rollout;
  }

  /** The signed candidate release. */
  Envelope candidateEnvelope() {
    return candidateEnvelope;
  }

  /** The candidate's content. */
  byte[] candidatePayload() {
    return candidatePayload;
  }

  /**
   * A host that meets the candidate for the first time, on a copy of the fleet's image; its agent is yet to be
   * built.
   *
   * @return the host
   */
  SimulatedHost newHost() {
    return new SimulatedHost(image.copy());
  }

  /**
   * A new agent process on a host, over its disk, saying what it has to say into the host's outbox.
   *
   * @param endpointId the endpoint's id
   * @param host the host
   * @param refuses whether its validator refuses the candidate
   * @return the agent, not yet started
   */
  RolloutAgent agent(String endpointId, SimulatedHost host, boolean refuses) {
    ContentValidator validator = refuses
        ? (content, version) -> {
          if (version == candidate) {
            throw new IllegalArgumentException("parser: input has 20 fields, template expects 21");
          }
        }
        : ContentValidator.ACCEPT_ALL;
    return RolloutAgent.builder().memoryDisk(host.disk).endpointId(endpointId).channel(CHANNEL)
        .trustRoot(trust).clock(clock).maxFailedStarts(scenario.agent().maxFailedStarts())
        .probation(scenario.agent().probationDuration())
        .validator(validator).validationExecutor(Runnable::run).fetchExecutor(unusedFetchPool)
        .signalSink(host.outbox::add).build();
  }

  private static Envelope sign(Envelope unsigned, KeyPair key) throws GeneralSecurityException {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key.getPrivate());
    signer.update(unsigned.signedBytes());
    return unsigned.withSignature("release", signer.sign());
  }

  private static String sha256(byte[] bytes) throws GeneralSecurityException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /**
   * The fleet's trust root, as a real deployment's: a root key (thrown away here; kept offline there), the
   * release key, and a timestamp role, so every agent is built as production agents are. The simulated hosts
   * apply content in process rather than polling an update server, so freshness itself is not exercised here
   * (the end-to-end tests with real agents do that, docs/protocol/trust.md).
   */
  private static RootDocument trustRoot(KeyPair release) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    KeyPair root = generator.generateKeyPair();
    KeyPair timestamp = generator.generateKeyPair();
    return new RootDocument(1, FleetSimulator.PUSH_AT.plus(Duration.ofDays(365)),
        Map.of("root", root.getPublic(), "release", release.getPublic(), "timestamp", timestamp.getPublic()),
        new RootDocument.Role(List.of("root"), 1), new RootDocument.Role(List.of("release"), 1),
        new RootDocument.Role(List.of("timestamp"), 1), Map.of(), Set.of(), List.of())
        .signedBy("root", root.getPrivate());
  }
}
