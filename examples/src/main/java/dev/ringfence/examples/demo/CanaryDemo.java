package dev.ringfence.examples.demo;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.health.IngestResult;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Replays 19 July 2024 with Ringfence in the way: a good content update rolls through four rings to
 * the whole fleet, then a bad one that crashes every Windows host it reaches is halted in the canary
 * ring and rolled back. Every ring is judged by the core's {@code health} gate on the heartbeats the
 * endpoints send: the exposed hosts (candidate arm) against the hosts still on the baseline (control
 * arm), silence counting as failure. Deterministic for a given seed (pass one as the first argument).
 *
 * <p>Run it with {@code ./mvnw -B -q -Pdemo -pl examples -am verify -DskipTests}.
 */
public final class CanaryDemo {

  /** Endpoints in the simulated fleet. */
  public static final int FLEET_SIZE = 5_000;
  /** Seed used when none is given. */
  public static final long DEFAULT_SEED = 20_240_719L;

  static final String CHANNEL = "channel-291";
  static final int CANARY_CAP = 50;
  private static final Instant GOOD_START = Instant.parse("2024-07-18T22:00:00Z");
  /** When Channel File 291 went out. */
  private static final Instant BAD_START = Instant.parse("2024-07-19T04:09:00Z");
  private static final int MAX_MINUTES = 24 * 60;
  private static final int WIDTH = 100;
  private static final String INDENT = "                ";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** The good candidate crashes nothing; hosts still crash now and then in the background. */
  private static final Simulation.CrashModel GOOD = endpoint -> 0;
  /** Channel File 291: every windows host crashes when it loads it, at every boot. */
  private static final Simulation.CrashModel BAD = endpoint -> endpoint.isWindows() ? 1 : 0;

  private final long seed;
  private final PrintStream out;
  private final VirtualClock clock = new VirtualClock(GOOD_START);
  private final RolloutEngineConfig config;
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
    // The silence deadline stays at its default: 3 heartbeat intervals after the offer.
    this.config = RolloutEngineConfig.custom()
        .clock(clock)
        .heartbeatInterval(Simulation.HEARTBEAT_INTERVAL)
        .build();
    this.engine = RolloutEngine.create(config);
    engine.events().onTransition(this::onTransition);
    this.simulation = new Simulation(fleet, clock, random, engine);
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
   * The four-ring plan both rollouts use. Lint-clean: the first ring is 1% and capped, no step is more
   * than 5x, every ring bakes, every ring has the core's health judge with its defaults. The canary is
   * large enough for the judge's 20 reports (1% of 5,000 is about 47 hosts outside the held tier).
   *
   * @return the plan
   */
  static Plan plan() {
    GateSpec judge = GateSpec.of(HealthGate.TYPE);
    return Plan.builder("channel-file-rings")
        .ring(ring("canary", 100, CANARY_CAP, 30, 20, judge))
        .ring(ring("early", 500, 250, 30, 100, judge))
        .ring(ring("broad", 2_500, 1_250, 60, 500, judge))
        .ring(ring("everyone", 10_000, Ring.NO_CAP, 30, 1_000, judge))
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
    out.printf(Locale.ROOT, "Fleet: %d endpoints: %d windows, %d linux, %d macos; %d critical, %d internal;"
        + " heartbeat every minute%n", fleet.size(), windows, fleet.countOs("linux"), fleet.countOs("macos"),
        fleet.countTier("critical"), fleet.countTier("internal"));
    printPlan(plan);

    Rollout good = engine.createRollout(spec("channel-291-v2", 1, 2, plan));
    section("Rollout 1: " + good.id() + ", a good update (version 1 -> 2)");
    good.start();
    Simulation.Run goodRun = simulation.against(good, GOOD);
    goodRun.untilTerminal(MAX_MINUTES);
    goodRun.settle(2, 60);
    printExposure(good);
    int goodOnCandidate = fleet.countOnVersion(2);
    out.printf(Locale.ROOT, "  Result: %s; %d of %d endpoints on version 2%n", good.state(), goodOnCandidate,
        fleet.size());
    out.printf(Locale.ROOT, "  Background noise: %d hosts crashed on either version, %d of them reported it%n",
        goodRun.crashed(), goodRun.crashReported());
    printSignals(goodRun);

    clock.set(BAD_START);
    Rollout bad = engine.createRollout(spec("channel-291-v3", 2, 3, plan));
    section("Rollout 2: " + bad.id() + ", Channel File 291 (version 2 -> 3): crashes every windows host");
    bad.start();
    Simulation.Run badRun = simulation.against(bad, BAD);
    badRun.untilTerminal(MAX_MINUTES);
    RolloutStatus status = bad.status();
    printExposure(bad);
    String haltCause = "";
    String haltTest = "";
    Map<String, Double> evidence = Map.of();
    if (halt != null) {
      haltCause = halt.cause();
      Verdict verdict = halt.verdict();
      out.printf(Locale.ROOT, "  Halted %d min after start in ring '%s'%s:%n", minutesSince(BAD_START, halt.at()),
          plan.rings().get(halt.ringIndex()).name(), verdict == null ? "" : " by the judge's " + verdict.test()
          + " test");
      wrap(verdict == null ? halt.cause() : verdict.reason());
      if (verdict != null) {
        haltTest = verdict.test();
        evidence = verdict.evidence();
        wrap(evidence(evidence));
      }
    }
    out.printf(Locale.ROOT, "  Result: %s%s; %d of %d exposed endpoints back on version 2, %d stragglers%n",
        bad.state(), finish == null ? "" : " " + minutesSince(BAD_START, finish.at()) + " min after start",
        status.revertedCount(), status.exposedTotal(), bad.stragglers().size());
    printSignals(badRun);

    long crashed = badRun.crashedOnCandidate();
    out.println();
    out.printf(Locale.ROOT, "Blast radius: exposed %d of %d endpoints (%.1f%%), crashed %d; without Ringfence all %d"
        + " windows hosts would have received it.%n", status.exposedTotal(), fleet.size(),
        100.0 * status.exposedTotal() / fleet.size(), crashed, windows);
    return new DemoResult(seed, fleet.size(), windows, good.state(), goodOnCandidate, bad.state(),
        status.exposedTotal(), status.exposedPerRing(), crashed, status.revertedCount(), CANARY_CAP, haltCause,
        haltTest, evidence);
  }

  /** The judge's numbers behind a verdict, in words. */
  private static String evidence(Map<String, Double> evidence) {
    StringBuilder text = new StringBuilder("Evidence: candidate ")
        .append(count(evidence, "candidateReported")).append(" reported, ")
        .append(count(evidence, "candidateFailures")).append(" failed (")
        .append(count(evidence, "candidateSilent")).append(" silent); control ")
        .append(count(evidence, "controlReported")).append(" reported, ")
        .append(count(evidence, "controlFailures")).append(" failed; ");
    Double llr = evidence.get("logLikelihoodRatio");
    if (llr == null) {
      text.append("no SPRT log-LR needed (the catastrophe fast path fired first)");
    } else {
      text.append(String.format(Locale.ROOT, "SPRT log-LR %.2f against threshold %.2f", llr,
          evidence.getOrDefault("threshold", Double.NaN)));
    }
    return text.toString();
  }

  private static long count(Map<String, Double> evidence, String key) {
    return Math.round(evidence.getOrDefault(key, 0.0));
  }

  private void printSignals(Simulation.Run run) {
    Map<IngestResult, Long> signals = run.signals();
    out.printf(Locale.ROOT, "  Heartbeats ingested: %,d accepted, %d duplicates, %d anomalies%n",
        signals.get(IngestResult.ACCEPTED), signals.get(IngestResult.DUPLICATE), signals.get(IngestResult.ANOMALY));
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
      String gate = ring.gateSpec().map(g -> g.params().isEmpty() ? g.type() : g.type() + " " + g.params())
          .orElse("none");
      out.printf(Locale.ROOT, "  %-9s %6s %6s %5s %7d  %s%n", ring.name(), percent(ring.share()),
          ring.hasCap() ? String.valueOf(ring.cap()) : "-", ring.bakeTime().toMinutes() + "m", ring.minSample(), gate);
    }
    out.printf(Locale.ROOT, "  gate 'health': the core's judge, exposed hosts against hosts still on the baseline%n");
    out.printf(Locale.ROOT, "  (an exposed host that reports nothing within %d min of its offer counts as failed)%n",
        config.silenceDeadline().toMinutes());
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
