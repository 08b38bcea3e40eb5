package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's realism fields: outages, planned restarts, background crashes in continuous time, and a crash
 * that comes after the agent has confirmed the candidate.
 */
class FleetRealismTest {

  @TempDir
  Path dir;

  /** A small fleet, one ring for everyone at once; {@code fleet}, {@code candidate} and {@code agent} extra. */
  private ScenarioReader.Loaded scenario(String fleetExtra, String candidate, String agent, String stopAfter)
      throws IOException {
    return scenario(fleetExtra, candidate, agent, stopAfter, "PT3H");
  }

  private ScenarioReader.Loaded scenario(String fleetExtra, String candidate, String agent, String stopAfter,
      String bakeTime) throws IOException {
    String json = """
        {"schemaVersion": 1, "name": "realism", "description": "d", "seed": 11,
         "fleet": {"endpoints": 2000,
                   "attributes": {"region": {"eu-west": 0.5, "us-east": 0.5}, "os": {"windows": 1.0}},
                   "heartbeatInterval": "1m", "bootTime": "30s"%s},
         "candidate": {%s},
         "agent": {%s},
         "plan": {"schemaVersion": 1, "name": "all-at-once",
                  "rings": [{"name": "all", "share": 10000, "cap": 2000, "bakeTime": "%s",
                             "gate": {"type": "time-and-sample"}}],
                  "overrides": [{"rule": "FIRST_RING_TOO_LARGE", "ring": "all",
                                 "reason": "the fleet's realism is under test, not the rings"}]},
         "push": {"baseline": 1, "candidate": 2},
         "stopAfter": "%s"}
        """.formatted(fleetExtra, candidate, agent, bakeTime, stopAfter);
    Path file = dir.resolve("realism.json");
    Files.writeString(file, json, StandardCharsets.UTF_8);
    return ScenarioReader.load(file.toString());
  }

  private static SimulationReport.Run withRingfence(ScenarioReader.Loaded loaded) {
    return FleetSimulator.simulate(loaded, loaded.scenario().seed(), loaded.scenario().fleet().endpoints(),
        FleetSimulator.ProgressListener.NONE).withRingfence();
  }

  @Test
  void outages_parse_withDefaults() throws IOException {
    Scenario.Fleet fleet = scenario(","
        + "\"outages\": [{\"match\": {\"region\": \"us-east\"}, \"from\": \"20m\", \"duration\": \"30m\", \"share\": 0.5},"
        + "{\"from\": \"0s\", \"duration\": \"1m\"}],"
        + "\"plannedRebootsPerHour\": 0.01", "", "", "1h").scenario().fleet();

    assertThat(fleet.outages()).hasSize(2);
    assertThat(fleet.outages().get(0).match()).containsEntry("region", "us-east");
    assertThat(fleet.outages().get(0).fromDuration()).hasMinutes(20);
    assertThat(fleet.outages().get(0).durationDuration()).hasMinutes(30);
    assertThat(fleet.outages().get(0).share()).isEqualTo(0.5);
    assertThat(fleet.outages().get(1).match()).isEmpty();
    assertThat(fleet.outages().get(1).share()).isEqualTo(1.0);
    assertThat(fleet.plannedRebootsPerHour()).isEqualTo(0.01);
  }

  /** A one-hour scenario with {@code fleetExtra} in its fleet and nothing else added. */
  private ScenarioReader.Loaded fleetOnly(String fleetExtra) throws IOException {
    return scenario("," + fleetExtra, "", "", "1h");
  }

  /** The fleet settings {@code fleetExtra} are refused, with a message that holds {@code message}. */
  private void assertFleetRefused(String fleetExtra, String message) {
    assertThatThrownBy(() -> fleetOnly(fleetExtra)).isInstanceOf(InvalidScenarioException.class)
        .hasMessageContaining(message);
  }

  @Test
  void outages_badFields_areRefusedWithFileLineColumnAndField() {
    assertThatThrownBy(() -> fleetOnly("\"outages\": [{\"from\": \"20m\"}]"))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageMatching("(?s).*realism\\.json:\\d+:\\d+: fleet\\.outages\\[0\\]\\.duration: is missing.*");
    assertFleetRefused("\"outages\": [{\"from\": \"20m\", \"duration\": \"1m\", \"share\": 1.5}]",
        "fleet.outages[0].share: 1.5 is outside 0..1");
    assertFleetRefused("\"outages\": [{\"from\": \"20m\", \"duration\": \"1m\", \"match\": {\"planet\": \"mars\"}}]",
        "fleet.outages[0].match.planet");
    assertFleetRefused("\"outages\": [{\"from\": \"20m\", \"duration\": \"1m\", \"until\": \"2h\"}]", "until");
    assertFleetRefused("\"plannedRebootsPerHour\": -0.1", "plannedRebootsPerHour: -0.1 is outside 0..1");
  }

  @Test
  void outage_wholeFleetForTheWholeRun_nobodyPollsSoNobodyIsExposedAndNoSignalGetsThrough() throws IOException {
    SimulationReport.Run run = withRingfence(scenario(","
        + "\"outages\": [{\"from\": \"0s\", \"duration\": \"2h\"}]", "", "", "1h"));

    assertThat(run.everExposed()).isZero();
    assertThat(run.signals().get("accepted")).isZero();
  }

  @Test
  void outage_oneRegion_cutsOffOnlyThatRegionsSignals_andOnlyDuringTheWindow() throws IOException {
    String healthy = "";
    SimulationReport.Run clear = withRingfence(scenario("", healthy, "", "1h"));
    SimulationReport.Run cut = withRingfence(scenario(","
        + "\"outages\": [{\"match\": {\"region\": \"us-east\"}, \"from\": \"10m\", \"duration\": \"20m\"}]", healthy, "", "1h"));

    assertThat(clear.signals().get("unreachable")).isZero();
    // About half the fleet misses about 20 one-minute heartbeats each.
    assertThat(cut.signals().get("unreachable")).isBetween(5_000L, 30_000L);
    assertThat(cut.everExposed()).isEqualTo(clear.everExposed());
  }

  @Test
  void backgroundCrashes_comeInContinuousTime_evenWhileNoEndpointPolls() throws IOException {
    SimulationReport.Run run = withRingfence(scenario(","
        + "\"backgroundCrashesPerHour\": 0.2,"
        + "\"outages\": [{\"from\": \"0s\", \"duration\": \"2h\"}]", "", "", "1h"));

    // 2,000 endpoints at 20% an hour for an hour: about 400 (a crash's boot time pauses a host's clock).
    assertThat(run.backgroundCrashes()).isBetween(300, 500);
    assertThat(run.plannedRestarts()).isZero();
  }

  @Test
  void plannedRestarts_areCleanRestarts_notCrashes() throws IOException {
    SimulationReport.Run run = withRingfence(scenario(","
        + "\"plannedRebootsPerHour\": 0.2", "", "", "1h"));

    assertThat(run.plannedRestarts()).isBetween(300, 500);
    assertThat(run.backgroundCrashes()).isZero();
    assertThat(run.crashedOnCandidate()).isZero();
  }

  @Test
  void crashAfterConfirmation_silentHosts_comeBackOutOfProbation_andWithoutProbationLoopBeyondTheAgentsReach()
      throws IOException {
    String agent = "\"maxFailedStarts\": 3, \"confirmAfter\": \"5m\"";
    SimulationReport.Run early = withRingfence(scenario("",
        "\"crashOnLoad\": 1.0, \"crashDelay\": \"1m\", \"silentCrashShare\": 1.0", agent, "2h"));
    String late = "\"crashOnLoad\": 1.0, \"crashDelay\": \"10m\", \"silentCrashShare\": 1.0";
    SimulationReport.Run probation = withRingfence(scenario("", late, agent, "2h"));
    SimulationReport.Run noProbation = withRingfence(scenario("", late, agent + ", \"probation\": \"0s\"", "2h"));

    // Crashing before confirmation, the agent counts the failed starts and goes back by itself.
    assertThat(early.revertedByAgent()).isPositive();
    assertThat(early.needManualRepair()).isZero();
    // Crashing after it, the candidate is the last-known-good in probation: the agent counts the starts of the crash
    // loop that follows and goes back to the baseline, which it kept, by itself, though the silent hosts never hear
    // the server's REVERT.
    assertThat(probation.crashedOnCandidate()).isPositive();
    assertThat(probation.revertedByAgent()).isEqualTo(probation.crashedOnCandidate());
    assertThat(probation.needManualRepair()).isZero();
    // Without probation (as before it existed) nothing guards a confirmed version: they need hands on them.
    assertThat(noProbation.crashedOnCandidate()).isEqualTo(probation.crashedOnCandidate());
    assertThat(noProbation.revertedByAgent()).isZero();
    assertThat(noProbation.needManualRepair()).isPositive();
  }

  /**
   * A rollout that completes before its crashes come (a crash delayed past the last ring's bake time) does not
   * end the story: the run goes on until every host that took the candidate has had its crash and its failed
   * starts. Those hosts confirmed the candidate before their first crash; in probation their agents count the crash
   * loop and go back to the baseline by themselves, so none needs hands-on repair. Without probation each of them is
   * left crash-looping on the confirmed candidate (ending the run at the completion reported none of them).
   */
  @Test
  void crashAfterTheRolloutCompleted_isStillSimulated_andTheProbationBringsTheHostsBack() throws IOException {
    String candidate = "\"crashOnLoad\": 0.1, \"crashDelay\": \"30m\", \"silentCrashShare\": 1.0";
    String agent = "\"maxFailedStarts\": 3, \"confirmAfter\": \"5m\"";
    SimulationReport.Run run = withRingfence(scenario("", candidate, agent, "6h", "PT10M"));
    SimulationReport.Run noProbation = withRingfence(scenario("", candidate, agent + ", \"probation\": \"0s\"", "6h",
        "PT10M"));

    assertThat(run.outcome()).isEqualTo("COMPLETED");
    assertThat(run.crashedOnCandidate()).as("a tenth of 2,000 hosts, crashing 30 min after the load")
        .isBetween(150, 260);
    assertThat(run.revertedByAgent()).isEqualTo(run.crashedOnCandidate());
    assertThat(run.needManualRepair()).isZero();
    assertThat(run.durationSeconds()).as("ran past the completion until the crashes were over, not to the limit")
        .isGreaterThan(30 * 60).isLessThan(6 * 3600);

    assertThat(noProbation.outcome()).isEqualTo("COMPLETED");
    assertThat(noProbation.crashedOnCandidate()).isEqualTo(run.crashedOnCandidate());
    assertThat(noProbation.needManualRepair()).isEqualTo(noProbation.crashedOnCandidate());
  }

  @Test
  void agentProbation_isParsedStrictly() {
    assertThatThrownBy(() -> scenario("", "", "\"probation\": \"-1h\"", "1h"))
        .isInstanceOf(InvalidScenarioException.class).hasMessageContaining("probation");
    assertThatThrownBy(() -> scenario("", "", "\"probation\": \"3651d\"", "1h"))
        .isInstanceOf(InvalidScenarioException.class).hasMessageContaining("agent.probation: 3651d is outside 0ms..3650d");
  }

  @Test
  void contentLoadedAtBoot_onlyABootGuardCountsTheCrashes() throws IOException {
    String candidate = "\"crashOnLoad\": 1.0, \"crashDelay\": \"20s\", \"silentCrashShare\": 0.5, \"loadedAtBoot\": true";
    SimulationReport.Run guarded = withRingfence(scenario("", candidate,
        "\"maxFailedStarts\": 3, \"startCounter\": \"bootguard\"", "2h"));
    SimulationReport.Run unguarded = withRingfence(scenario("", candidate,
        "\"maxFailedStarts\": 3, \"startCounter\": \"agent\"", "2h"));

    // The guard runs before the content and counts every boot: each host goes back by itself.
    assertThat(guarded.crashedOnCandidate()).isPositive();
    assertThat(guarded.revertedByAgent()).isEqualTo(guarded.crashedOnCandidate());
    assertThat(guarded.needManualRepair()).isZero();
    // The agent starts after the content has crashed the host: nothing counts, reports or reverts.
    assertThat(unguarded.crashedOnCandidate()).isEqualTo(guarded.crashedOnCandidate());
    assertThat(unguarded.revertedByAgent()).isZero();
    assertThat(unguarded.needManualRepair()).isEqualTo(unguarded.crashedOnCandidate());
  }

  @Test
  void startCounter_unknown_isRefusedNamingIt() {
    assertThatThrownBy(() -> scenario("", "", "\"startCounter\": \"kernel\"", "1h"))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageContaining("startCounter: 'kernel' is not one of [agent, bootguard]");
  }
}
