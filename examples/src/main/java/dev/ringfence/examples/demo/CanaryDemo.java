package dev.ringfence.examples.demo;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.PlanLinter;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Replays 19 July 2024 with Ringfence in the way: a good content update rolls through four rings to
 * the whole fleet, then a bad one that crashes every Windows host it reaches is halted in the canary
 * ring and rolled back. Deterministic for a given seed (pass one as the first argument).
 *
 * <p>Run it with {@code ./mvnw -B -q -Pdemo -pl examples -am verify -DskipTests}.
 */
public final class CanaryDemo {

  /** Endpoints in the simulated fleet. */
  public static final int FLEET_SIZE = 5_000;
  /** Seed used when none is given. */
  public static final long DEFAULT_SEED = 20_240_719L;

  static final String CHANNEL = "channel-291";
  static final int CANARY_CAP = 25;
  private static final Instant GOOD_START = Instant.parse("2024-07-18T22:00:00Z");
  /** When Channel File 291 went out. */
  private static final Instant BAD_START = Instant.parse("2024-07-19T04:09:00Z");
  private static final int MAX_MINUTES = 24 * 60;
  private static final int WIDTH = 100;
  private static final String INDENT = "                ";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final Simulation.CrashModel GOOD = endpoint -> 0.001;
  private static final Simulation.CrashModel BAD = endpoint -> endpoint.isWindows() ? 1.0 : 0.001;

  private final long seed;
  private final PrintStream out;
  private final VirtualClock clock = new VirtualClock(GOOD_START);
  private final CrashTelemetry telemetry = new CrashTelemetry();
  private final RolloutEngine engine;
  private final Fleet fleet;
  private final Simulation simulation;
  private JournalEntry.Transitioned halt;
  private JournalEntry.Transitioned finish;

  private CanaryDemo(long seed, PrintStream out) {
    this.seed = seed;
    this.out = out;
    Random random = new Random(seed);
    this.fleet = Fleet.generate(FLEET_SIZE, 1, random);
    this.engine = RolloutEngine.create(RolloutEngineConfig.custom()
        .clock(clock)
        .gate(CrashRateGate.TYPE, CrashRateGate.factory(telemetry))
        .build());
    engine.events().onTransition(this::onTransition);
    this.simulation = new Simulation(fleet, clock, random, telemetry, engine);
  }

  /**
   * Runs the demo.
   *
   * @param args an optional seed
   */
  public static void main(String[] args) {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : DEFAULT_SEED;
    run(seed, System.out);
  }

  /**
   * Runs both rollouts and prints what happens.
   *
   * @param seed the seed of every random choice
   * @param out where to print
   * @return how the run ended
   */
  public static DemoResult run(long seed, PrintStream out) {
    return new CanaryDemo(seed, out).run();
  }

  /**
   * The four-ring plan both rollouts use. Lint-clean: the first ring is 0.5% and capped, no step is
   * more than 10x, every ring but the last bakes, every ring has the crash-rate gate.
   *
   * @return the plan
   */
  static Plan plan() {
    // A LinkedHashMap, not Map.of: the parameters print in a stable order on every JVM.
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("maxCrashRate", 0.2);
    params.put("minReports", 10);
    GateSpec crashRate = new GateSpec(CrashRateGate.TYPE, params);
    return Plan.builder("channel-file-rings")
        .ring(ring("canary", 50, CANARY_CAP, 30, 10, crashRate))
        .ring(ring("early", 100, 100, 30, 15, crashRate))
        .ring(ring("broad", 1_000, 1_000, 60, 200, crashRate))
        .ring(ring("everyone", 10_000, Ring.NO_CAP, 30, 1_000, crashRate))
        .heldTiers("critical")
        .rollbackTimeout(Duration.ofHours(1))
        .build();
  }

  private static Ring ring(String name, int share, long cap, int bakeMinutes, int minSample, GateSpec gate) {
    return Ring.named(name).share(share).cap(cap).bakeTime(Duration.ofMinutes(bakeMinutes)).minSample(minSample)
        .gate(gate).build();
  }

  private DemoResult run() {
    Plan plan = plan();
    int windows = fleet.countOs("windows");
    out.printf(Locale.ROOT, "Ringfence canary demo: seed %d (pass another as the first argument)%n", seed);
    out.printf(Locale.ROOT, "Fleet: %d endpoints: %d windows, %d linux, %d macos; %d critical, %d internal%n",
        fleet.size(), windows, fleet.countOs("linux"), fleet.countOs("macos"), fleet.countTier("critical"),
        fleet.countTier("internal"));
    printPlan(plan);

    Rollout good = engine.createRollout(spec("channel-291-v2", 1, 2, plan));
    section("Rollout 1: " + good.id() + ", a good update (version 1 -> 2)");
    good.start();
    simulation.runUntilTerminal(good, GOOD, MAX_MINUTES);
    simulation.settle(good, GOOD, 2, 60);
    printExposure(good);
    int goodOnCandidate = fleet.countOnVersion(2);
    out.printf(Locale.ROOT, "  Result: %s; %d of %d endpoints on version 2; %d of %d crashed (background noise)%n",
        good.state(), goodOnCandidate, fleet.size(), telemetry.crashes(good.id()), telemetry.reports(good.id()));

    clock.set(BAD_START);
    Rollout bad = engine.createRollout(spec("channel-291-v3", 2, 3, plan));
    section("Rollout 2: " + bad.id() + ", Channel File 291 (version 2 -> 3): crashes every windows host");
    bad.start();
    simulation.runUntilTerminal(bad, BAD, MAX_MINUTES);
    RolloutStatus status = bad.status();
    printExposure(bad);
    String haltCause = "";
    if (halt != null) {
      haltCause = halt.cause();
      String reason = halt.verdict() == null ? halt.cause() : halt.verdict().reason();
      out.printf(Locale.ROOT, "  Halted %d min after start in ring '%s':%n", minutesSince(BAD_START, halt.at()),
          plan.rings().get(halt.ringIndex()).name());
      wrap(reason);
    }
    out.printf(Locale.ROOT, "  Result: %s%s; %d of %d exposed endpoints back on version 2, %d stragglers%n",
        bad.state(), finish == null ? "" : " " + minutesSince(BAD_START, finish.at()) + " min after start",
        status.revertedCount(), status.exposedTotal(), bad.stragglers().size());

    long crashed = telemetry.crashes(bad.id());
    out.println();
    out.printf(Locale.ROOT, "Blast radius: exposed %d of %d endpoints (%.1f%%), crashed %d; without Ringfence all %d"
        + " windows hosts would have received it.%n", status.exposedTotal(), fleet.size(),
        100.0 * status.exposedTotal() / fleet.size(), crashed, windows);
    return new DemoResult(seed, fleet.size(), windows, good.state(), goodOnCandidate, bad.state(),
        status.exposedTotal(), status.exposedPerRing(), crashed, status.revertedCount(), CANARY_CAP, haltCause);
  }

  private static RolloutSpec spec(String id, long baseline, long candidate, Plan plan) {
    return RolloutSpec.builder(id).channel(CHANNEL).baseline(baseline).candidate(candidate).plan(plan).build();
  }

  private void printPlan(Plan plan) {
    int findings = PlanLinter.lint(plan).findings().size();
    out.printf(Locale.ROOT, "Plan '%s' (lint: %s; tiers %s held until the last ring):%n", plan.name(),
        findings == 0 ? "clean" : findings + " findings", plan.heldTiers());
    out.printf(Locale.ROOT, "  %-9s %6s %6s %5s %7s  %s%n", "ring", "share", "cap", "bake", "sample", "gate");
    for (Ring ring : plan.rings()) {
      String gate = ring.gateSpec().map(g -> g.type() + " " + g.params()).orElse("none");
      out.printf(Locale.ROOT, "  %-9s %6s %6s %5s %7d  %s%n", ring.name(), percent(ring.share()),
          ring.hasCap() ? String.valueOf(ring.cap()) : "-", ring.bakeTime().toMinutes() + "m", ring.minSample(), gate);
    }
  }

  private void printExposure(Rollout rollout) {
    RolloutStatus status = rollout.status();
    List<String> parts = new ArrayList<>();
    List<Ring> rings = rollout.spec().plan().rings();
    for (int i = 0; i < rings.size(); i++) {
      parts.add(rings.get(i).name() + " " + status.exposedPerRing().get(i));
    }
    out.printf(Locale.ROOT, "  Exposed per ring: %s (total %d)%n", String.join(", ", parts), status.exposedTotal());
  }

  private void onTransition(JournalEntry.Transitioned t) {
    String ring = t.ringIndex() < 0 ? "" : ", ring '" + engine.rollout(t.rolloutId()).spec().plan().rings()
        .get(t.ringIndex()).name() + "'";
    out.printf(Locale.ROOT, "  %s  %-15s %s -> %s%s%n", TIME.format(t.at()), t.trigger(), t.from(), t.to(), ring);
    wrap(t.cause());
    if (t.trigger() == Trigger.GATE_FAIL) {
      halt = t;
    } else if (t.trigger() == Trigger.FINISH_ROLLBACK) {
      finish = t;
    }
  }

  private static long minutesSince(Instant start, Instant at) {
    return Duration.between(start, at).toMinutes();
  }

  private void section(String title) {
    out.println();
    out.println("== " + title);
  }

  /** Prints text word-wrapped under the transition lines. */
  private void wrap(String text) {
    StringBuilder line = new StringBuilder(INDENT);
    for (String word : text.split(" ")) {
      if (line.length() > INDENT.length() && line.length() + 1 + word.length() > WIDTH) {
        out.println(line);
        line.setLength(0);
        line.append(INDENT);
      }
      if (line.length() > INDENT.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    out.println(line);
  }

  private static String percent(int basisPoints) {
    return basisPoints % 100 == 0 ? basisPoints / 100 + "%" : String.format(Locale.ROOT, "%.1f%%", basisPoints / 100.0);
  }
}
