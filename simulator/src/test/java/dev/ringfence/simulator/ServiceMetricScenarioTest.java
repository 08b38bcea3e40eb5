package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.Mockito;

/**
 * A release that crashes nothing but fails the service's requests: the {@code service-metric} gate (the
 * simulator's stand-in for a Prometheus gate) halts it in the canary ring, and the same scenario with a healthy
 * error ratio completes. Heartbeats are healthy in both, so the metric alone decides.
 */
class ServiceMetricScenarioTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void serviceRegression_isHaltedInTheCanary_byTheServiceMetric_withNoCrash() {
    List<SimulationReport.Run> runs = IntStream.range(0, 6).parallel().mapToObj(seed -> FleetSimulator
        .simulateWithRingfence(ScenarioReader.load("service-regression"), 4242 + seed, 8_000,
            FleetSimulator.ProgressListener.NONE)).toList();

    assertThat(runs).allSatisfy(w -> {
      assertThat(w.outcome()).isEqualTo("ROLLED_BACK");
      assertThat(w.crashedOnCandidate()).isZero();
      SimulationReport.VerdictLine halting = w.verdicts().stream().filter(v -> v.outcome().equals("FAIL"))
          .findFirst().orElseThrow();
      assertThat(halting.ring()).isEqualTo("canary");
      assertThat(halting.test()).isEqualTo(ServiceMetricGate.TYPE);
      assertThat(halting.reason()).contains("request error ratio").contains("> 0.02 (failIf): FAIL");
    });
  }

  @Test
  void healthyErrorRatio_passesEveryRing_andCompletes(@TempDir Path dir) throws Exception {
    ObjectNode scenario = (ObjectNode) JSON.readTree(ScenarioReader.shippedFile("service-regression.json"));
    scenario.set("plan", JSON.readTree(ScenarioReader.shippedFile(scenario.get("plan").asText())));
    ((ObjectNode) scenario.get("candidate")).put("serviceErrorRate", 0.01);
    Path file = dir.resolve("service-healthy.json");
    JSON.writeValue(file.toFile(), scenario);

    SimulationReport.Run w = FleetSimulator.simulateWithRingfence(ScenarioReader.load(file.toString()), 77, 8_000,
        FleetSimulator.ProgressListener.NONE);

    assertThat(w.outcome()).isEqualTo("COMPLETED");
    assertThat(w.verdicts()).noneMatch(v -> v.outcome().equals("FAIL"));
    assertThat(w.verdicts()).anyMatch(v -> v.test().equals(ServiceMetricGate.TYPE) && v.outcome().equals("PASS"));
  }

  @Test
  void gate_isInconclusiveBelowMinRequests_thenJudgesTheRatio() {
    int[] serving = {100};
    ServiceMetricGate gate = new ServiceMetricGate(new GateSpec(ServiceMetricGate.TYPE, Map.of("failIf", "> 0.02",
        "passIf", "< 0.015", "minRequests", 10_000)), () -> serving[0], 0.05, new SplittableRandom(1));
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    Verdict first = gate.evaluate(at(t0));
    Verdict tooFew = gate.evaluate(at(t0.plusSeconds(60))); // 100 hosts x 60/min = 6,000 requests
    Verdict judged = gate.evaluate(at(t0.plusSeconds(120))); // 12,000

    assertThat(first.outcome()).isEqualTo(Verdict.Outcome.INCONCLUSIVE);
    assertThat(tooFew.outcome()).isEqualTo(Verdict.Outcome.INCONCLUSIVE);
    assertThat(tooFew.reason()).contains("6,000 requests").contains("fewer than minRequests 10,000");
    assertThat(judged.outcome()).isEqualTo(Verdict.Outcome.FAIL);
    assertThat(judged.evidence().get("requests")).isEqualTo(12_000.0);
    assertThat(judged.evidence().get("value")).isBetween(0.04, 0.06);
  }

  private static GateContext at(Instant now) {
    GateContext context = Mockito.mock(GateContext.class);
    Mockito.when(context.now()).thenReturn(now);
    return context;
  }

  @Test
  void gate_badParameters_areRefusedWithTheirPath() {
    assertThatThrownBy(() -> new ServiceMetricGate(new GateSpec(ServiceMetricGate.TYPE, Map.of("failIf", "over 2%",
        "minRequests", 0, "query", "x")), () -> 0, 0, new SplittableRandom(1)))
        .isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("gate.params.failIf: 'over 2%' is not a comparison")
        .hasMessageContaining("gate.params.minRequests: 0 must be a whole number")
        .hasMessageContaining("gate.params.query: unknown parameter");
  }
}
