package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The goals of the shipped scenarios, on the real engine and agent, seeded, at sizes that keep the suite
 * fast. The 1M-endpoint figures are measured with the CLI (see docs/scenarios.md).
 */
class ScenarioGoalsTest {

  private static SimulationReport run(String scenario, long seed, int endpoints) {
    return FleetSimulator.simulate(ScenarioReader.load(scenario), seed, endpoints, FleetSimulator.ProgressListener.NONE);
  }

  @Test
  void theTimelineEndsWhereTheRunDoes_withTheTablesFigures() {
    // Seed 7 at 5,000 ends at 9m 20s, between two samples (every 30 s): the last one used to be at 9m 0s.
    SimulationReport.Run w = run("crowdstrike-2024", 7, 5_000).withRingfence();
    SimulationReport.Sample last = w.timeline().get(w.timeline().size() - 1);
    assertThat(last.atSeconds()).isEqualTo(w.durationSeconds());
    assertThat(last.recovered()).as("every host back, as the table counts them")
        .isEqualTo(w.revertedByAgent() + w.revertedByServer());
    assertThat(last.exposed()).isZero();
  }

  @Test
  void crowdstrike2024_staysInTheCanary_haltsWithinTwoHeartbeats_andEveryHostRecoversAlone() {
    SimulationReport r = run("crowdstrike-2024", 20240719, 200_000);
    SimulationReport.Run w = r.withRingfence();
    int interval = 60;
    assertThat(w.everExposed()).as("exposure").isPositive().isLessThanOrEqualTo(w.online() / 1000);
    assertThat(w.peakExposure()).isLessThanOrEqualTo(w.everExposed());
    assertThat(w.halted()).isTrue();
    assertThat(w.firstFailureSignalSeconds()).isNotNegative();
    assertThat(w.haltSeconds() - w.firstFailureSignalSeconds()).as("halt after the first failure signal")
        .isLessThanOrEqualTo(2 * interval);
    assertThat(w.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(w.needManualRepair()).isZero();
    assertThat(w.stragglerCount()).isZero();
    assertThat(w.revertedByAgent() + w.revertedByServer()).isEqualTo(w.everExposed());
    assertThat(w.revertedByAgent()).as("silent hosts recover through their agent alone").isPositive();
    assertThat(w.failuresByAttribute()).first().satisfies(f -> {
      assertThat(f.attribute()).isEqualTo("os");
      assertThat(f.value()).isEqualTo("windows");
    });
    SimulationReport.Run o = r.withoutRingfence();
    assertThat(o.everExposed()).isEqualTo(o.online());
    assertThat(o.needManualRepair()).as("without Ringfence silent hosts loop until someone comes")
        .isGreaterThan(100 * w.everExposed());
  }

  @Test
  void silentFailure_isHalted_bySilenceAndTheAgentsReports() {
    SimulationReport.Run w = run("silent-failure", 4242, 20_000).withRingfence();
    assertThat(w.halted()).isTrue();
    assertThat(w.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(w.needManualRepair()).isZero();
    assertThat(w.everExposed()).isLessThan(w.online() / 20);
  }

  @Test
  void subsetCrash_isHalted_andTheReportNamesTheBuild() {
    SimulationReport.Run w = run("subset-crash", 1903, 20_000).withRingfence();
    assertThat(w.halted()).isTrue();
    assertThat(w.failuresByAttribute()).first().satisfies(f -> {
      assertThat(f.attribute()).isEqualTo("osBuild");
      assertThat(f.value()).isEqualTo("19045");
      assertThat(f.failureShare()).isEqualTo(1.0);
    });
  }

  @Test
  void subtleRegression_isHaltedBeforeExposurePassesTenPercent_in95OfHundredSeeds() {
    List<SimulationReport.Run> runs = IntStream.range(0, 100).parallel()
        .mapToObj(seed -> run("subtle-regression", 1000 + seed, 8_000).withRingfence()).toList();
    long good = runs.stream().filter(w -> w.halted() && w.exposedAtHalt() <= w.online() / 10).count();
    System.out.printf("subtle-regression: halted before 10%% exposure in %d of 100 seeds%n", good);
    assertThat(good).isGreaterThanOrEqualTo(95);
  }

  @Test
  void healthy_completesWithoutAHalt_in99OfHundredSeeds() {
    List<SimulationReport.Run> runs = IntStream.range(0, 100).parallel()
        .mapToObj(seed -> run("healthy", 2000 + seed, 8_000).withRingfence()).toList();
    long completed = runs.stream().filter(w -> !w.halted() && w.outcome().equals("COMPLETED")).count();
    System.out.printf("healthy: completed without a halt in %d of 100 seeds%n", completed);
    runs.stream().filter(w -> w.halted() || !w.outcome().equals("COMPLETED")).limit(3).forEach(w -> System.out.println(
        "healthy, not completed: " + w.outcome() + " " + w.verdicts().get(w.verdicts().size() - 1)));
    assertThat(completed).isGreaterThanOrEqualTo(99);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The shipped healthy scenario with one change, written where the reader can load it. */
  private static ScenarioReader.Loaded healthyWith(Path dir, String name, Consumer<ObjectNode> fleet) {
    try {
      ObjectNode scenario = (ObjectNode) JSON.readTree(ScenarioReader.shippedFile("healthy.json"));
      scenario.set("plan", JSON.readTree(ScenarioReader.shippedFile(scenario.get("plan").asText())));
      ((ObjectNode) scenario.get("candidate")).remove("probe");
      fleet.accept((ObjectNode) scenario.get("fleet"));
      Path file = dir.resolve(name + ".json");
      JSON.writeValue(file.toFile(), scenario);
      return ScenarioReader.load(file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Hosts that go quiet for reasons that are not the release (lost heartbeats, a region offline, clean
   * reboots) hit both arms alike, so the judge halts none of these healthy releases; a regional outage
   * pauses the rollout, which resumes by itself. 12 seeds a case at 8,000 endpoints (the smallest fleet in
   * which the shipped plan's canary reaches its minimum sample) keep this inside the suite's budget; the
   * 200-seed figures are the judge sweep's (docs/judge.md).
   */
  @Test
  void healthy_underTelemetryFaults_isNeverHalted(@TempDir Path dir) {
    List<ScenarioReader.Loaded> cases = List.of(
        healthyWith(dir, "loss-30", f -> f.put("lossRate", 0.3)),
        healthyWith(dir, "region-out", f -> f.putArray("outages").addObject().put("from", "10m")
            .put("duration", "30m").putObject("match").put("region", "us-east")),
        healthyWith(dir, "reboots", f -> f.put("plannedRebootsPerHour", 0.01)));
    for (ScenarioReader.Loaded loaded : cases) {
      List<SimulationReport.Run> runs = IntStream.range(0, 12).parallel().mapToObj(seed -> FleetSimulator
          .simulateWithRingfence(loaded, 3000 + seed, 8_000, FleetSimulator.ProgressListener.NONE)).toList();
      long halted = runs.stream().filter(SimulationReport.Run::halted).count();
      System.out.printf("healthy, %s: halted %d of 12%n", loaded.source(), halted);
      assertThat(halted).as(loaded.source()).isZero();
      assertThat(runs).as(loaded.source()).allSatisfy(w -> assertThat(w.outcome()).isEqualTo("COMPLETED"));
    }
  }

  /** Silence in the candidate alone is the CrowdStrike shape: with half the fleet's reports lost too, it halts. */
  @Test
  void crashOnLoad_underHeavyLoss_isStillHalted(@TempDir Path dir) {
    ScenarioReader.Loaded loaded = healthyWith(dir, "crash-loss", f -> f.put("lossRate", 0.3));
    List<SimulationReport.Run> runs = IntStream.range(0, 10).parallel().mapToObj(seed -> {
      try {
        ObjectNode scenario = (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of(loaded.source())));
        ((ObjectNode) scenario.get("candidate")).put("crashOnLoad", 0.3);
        Path file = dir.resolve("crash-loss-" + seed + ".json");
        JSON.writeValue(file.toFile(), scenario);
        return FleetSimulator.simulateWithRingfence(ScenarioReader.load(file.toString()), 4000 + seed, 8_000,
            FleetSimulator.ProgressListener.NONE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).toList();
    assertThat(runs).allSatisfy(w -> {
      assertThat(w.halted()).isTrue();
      assertThat(w.exposedAtHalt()).as("within the canary (1%% of the fleet, 80 endpoints)")
          .isLessThanOrEqualTo(80);
    });
  }

  /**
   * A CPU probe judged on every ring: a +0.5 standard-deviation shift (+12.5% of the median) is halted
   * while only the canary (1% of the fleet) has it, and an unshifted probe halts nothing. 8 seeds each; the
   * 200-seed figures are the judge sweep's.
   */
  @Test
  void probeShiftOfHalfAStandardDeviation_isHaltedInTheCanary_andNoShiftIsNot(@TempDir Path dir) throws IOException {
    for (double shift : new double[] {2.5, 0}) {
      ObjectNode scenario = (ObjectNode) JSON.readTree(ScenarioReader.shippedFile("healthy.json"));
      scenario.set("plan", JSON.readTree(ScenarioReader.shippedFile(scenario.get("plan").asText())));
      ((ObjectNode) scenario.get("candidate").get("probe")).put("shift", shift);
      for (com.fasterxml.jackson.databind.JsonNode ring : scenario.get("plan").get("rings")) {
        ((ObjectNode) ring.get("gate")).putObject("params").putArray("metrics").addObject().put("name", "cpu_pct");
      }
      Path file = dir.resolve("probe-" + shift + ".json");
      JSON.writeValue(file.toFile(), scenario);
      ScenarioReader.Loaded loaded = ScenarioReader.load(file.toString());
      List<SimulationReport.Run> runs = IntStream.range(0, 8).parallel().mapToObj(seed -> FleetSimulator
          .simulateWithRingfence(loaded, 5000 + seed, 8_000, FleetSimulator.ProgressListener.NONE)).toList();
      if (shift > 0) {
        assertThat(runs).allSatisfy(w -> {
          assertThat(w.halted()).isTrue();
          assertThat(w.exposedAtHalt()).as("within 5% of the fleet").isLessThanOrEqualTo(400);
          assertThat(w.verdicts().get(w.verdicts().size() - 1).reason()).contains("cpu_pct +").contains("FAIL");
        });
      } else {
        assertThat(runs).allSatisfy(w -> assertThat(w.outcome()).isEqualTo("COMPLETED"));
      }
    }
  }

  @Test
  void sameScenarioAndSeed_giveTheSameReport_inAnotherJvm(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
        ReportChild.class.getName(), "subset-crash", "77", "6000", dir.resolve("subset-crash-seed77-6000.json")
        .toString()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile())
        .start();
    assertThat(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(java.nio.file.Files.readString(dir.resolve("log"))).isZero();
    String there = java.nio.file.Files.readString(dir.resolve("subset-crash-seed77-6000.json"));
    assertThat(there).as("no hash-order or wall-clock leaks into the report").isEqualTo(run("subset-crash", 77, 6_000)
        .toJson());
  }

  @Test
  void sameScenarioAndSeed_giveTheSameReport_byteForByte() {
    String first = run("subset-crash", 77, 6_000).toJson();
    String second = run("subset-crash", 77, 6_000).toJson();
    assertThat(second).isEqualTo(first);
    assertThat(run("subset-crash", 78, 6_000).toJson()).isNotEqualTo(first);
  }
}
