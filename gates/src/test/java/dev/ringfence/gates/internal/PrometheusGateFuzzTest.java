package dev.ringfence.gates.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the two inputs of the {@code prometheus} gate that come from outside (docs/fuzzing.md): Prometheus's
 * answer, and the gate's parameters in a plan. Corpus: {@code PrometheusGateFuzzTestInputs/}.
 */
class PrometheusGateFuzzTest {

  private static final URI ENDPOINT = URI.create("http://prometheus:9090/api/v1/query");
  private static final GateQuery QUERY = FuzzedParams.QUERY;
  private static final PrometheusGate GATE = new PrometheusGate(PrometheusParams.read(Map.of(
      "url", "http://prometheus:9090", "query", "q", "failIf", "> 0.02", "passIf", "< 0.01")), null);

  /**
   * An answer body is one number, no data, or refused with a {@link QueryFailedException} that says why; a number
   * is judged to a verdict without throwing.
   */
  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parseAnswer(byte[] body) {
    Sample sample;
    try {
      sample = PrometheusClient.parse(ENDPOINT, "q", 200, body);
    } catch (QueryFailedException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(sample.value() == null).isEqualTo(sample.noData() != null);
    if (sample.value() != null) {
      assertThat(sample.number()).isNotNaN();
    }
    Verdict verdict = GATE.judge(QUERY, sample);
    assertThat(verdict.outcome()).isNotEqualTo(Verdict.Outcome.ERROR);
    assertThat(verdict.evidence().values()).allSatisfy(v -> assertThat(Double.isFinite(v)).isTrue());
  }

  /**
   * The parameters of a plan's {@code prometheus} gate, as the plan reader hands them over (strings, whole
   * numbers, fractions, booleans) under the known names and others: they make a gate whose query renders, or are
   * refused with an {@link InvalidPlanException} whose every problem names a parameter by its path.
   */
  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void readParams(FuzzedDataProvider data) {
    Map<String, Object> raw = FuzzedParams.read(data, KEYS, List.of(FuzzedDataProvider::consumeInt,
        FuzzedDataProvider::consumeLong, FuzzedDataProvider::consumeRegularDouble, FuzzedDataProvider::consumeBoolean,
        FuzzedParams::string));
    PrometheusParams params;
    try {
      params = PrometheusParams.read(new GateSpec("prometheus", raw).params());
    } catch (InvalidPlanException e) {
      FuzzedParams.assertProblemsNamed(e);
      return;
    }
    assertThat(params.queryUri().getPath()).endsWith("/api/v1/query");
    assertThat(params.failIf() != null || params.passIf() != null).isTrue();
    assertThat(params.query().render(QUERY)).doesNotContain("{{");
  }

  private static final List<String> KEYS = List.of("url", "query", "failIf", "passIf", "minSamples",
      "consecutiveErrorLimit", "timeout", "interval", "other");
}
