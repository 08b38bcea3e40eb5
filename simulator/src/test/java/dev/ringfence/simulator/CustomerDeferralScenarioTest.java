package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Scenario {@code customer-deferral}: tenant acme defers the channel by 6 hours and the candidate crashes only
 * acme's hosts. The fleet's rollout completes without one acme host on the candidate; 6 hours later acme's own
 * rollout starts, its canary's health judge fails it, and it is rolled back for acme: fewer acme hosts got the
 * candidate than the canary's share of the group, and none runs it at the end. The scenario's deferrals are read
 * strictly, each refusal at its line and column.
 */
class CustomerDeferralScenarioTest {

  private static final int ENDPOINTS = 10_000;

  @Test
  void customerDeferral_holdsTheTenantThroughTheRollout_andItsOwnCanaryCatchesTheCrash() {
    ScenarioReader.Loaded loaded = ScenarioReader.load("customer-deferral");
    List<SimulationReport.Run> runs = LongStream.rangeClosed(1, 2).mapToObj(seed -> FleetSimulator
        .simulateWithRingfence(loaded, seed, ENDPOINTS, FleetSimulator.ProgressListener.NONE)).toList();
    for (int i = 0; i < runs.size(); i++) {
      SimulationReport.Run run = runs.get(i);
      String seed = "seed " + (i + 1);
      assertThat(run.outcome()).as(seed + ": the fleet's rollout").isEqualTo("COMPLETED");
      assertThat(run.haltSeconds()).as(seed + ": the fleet's rollout never halted").isEqualTo(-1);
      assertThat(run.deferredGroups()).hasSize(1);
      SimulationReport.DeferredGroup acme = run.deferredGroups().get(0);
      assertThat(acme.deferral()).isEqualTo("delay PT6H for tag=tenant:acme");
      assertThat(acme.endpoints()).as(seed).isBetween(800, 1200);
      assertThat(acme.onCandidateWhenMainCompleted()).as(seed + ": held through the rollout").isZero();
      assertThat(acme.mainCompletedSeconds()).isPositive();
      assertThat(acme.ownRolloutStartedSeconds()).as(seed + ": the delay, then the next tick")
          .isBetween(acme.mainCompletedSeconds() + 6 * 3600, acme.mainCompletedSeconds() + 6 * 3600 + 10);
      assertThat(acme.ownRolloutOutcome()).as(seed).isEqualTo("ROLLED_BACK");
      assertThat(acme.everExposed()).as(seed + ": a canary share of the group, not all of it").isPositive()
          .isLessThan(acme.endpoints() * 3 / 10);
      assertThat(acme.onCandidateAtEnd()).as(seed + ": rolled back for the group").isZero();
      assertThat(run.everExposed() - acme.everExposed()).as(seed + ": everyone else took the candidate")
          .isGreaterThanOrEqualTo((int) ((run.online() - acme.endpoints()) * 0.99));
      SimulationReport.Transition halt = run.transitions().stream().filter(t -> t.to().equals("HALTED"))
          .findFirst().orElseThrow();
      assertThat(halt.ring()).isEqualTo("deferred-canary");
      assertThat(halt.cause()).startsWith("deferred group's rollout " + acme.ownRollout() + ": ");
      assertThat(run.failuresByAttribute()).first().satisfies(f -> assertThat(f.value()).isEqualTo("tenant:acme"));
    }
  }

  /**
   * Scenario {@code customer-deferral-healthy}: a good release; acme is held through the fleet's rollout and the
   * delay, then takes it through its own rollout, canary first (a fifth of the group), which completes: every acme
   * host runs the candidate at the end.
   */
  @Test
  void customerDeferralHealthy_theGroupTakesTheCandidateThroughItsOwnRollout_canaryFirst() {
    SimulationReport.Run run = FleetSimulator.simulateWithRingfence(ScenarioReader.load("customer-deferral-healthy"),
        1, ENDPOINTS, FleetSimulator.ProgressListener.NONE);
    assertThat(run.outcome()).isEqualTo("COMPLETED");
    SimulationReport.DeferredGroup acme = run.deferredGroups().get(0);
    assertThat(acme.onCandidateWhenMainCompleted()).isZero();
    assertThat(acme.ownRolloutOutcome()).isEqualTo("COMPLETED");
    assertThat(acme.everExposed()).isEqualTo(acme.endpoints());
    assertThat(acme.onCandidateAtEnd()).isEqualTo(acme.endpoints());
    assertThat(run.everExposed()).isEqualTo(run.online());
    List<SimulationReport.Transition> own = run.transitions().stream()
        .filter(t -> t.cause().startsWith("deferred group's rollout " + acme.ownRollout())).toList();
    assertThat(own).extracting(SimulationReport.Transition::to).containsExactly("RUNNING", "RUNNING", "COMPLETED");
    assertThat(own.get(1).cause()).contains("ring 'deferred-canary' passed after 3600s with");
    int canary = Integer.parseInt(own.get(1).cause().replaceAll(".*passed after 3600s with (\\d+) exposed.*", "$1"));
    assertThat(canary).as("the canary: about a fifth of the group").isBetween(acme.endpoints() / 8,
        acme.endpoints() * 3 / 10);
  }

  @Test
  void badDeferrals_areRefusedAtTheirLineAndColumn_namingTheField() throws Exception {
    String shipped = new String(ScenarioReader.shippedFile("customer-deferral.json"), StandardCharsets.UTF_8);
    assertThat(shipped).contains("\"delay\": \"PT6H\"");
    InvalidScenarioException bad = catchThrowableOfType(InvalidScenarioException.class, () -> ScenarioReader.parse(
        shipped.replace("\"delay\": \"PT6H\"", "\"delay\": \"later\"").getBytes(StandardCharsets.UTF_8), "s.json"));
    assertThat(bad.problems()).singleElement().satisfies(p -> assertThat(p).matches("s\\.json:\\d+:\\d+:"
        + " deferrals\\[0\\]\\.delay: 'later' is not a duration; .*"));
    String line = bad.problems().get(0).split(":")[1];
    assertThat(shipped.lines().toList().get(Integer.parseInt(line) - 1)).contains("\"delay\"");

    int k = shipped.indexOf("\"deferrals\"");
    String colour = shipped.substring(0, k) + shipped.substring(k).replace("\"tag\"", "\"colour\"");
    InvalidScenarioException unknown = catchThrowableOfType(InvalidScenarioException.class, () -> ScenarioReader
        .parse(colour.getBytes(StandardCharsets.UTF_8), "s.json"));
    assertThat(unknown.problems()).singleElement().satisfies(p -> assertThat(p).matches("s\\.json:\\d+:\\d+:"
        + " deferrals\\[0\\]\\.match\\.colour: unknown attribute; .*"));
    InvalidScenarioException both = catchThrowableOfType(InvalidScenarioException.class, () -> ScenarioReader.parse(
        shipped.replace("\"delay\": \"PT6H\"", "\"delay\": \"PT6H\", \"policy\": \"n-1\"")
            .getBytes(StandardCharsets.UTF_8), "s.json"));
    assertThat(both.problems()).singleElement().satisfies(p -> assertThat(p).matches("s\\.json:\\d+:\\d+:"
        + " deferrals\\[0\\]\\.delay: give either policy or delay, not both"));
  }
}
