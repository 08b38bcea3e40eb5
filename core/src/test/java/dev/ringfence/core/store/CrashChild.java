package dev.ringfence.core.store;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The child JVM of {@link KillNineTest}: drives a rollout engine on a file journal, as hard as it can,
 * until the test kills it with SIGKILL. Arguments: the journal directory, a seed, and the chance in
 * percent that a step ends with an explicit compaction.
 *
 * <p>It continues whatever the journal holds (the clock resumes after the newest stored entry, every
 * rollout that is not terminal is driven on), keeps {@value #ACTIVE_ROLLOUTS} rollouts going, and for
 * each step: operator commands drawn from the seed (start, pause, resume, halt, abort), decisions for
 * random endpoints of a fleet of {@value #FLEET}, apply results and heartbeats, a clock advance and a
 * {@code tick()}. Half the rollouts are judged by the built-in {@code health} gate on those signals
 * (a third of the candidates are bad and crash often), half by a gate whose verdicts are drawn from
 * the seed. The journal compacts every {@value #COMPACT_AFTER_BYTES} bytes, so kills also land in
 * compactions.
 *
 * <p>Output on stdout, one whole line per write:
 *
 * <ul>
 *   <li>{@code COMMIT <rolloutId> <sequence> <toState>} after every transition, printed from the
 *       engine's transition event, which fires only once the entry is durably appended;
 *   <li>{@code COMPACTING} just before an explicit {@link FileRolloutStore#compact()} (the store also
 *       compacts by itself past the threshold);
 *   <li>{@code VIOLATION ...} if a decision ever offers the candidate for a rollout whose last commit
 *       (or whose recovered state) is HALTED, ROLLING_BACK or ROLLED_BACK. Must never appear.
 * </ul>
 *
 * Decisions are not printed (too many). The child stops by itself only if its parent goes away (its
 * stdin closes) or after {@link #MAX_LIFE}.
 */
public final class CrashChild {

  static final int FLEET = 3_000;
  static final long BASELINE = 41;
  static final long CANDIDATE = 42;
  static final long COMPACT_AFTER_BYTES = 64 << 10;
  /** Type of the gate whose verdicts are drawn from the seed. */
  static final String DRAWN_GATE = "drawn";
  static final EndpointAttributes ATTRIBUTES = Fixtures.WINDOWS;
  static final Instant EPOCH = Instant.parse("2026-11-23T10:00:00Z");
  /** Printed just before an explicit compaction, so that the test can kill the child inside one. */
  static final String COMPACTING = "COMPACTING";

  private static final int ACTIVE_ROLLOUTS = 2;
  private static final int DECIDES_PER_STEP = 300;
  private static final int HEARTBEATS_PER_STEP = 100;
  private static final Duration MAX_LIFE = Duration.ofMinutes(5);
  private static final long BOOT = 1;

  private final Random random;
  private final FileRolloutStore store;
  private final ManualClock clock;
  private final RolloutEngine engine;
  private final OutputStream stdout = new FileOutputStream(FileDescriptor.out);
  /** The state of each rollout's last printed commit, or its state as recovered at start-up. */
  private final Map<String, RolloutState> lastCommitted = new HashMap<>();
  private final List<Sim> active = new ArrayList<>();
  private final int compactPercent;
  private long sequence;

  private CrashChild(Path directory, long seed, int compactPercent) {
    this.random = new Random(seed);
    this.compactPercent = compactPercent;
    this.store = RolloutStores.file(directory, COMPACT_AFTER_BYTES); // never closed: killed
    this.clock = new ManualClock(newestEntry(store).plusSeconds(1));
    this.engine = RolloutEngine.create(config(clock, store, random));
    for (Rollout rollout : engine.rollouts()) {
      lastCommitted.put(rollout.id(), rollout.state());
      if (!rollout.state().isTerminal()) {
        active.add(new Sim(rollout, store.read(rollout.id())));
      }
    }
    engine.events().onTransition(t -> {
      lastCommitted.put(t.rolloutId(), t.to());
      emit("COMMIT " + t.rolloutId() + " " + t.sequence() + " " + t.to());
    });
  }

  public static void main(String[] args) {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: CrashChild <journal directory> <seed> <compact percent>");
    }
    exitWhenParentGoes();
    new CrashChild(Path.of(args[0]), Long.parseLong(args[1]), Integer.parseInt(args[2])).run();
  }

  /**
   * The engine configuration of the child, and of the test that rebuilds the child's rollouts: the
   * same gate registrations.
   */
  static RolloutEngineConfig config(Clock clock, RolloutStore store, Random random) {
    return RolloutEngineConfig.custom().clock(clock).store(store).inconclusiveLimit(Duration.ofMinutes(20))
        .gate(DRAWN_GATE, spec -> new DrawnGate(random)).build();
  }

  static String endpoint(int index) {
    return "e" + index;
  }

  /** The time of the newest entry in the store, or {@link #EPOCH} if it is empty. */
  static Instant newestEntry(RolloutStore store) {
    Instant newest = EPOCH;
    for (String id : store.rolloutIds()) {
      for (JournalEntry entry : store.read(id)) {
        if (entry.at().isAfter(newest)) {
          newest = entry.at();
        }
      }
    }
    return newest;
  }

  private void run() {
    long deadline = System.nanoTime() + MAX_LIFE.toNanos();
    while (System.nanoTime() - deadline < 0) {
      step();
    }
    emit("EXPIRED after " + MAX_LIFE);
    System.exit(2);
  }

  private void step() {
    while (active.size() < ACTIVE_ROLLOUTS) {
      active.add(create());
    }
    for (Sim sim : active) {
      command(sim.rollout);
      traffic(sim);
    }
    clock.advance(Duration.ofSeconds(10 + random.nextInt(50)));
    engine.tick();
    active.removeIf(sim -> sim.rollout.state().isTerminal());
    if (random.nextInt(100) < compactPercent) {
      emit(COMPACTING);
      store.compact();
    }
  }

  private Sim create() {
    String id = String.format(Locale.ROOT, "r%04d", engine.rollouts().size() + 1);
    boolean health = random.nextBoolean();
    boolean bad = random.nextInt(3) == 0;
    GateSpec gate = health
        ? new GateSpec(HealthGate.TYPE, Map.of("minCandidateReports", 5, "minControlReports", 30,
            "catastropheMinReports", 8))
        : GateSpec.of(DRAWN_GATE);
    Plan plan = Plan.builder(health ? "health-judged" : "drawn-verdicts")
        .ring(Ring.named("canary").share(100).cap(8).bakeTime(Duration.ofMinutes(5)).minSample(5).gate(gate).build())
        .ring(Ring.named("early").share(800).cap(16).bakeTime(Duration.ofMinutes(5)).minSample(10).gate(gate).build())
        .ring(Ring.named("broad").share(4000).cap(32).bakeTime(Duration.ofMinutes(5)).minSample(12).gate(gate).build())
        .ring(Ring.named("all").share(10_000).cap(48).bakeTime(Duration.ZERO).gate(gate).build())
        .rollbackTimeout(Duration.ofMinutes(20))
        .build();
    RolloutSpec spec = RolloutSpec.builder(id).channel(bad ? "channel-bad" : "channel-good").baseline(BASELINE)
        .candidate(CANDIDATE).plan(plan).build();
    Rollout rollout = engine.createRollout(spec);
    lastCommitted.put(id, rollout.state());
    return new Sim(rollout, List.of());
  }

  /** Operator commands, drawn. */
  private void command(Rollout rollout) {
    int p = random.nextInt(1_000);
    switch (rollout.state()) {
      case PLANNED:
        if (p < 850) {
          rollout.start();
        } else if (p < 900) {
          rollout.abort("drawn abort before start");
        } else if (p < 950) {
          rollout.halt("drawn halt before start");
        }
        break;
      case RUNNING:
        if (p < 15) {
          rollout.pause("drawn pause");
        } else if (p < 30) {
          rollout.halt("drawn halt");
        } else if (p < 35) {
          rollout.abort("drawn abort");
        }
        break;
      case PAUSED:
        if (p < 250) {
          rollout.resume("drawn resume");
        } else if (p < 300) {
          rollout.halt("drawn halt while paused");
        }
        break;
      default:
        break;
    }
  }

  /** Decisions for random endpoints, what the endpoints do about them, and heartbeats. */
  private void traffic(Sim sim) {
    Rollout rollout = sim.rollout;
    for (int i = 0; i < DECIDES_PER_STEP; i++) {
      String endpoint = endpoint(random.nextInt(FLEET));
      long current = sim.version(endpoint);
      Decision decision = rollout.decide(endpoint, ATTRIBUTES, current);
      if (decision.kind() == Decision.Kind.OFFER) {
        RolloutState committed = lastCommitted.get(rollout.id());
        RolloutState now = rollout.state();
        if ((committed != null && committed.isHalted()) || now.isHalted()) {
          emit("VIOLATION " + rollout.id() + " offered the candidate to " + endpoint + " (running " + current
              + ") after its last commit " + committed + ", state now " + now + ": " + decision);
        }
        if (current != CANDIDATE) {
          sim.versions.put(endpoint, CANDIDATE);
          reportApply(sim, endpoint);
        }
      } else if (decision.kind() == Decision.Kind.REVERT && current != BASELINE) {
        sim.versions.put(endpoint, BASELINE);
        rollout.ingest(new Heartbeat(endpoint, BOOT, ++sequence, BASELINE, 0));
      }
    }
    for (int i = 0; i < HEARTBEATS_PER_STEP; i++) {
      String endpoint = endpoint(random.nextInt(FLEET));
      long version = sim.version(endpoint);
      boolean crashLoop = version == CANDIDATE && sim.bad ? random.nextInt(10) < 3 : random.nextInt(100) == 0;
      rollout.ingest(new Heartbeat(endpoint, BOOT, ++sequence, version, crashLoop ? 1 : 0));
    }
  }

  private void reportApply(Sim sim, String endpoint) {
    int p = random.nextInt(100);
    int crashes = sim.bad ? 35 : 2;
    if (p < crashes) {
      sim.rollout.ingest(new ApplyResult(endpoint, BOOT, ++sequence, CANDIDATE, ApplyOutcome.CRASHED, "drawn crash"));
    } else if (p < crashes + 3) {
      return; // silent: the deadline will count it
    } else {
      sim.rollout.ingest(new ApplyResult(endpoint, BOOT, ++sequence, CANDIDATE, ApplyOutcome.ACTIVATED, ""));
    }
  }

  /** One line, written whole in one write so that a kill never leaves half a line. */
  private synchronized void emit(String line) {
    try {
      stdout.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdout.flush();
    } catch (IOException e) {
      Runtime.getRuntime().halt(3); // nobody reads us any more
    }
  }

  /** A child orphaned by a dead test JVM stops instead of running on: its stdin closes with the parent. */
  private static void exitWhenParentGoes() {
    Thread watcher = new Thread(() -> {
      try {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
          // The test never writes; reading only waits for the end.
        }
      } catch (IOException e) {
        // Treated like the end of the stream.
      }
      Runtime.getRuntime().halt(4);
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  /** A rollout the child drives, and what each endpoint runs in its channel. */
  private static final class Sim {
    final Rollout rollout;
    final boolean bad;
    final Map<String, Long> versions = new HashMap<>();

    Sim(Rollout rollout, List<JournalEntry> entries) {
      this.rollout = rollout;
      this.bad = rollout.spec().channel().equals("channel-bad");
      for (JournalEntry entry : entries) {
        if (entry instanceof JournalEntry.Admitted) {
          versions.put(((JournalEntry.Admitted) entry).endpointId(), CANDIDATE);
        } else if (entry instanceof JournalEntry.Reverted) {
          versions.put(((JournalEntry.Reverted) entry).endpointId(), BASELINE);
        }
      }
    }

    long version(String endpoint) {
      return versions.getOrDefault(endpoint, BASELINE);
    }
  }

  /** A gate whose verdicts are drawn from the seed: mostly PASS, sometimes INCONCLUSIVE, FAIL or ERROR. */
  private static final class DrawnGate implements Gate {
    private final Random random;

    DrawnGate(Random random) {
      this.random = random;
    }

    @Override
    public Verdict evaluate(GateContext context) {
      int p = random.nextInt(1_000);
      Verdict.Outcome outcome = p < 15 ? Verdict.Outcome.FAIL
          : p < 30 ? Verdict.Outcome.ERROR
          : p < 120 ? Verdict.Outcome.INCONCLUSIVE
          : Verdict.Outcome.PASS;
      return new Verdict(outcome, DRAWN_GATE, "drawn " + outcome + " for ring " + context.ringIndex() + " with "
          + context.exposedInRing() + " exposed", Map.of("exposed", (double) context.exposedInRing()));
    }
  }
}
