package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

/** The service-metric gate judges its value as the prometheus gate judges its own. */
class ServiceMetricGateTest {

  @Test
  void failIfAlone_aValueThatDoesNotFail_isAPass_asThePrometheusGateJudgesIt() {
    // docs/gates.md, prometheus judging: "3. no passIf: PASS (the value does not fail)".
    ServiceMetricGate gate = new ServiceMetricGate(new GateSpec(ServiceMetricGate.TYPE, Map.of("failIf", "> 0.02",
        "minRequests", 1_000)), () -> 100, 0.0, new SplittableRandom(1));
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    gate.evaluate(at(t0));

    Verdict judged = gate.evaluate(at(t0.plusSeconds(600))); // 60,000 requests, 0 errors

    assertThat(judged.reason()).contains("0.0000 (0 errors in 60,000 requests), which is not > 0.02 (failIf): PASS");
    assertThat(judged.outcome()).isEqualTo(Verdict.Outcome.PASS);
  }

  private static GateContext at(Instant now) {
    GateContext context = Mockito.mock(GateContext.class);
    Mockito.when(context.now()).thenReturn(now);
    return context;
  }
}
