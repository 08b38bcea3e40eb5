package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The goals of the shipped scenarios, on the real engine and agent, seeded, at sizes that keep the suite
 * fast. The 1M-endpoint figures are measured with the CLI (see docs/scenarios.md).
 */
class ScenarioGoalsTest {

  private static SimulationReport run(String scenario, long seed, int endpoints) {
    return FleetSimulator.simulate(ScenarioReader.load(scenario), seed, endpoints, FleetSimulator.ProgressListener.NONE);
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
