package dev.ringfence.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.simulator.FleetSimulator;
import dev.ringfence.simulator.ScenarioReader;
import dev.ringfence.simulator.SimulationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The judge-quality sweep: how often the health judge halts a healthy release, and how often and how early
 * it halts a bad one, replayed on the simulator with the real engine and the real agent. Each row changes one
 * factor of a base scenario (the shipped {@code healthy} scenario at 8,000 endpoints, its content-rings plan)
 * and runs it under many seeds; a healthy row counts halts (false halts) and telemetry pauses, a regression
 * row counts halts before a given share of the online fleet had the candidate.
 *
 * <pre>
 * benchmarks/run.sh judge                 # 200 seeds a row
 * benchmarks/run.sh judge --quick         # 50 seeds a row, for iterating
 * benchmarks/run.sh judge --rows 'loss'   # rows whose name matches a regex
 * </pre>
 *
 * Writes {@code judge-<stamp>.md} (the table) and {@code judge-<stamp>.json} (every run's outcome) into the
 * results directory. A benchmark, not a test: it asserts nothing; the goals are in docs/judge.md.
 */
public final class JudgeSweep {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final int BASE_ENDPOINTS = 8_000;
  private static final int LARGE_ENDPOINTS = 40_000;

  private JudgeSweep() {}

  /** Whether a row's candidate is healthy (a halt is false) or regressed (a halt is wanted). */
  enum Kind {
    HEALTHY,
    REGRESSION
  }

  /**
   * One row: a base scenario with one factor changed.
   *
   * @param name the row's name in the table
   * @param kind healthy or regressed
   * @param scenario the shipped scenario it starts from
   * @param endpoints the fleet size
   * @param haltBefore for a regression, the share of the online fleet exposed by which the halt must come
   * @param change what this row changes in the scenario's JSON
   */
  record Row(String name, Kind kind, String scenario, int endpoints, double haltBefore, Consumer<ObjectNode> change) {}

  /** One run's outcome. */
  record Outcome(long seed, String state, boolean halted, boolean paused, int pausedSeconds, int exposedAtHalt,
      int online, int haltSeconds, String haltReason, int firstFailureSignalSeconds, int needManualRepair,
      int exposedAtSecondFailureSignal) {}

  private static final String CROWDSTRIKE = "crowdstrike-2024 (canary cap scaled to 200)";

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    Consumer<ObjectNode> noProbe = s -> ((ObjectNode) s.get("candidate")).remove("probe");
    rows.add(healthy("base: healthy, 5m heartbeat, 1% loss, probe", s -> { }));
    rows.add(new Row("base, 40,000 endpoints", Kind.HEALTHY, "healthy", LARGE_ENDPOINTS, 0, s -> { }));
    for (double loss : new double[] {0, 0.1, 0.2, 0.3, 0.4}) {
      String pct = percent(loss);
      rows.add(healthy("loss " + pct + ", heartbeat only", noProbe.andThen(s -> fleet(s).put("lossRate", loss))));
      rows.add(healthy("loss " + pct + ", heartbeat + probe", s -> fleet(s).put("lossRate", loss)));
    }
    rows.add(healthy("heartbeat every 1m", s -> fleet(s).put("heartbeatInterval", "1m").put("jitter", "6s")));
    rows.add(healthy("region us-east (35%) out 30m from minute 10", s -> outage(s, "us-east", "10m", "30m")));
    rows.add(new Row("region us-east (35%) out 30m from minute 10, 40,000 endpoints", Kind.HEALTHY, "healthy",
        LARGE_ENDPOINTS, 0, s -> outage(s, "us-east", "10m", "30m")));
    rows.add(healthy("whole fleet out 15m from minute 10", s -> outage(s, null, "10m", "15m")));
    rows.add(healthy("background crashes x10 (0.5%/h)", s -> fleet(s).put("backgroundCrashesPerHour", 0.005)));
    rows.add(healthy("planned reboots 1%/h", s -> fleet(s).put("plannedRebootsPerHour", 0.01)));
    rows.add(new Row("2,000 endpoints, plan 5% > 20% > 50% > 100%", Kind.HEALTHY, "healthy", 2_000, 0,
        s -> s.set("plan", smallFleetPlan())));
    rows.add(healthy("canary from the internal tier, which crashes 10x as often", JudgeSweep::dogfoodFirst));

    rows.add(regression("crash on load 1% (0.05%/h background)", 0.05, s -> crash(s, 0.01, "20s")));
    rows.add(new Row("crash on load 1%, 40,000 endpoints", Kind.REGRESSION, "healthy", LARGE_ENDPOINTS, 0.05,
        s -> crash(s, 0.01, "20s")));
    rows.add(regression("crash on load 2%", 0.015, s -> crash(s, 0.02, "20s")));
    rows.add(regression("crash on load 5%", 0.01, s -> crash(s, 0.05, "20s")));
    rows.add(regression("crash 30m after load on 1%", 0.10, s -> crash(s, 0.01, "30m")));
    rows.add(regression("probe +0.5 SD (+12.5% median)", 0.05, s -> probeShift(s, 2.5)));
    // The shipped plan caps its 0.1% canary at 1,000 hosts: 0.1% of the 1M fleet. At 200,000 endpoints the
    // same cap would never bind, so it is scaled with the fleet (200); the judge's part is the timing.
    rows.add(new Row(CROWDSTRIKE, Kind.REGRESSION, "crowdstrike-2024", 200_000, 0.001,
        s -> ((ObjectNode) s.get("plan").get("rings").get(0)).put("cap", 200)));
    return rows;
  }

  private static Row healthy(String name, Consumer<ObjectNode> change) {
    return new Row(name, Kind.HEALTHY, "healthy", BASE_ENDPOINTS, 0, change);
  }

  private static Row regression(String name, double haltBefore, Consumer<ObjectNode> change) {
    return new Row(name, Kind.REGRESSION, "healthy", BASE_ENDPOINTS, haltBefore, change);
  }

  private static ObjectNode fleet(ObjectNode scenario) {
    return (ObjectNode) scenario.get("fleet");
  }

  private static void outage(ObjectNode scenario, String region, String from, String duration) {
    ObjectNode window = JSON.createObjectNode().put("from", from).put("duration", duration);
    if (region != null) {
      window.putObject("match").put("region", region);
    }
    fleet(scenario).putArray("outages").add(window);
  }

  private static void crash(ObjectNode scenario, double share, String delay) {
    ((ObjectNode) scenario.get("candidate")).put("crashOnLoad", share).put("crashDelay", delay);
  }

  private static void probeShift(ObjectNode scenario, double shift) {
    ((ObjectNode) scenario.get("candidate").get("probe")).put("shift", shift);
  }

  /**
   * Dogfooding first: the canary and a second ring draw from the internal tier only (half of it by the
   * second ring), whose hosts crash ten times as often as the rest whatever they run; then half the fleet,
   * then everyone. A judge that pooled the fleet would see the first two rings fail about seven times as
   * often as the control.
   */
  private static void dogfoodFirst(ObjectNode scenario) {
    ObjectNode plan = JSON.createObjectNode().put("schemaVersion", 1).put("name", "dogfood-first");
    ArrayNode rings = plan.putArray("rings");
    ring(rings, "canary", 500, "PT30M", 20, "internal").put("cap", 500);
    ring(rings, "dogfood", 5_000, "PT1H", 200, "internal");
    ring(rings, "broad", 5_000, "PT1H", 250, null);
    ring(rings, "everyone", 10_000, "PT30M", 1_000, null);
    ArrayNode overrides = plan.putArray("overrides");
    overrides.addObject().put("rule", "FIRST_RING_TOO_LARGE").put("ring", "canary")
        .put("reason", "5% of the internal tier: 40 hosts of 8,000");
    overrides.addObject().put("rule", "SHARE_DOES_NOT_GROW").put("ring", "broad")
        .put("reason", "the same share of the whole fleet, not only of the internal tier");
    plan.put("rollbackTimeout", "PT2H");
    scenario.set("plan", plan);
    ObjectNode rule = fleet(scenario).putArray("backgroundCrashesWhen").addObject();
    rule.putObject("match").put("tier", "internal");
    rule.put("probability", 10 * fleet(scenario).get("backgroundCrashesPerHour").asDouble());
  }

  private static ObjectNode ring(ArrayNode rings, String name, int share, String bake, int minSample,
      String tier) {
    ObjectNode ring = rings.addObject().put("name", name).put("share", share).put("bakeTime", bake)
        .put("minSample", minSample);
    if (tier != null) {
      ring.putArray("selector").addObject().put("attribute", "tier").put("op", "equals").putArray("values").add(tier);
    }
    ring.putObject("gate").put("type", "health");
    return ring;
  }

  private static ObjectNode smallFleetPlan() {
    ObjectNode plan = JSON.createObjectNode().put("schemaVersion", 1).put("name", "small-fleet-rings");
    ArrayNode rings = plan.putArray("rings");
    int[] shares = {500, 2000, 5000, 10_000};
    String[] names = {"canary", "early", "broad", "everyone"};
    for (int r = 0; r < shares.length; r++) {
      ObjectNode ring = ring(rings, names[r], shares[r], r == shares.length - 1 ? "PT30M" : "PT1H", r == 0 ? 50 : 100,
          null);
      if (r == 0) {
        ring.put("cap", 100);
      }
    }
    ArrayNode overrides = plan.putArray("overrides");
    overrides.addObject().put("rule", "FIRST_RING_TOO_LARGE").put("ring", "canary")
        .put("reason", "a 2,000-endpoint fleet needs 5% for a canary of 100");
    plan.put("rollbackTimeout", "PT2H");
    return plan;
  }

  /** An argument as a shell reads it back: quoted when it holds anything but plain word characters. */
  static String shellWord(String arg) {
    return arg.matches("[A-Za-z0-9_./=:,+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", share * 100);
  }

  /**
   * Runs the sweep.
   *
   * @param args {@code [--seeds N] [--quick] [--rows REGEX] [--threads N] [--out DIR]}
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    int seeds = 200;
    Map<String, Double> gateParams = new LinkedHashMap<>();
    Pattern filter = Pattern.compile(".*");
    int threads = Runtime.getRuntime().availableProcessors();
    Path out = Path.of("benchmarks", "results");
    for (int a = 0; a < args.length; a++) {
      switch (args[a]) {
        case "--seeds" -> seeds = Integer.parseInt(args[++a]);
        case "--quick" -> seeds = 50;
        case "--rows" -> filter = Pattern.compile(args[++a]);
        case "--threads" -> threads = Integer.parseInt(args[++a]);
        case "--out" -> out = Path.of(args[++a]);
        case "--gate" -> {
          String[] kv = args[++a].split("=", 2);
          gateParams.put(kv[0], Double.parseDouble(kv[1]));
        }
        default -> throw new IllegalArgumentException(args[a] + ": unknown; use --seeds N, --quick, --rows REGEX,"
            + " --threads N, --out DIR, --gate PARAM=NUMBER (a health-gate parameter on every ring)");
      }
    }
    Files.createDirectories(out);
    String gateDescription = "the health gate at its defaults (α 0.01 for the rollout, margin 1.25)"
        + (gateParams.isEmpty() ? "" : " except " + gateParams);
    System.err.println(gateDescription);
    Path work = Files.createTempDirectory("ringfence-judge-sweep");
    Instant started = Instant.now();
    Map<Row, List<Outcome>> results = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (Row row : rows()) {
        if (!filter.matcher(row.name()).find()) {
          continue;
        }
        ScenarioReader.Loaded loaded = load(row, work, gateParams);
        List<Future<Outcome>> runs = new ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
          long s = seed;
          runs.add(pool.submit(() -> outcome(s, FleetSimulator.simulateWithRingfence(loaded, s, row.endpoints(),
              FleetSimulator.ProgressListener.NONE))));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> run : runs) {
          outcomes.add(join(run));
        }
        results.put(row, outcomes);
        System.err.println(line(row, outcomes));
      }
    } finally {
      pool.shutdownNow();
    }
    Duration took = Duration.between(started, Instant.now());
    String stamp = started.toString().replace(":", "").replaceAll("\\.\\d+", "");
    List<String> shown = new ArrayList<>(List.of(args));
    int outAt = shown.indexOf("--out");
    if (outAt >= 0 && outAt + 1 < shown.size()) { // run.sh adds it; the command a reader types has none
      shown.subList(outAt, outAt + 2).clear();
    }
    String command = ("benchmarks/run.sh judge " + String.join(" ", shown.stream().map(JudgeSweep::shellWord)
        .toList())).strip();
    Path md = out.resolve("judge-" + stamp + ".md");
    Files.writeString(md, table(results, seeds, command, took, gateDescription), StandardCharsets.UTF_8);
    Path json = out.resolve("judge-" + stamp + ".json");
    JSON.writeValue(json.toFile(), json(results, seeds, command, took));
    System.out.println(Files.readString(md));
    System.err.println("wrote " + md + " and " + json);
  }

  private static Outcome join(Future<Outcome> run) throws InterruptedException {
    try {
      return run.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a run failed", e.getCause());
    }
  }

  private static ScenarioReader.Loaded load(Row row, Path work, Map<String, Double> gateParams) throws IOException {
    ObjectNode scenario = (ObjectNode) JSON.readTree(ScenarioReader.shippedFile(row.scenario() + ".json"));
    if (scenario.get("plan").isTextual()) {
      scenario.set("plan", JSON.readTree(ScenarioReader.shippedFile(scenario.get("plan").asText())));
    }
    fleet(scenario).put("endpoints", row.endpoints());
    row.change().accept(scenario);
    JsonNode probe = scenario.get("candidate").get("probe");
    for (JsonNode ring : scenario.get("plan").get("rings")) {
      JsonNode gate = ring.get("gate");
      if (gate != null && "health".equals(gate.path("type").asText())) {
        ObjectNode params = gate.has("params") ? (ObjectNode) gate.get("params") : ((ObjectNode) gate).putObject("params");
        gateParams.forEach(params::put);
        if (probe != null && !params.has("metrics")) {
          // The fleet reports a probe metric: the judge compares it, as an operator who collects one would ask.
          params.putArray("metrics").addObject().put("name", probe.get("metric").asText());
        }
      }
    }
    Path file = work.resolve(row.name().replaceAll("[^A-Za-z0-9]+", "-") + ".json");
    JSON.writeValue(file.toFile(), scenario);
    return ScenarioReader.load(file.toString());
  }

  static Outcome outcome(long seed, SimulationReport.Run run) {
    boolean halted = false;
    String reason = "";
    boolean paused = false;
    int pausedSeconds = 0;
    int pausedSince = -1;
    for (SimulationReport.Transition t : run.transitions()) {
      if (pausedSince >= 0) {
        pausedSeconds += t.atSeconds() - pausedSince;
        pausedSince = -1;
      }
      if (t.to().equals("HALTED") && !halted) {
        halted = true;
        reason = t.cause();
      }
      if (t.to().equals("PAUSED")) {
        paused = true;
        pausedSince = t.atSeconds();
      }
    }
    if (pausedSince >= 0) {
      pausedSeconds += run.durationSeconds() - pausedSince;
    }
    return new Outcome(seed, run.outcome(), halted, paused, pausedSeconds, run.exposedAtHalt(), run.online(),
        run.haltSeconds(), reason, run.firstFailureSignalSeconds(), run.needManualRepair(),
        run.exposedAtSecondFailureSignal());
  }

  /**
   * Whether a regression run halted in time: before the row's share of the online fleet had the candidate;
   * for {@code crowdstrike-2024}, the three conditions: at most 0.1% of the fleet exposed, the halt
   * within two heartbeat intervals (2 min) of the first failure signal, and no endpoint left for hands-on
   * repair.
   */
  private static boolean detected(Row row, Outcome o) {
    if (!o.halted()) {
      return false;
    }
    if (row.name().equals(CROWDSTRIKE)) {
      return o.exposedAtHalt() <= row.haltBefore() * row.endpoints() && o.firstFailureSignalSeconds() >= 0
          && o.haltSeconds() - o.firstFailureSignalSeconds() <= 120 && o.needManualRepair() == 0;
    }
    return o.exposedAtHalt() <= row.haltBefore() * o.online();
  }

  private static String line(Row row, List<Outcome> outcomes) {
    long halted = outcomes.stream().filter(Outcome::halted).count();
    return String.format(Locale.ROOT, "%-48s %s halted %d of %d", row.name(), row.kind(), halted, outcomes.size());
  }

  /**
   * The one-sided 95% upper bound of a binomial proportion (Clopper-Pearson), by bisection on the binomial
   * distribution function.
   */
  static double upperBound95(long successes, long trials) {
    if (successes >= trials) {
      return 1;
    }
    double lo = (double) successes / trials;
    double hi = 1;
    for (int i = 0; i < 60; i++) {
      double p = (lo + hi) / 2;
      if (binomialCdf(successes, trials, p) > 0.05) {
        lo = p;
      } else {
        hi = p;
      }
    }
    return hi;
  }

  private static double binomialCdf(long k, long n, double p) {
    double logTerm = n * Math.log1p(-p);
    double sum = Math.exp(logTerm);
    for (long i = 1; i <= k; i++) {
      logTerm += Math.log((double) (n - i + 1) / i) + Math.log(p) - Math.log1p(-p);
      sum += Math.exp(logTerm);
    }
    return Math.min(1, sum);
  }

  private static String table(Map<Row, List<Outcome>> results, int seeds, String command, Duration took,
      String gateDescription) {
    StringBuilder md = new StringBuilder();
    md.append("# Judge quality sweep\n\n");
    md.append("Command: `").append(command).append("`, ").append(seeds).append(" seeds a row (1..").append(seeds)
        .append("), took ").append(took.toMinutes()).append(" min ").append(took.toSecondsPart())
        .append(" s. Every run is the simulator with the real engine and agent; ").append(gateDescription)
        .append(".\n\n");
    md.append("## Healthy candidate: every halt is false\n\n");
    md.append("| row | endpoints | runs | halted | halted, 95% upper | paused runs | paused, mean min | completed |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    long pooledHalts = 0;
    long pooledRuns = 0;
    for (Map.Entry<Row, List<Outcome>> e : results.entrySet()) {
      if (e.getKey().kind() != Kind.HEALTHY) {
        continue;
      }
      List<Outcome> o = e.getValue();
      long halted = o.stream().filter(Outcome::halted).count();
      long paused = o.stream().filter(Outcome::paused).count();
      double pauseMin = o.stream().filter(Outcome::paused).mapToInt(Outcome::pausedSeconds).average().orElse(0) / 60;
      long completed = o.stream().filter(x -> x.state().equals("COMPLETED")).count();
      pooledHalts += halted;
      pooledRuns += o.size();
      md.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d | %.1f%% | %d | %.0f | %d |%n", e.getKey().name(),
          e.getKey().endpoints(), o.size(), halted, 100 * upperBound95(halted, o.size()), paused, pauseMin,
          completed));
    }
    if (pooledRuns > 0) {
      md.append(String.format(Locale.ROOT, "| **pooled** | | %d | %d | %.2f%% | | | |%n", pooledRuns, pooledHalts,
          100 * upperBound95(pooledHalts, pooledRuns)));
    }
    md.append("\n## Regression: a halt is wanted, before the share of the online fleet shown\n\n");
    md.append("For crowdstrike-2024, in time means: at most 0.1% of the fleet exposed, the halt within two heartbeat"
        + " intervals of the first failure signal, nothing left for hands-on repair.\n\n");
    md.append("The last column bounds what any judge could do: the runs in which the server had heard of a second"
        + " endpoint's failure on the candidate before the limit (one failure among a canary that is 1% of the"
        + " endpoints at risk is 1-in-100 evidence; α is 0.01).\n\n");
    md.append("| row | endpoints | runs | halted | halted in time | halt before | exposed at halt, median | max"
        + " | 2nd failure signal in time |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<Row, List<Outcome>> e : results.entrySet()) {
      Row row = e.getKey();
      if (row.kind() != Kind.REGRESSION) {
        continue;
      }
      List<Outcome> o = e.getValue();
      long halted = o.stream().filter(Outcome::halted).count();
      long inTime = o.stream().filter(x -> detected(row, x)).count();
      double[] shares = o.stream().filter(Outcome::halted).mapToDouble(x -> (double) x.exposedAtHalt() / x.online())
          .sorted().toArray();
      long possible = o.stream().filter(x -> x.exposedAtSecondFailureSignal() >= 0
          && x.exposedAtSecondFailureSignal() <= row.haltBefore() * (row.name().equals(CROWDSTRIKE) ? row.endpoints()
          : x.online())).count();
      md.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d | %d | %.2f%% | %s | %s | %s |%n", row.name(),
          row.endpoints(), o.size(), halted, inTime, 100 * row.haltBefore(),
          shares.length == 0 ? "-" : String.format(Locale.ROOT, "%.3f%%", 100 * shares[shares.length / 2]),
          shares.length == 0 ? "-" : String.format(Locale.ROOT, "%.3f%%", 100 * shares[shares.length - 1]),
          o.stream().allMatch(x -> x.exposedAtSecondFailureSignal() < 0) ? "-" : String.valueOf(possible)));
    }
    return md.toString();
  }

  private static JsonNode json(Map<Row, List<Outcome>> results, int seeds, String command, Duration took) {
    ObjectNode root = JSON.createObjectNode().put("command", command).put("seeds", seeds)
        .put("seconds", took.toSeconds());
    ArrayNode rows = root.putArray("rows");
    for (Map.Entry<Row, List<Outcome>> e : results.entrySet()) {
      ObjectNode row = rows.addObject().put("name", e.getKey().name()).put("kind", e.getKey().kind().name())
          .put("scenario", e.getKey().scenario()).put("endpoints", e.getKey().endpoints())
          .put("haltBefore", e.getKey().haltBefore());
      row.set("runs", JSON.valueToTree(e.getValue()));
    }
    return root;
  }
}
