package dev.ringfence.gates.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.gate.Verdict.Outcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus gate's parts on their own: comparisons, escaping, answers Prometheus gives rarely, judging. */
class PrometheusPartsTest {

  private static final URI ENDPOINT = URI.create("http://prometheus:9090/api/v1/query");
  private static final GateQuery QUERY = new GateQuery("r1", "c", 0, "canary", 41, 42,
      Instant.parse("2026-01-15T12:00:00Z"));

  private static Sample parse(int status, String body) throws QueryFailedException {
    return PrometheusClient.parse(ENDPOINT, "q", status, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void threshold_readsEveryOperator_andNaNNeverMatches() {
    assertThat(Threshold.parse("> 0.02").matches(0.03)).isTrue();
    assertThat(Threshold.parse(">0.02").matches(0.02)).isFalse();
    assertThat(Threshold.parse(">= 0.02").matches(0.02)).isTrue();
    assertThat(Threshold.parse(" < 1e-2 ").matches(0.005)).isTrue();
    assertThat(Threshold.parse("<= -1").matches(-1)).isTrue();
    assertThat(Threshold.parse("== 1").matches(1)).isTrue();
    assertThat(Threshold.parse("!= 1").matches(2)).isTrue();
    assertThat(Threshold.parse("!= 1").matches(Double.NaN)).isFalse();
    assertThat(Threshold.parse("> 0.02").toString()).isEqualTo("> 0.02");
    assertThat(Threshold.parse("above 0.02")).isNull();
    assertThat(Threshold.parse("> ")).isNull();
    assertThat(Threshold.parse("> 1e999")).isNull(); // not finite
    assertThat(Threshold.parse("=> 1")).isNull();
  }

  @Test
  void escape_quotesBackslashesAndControlCharacters_forAPromQlString() {
    assertThat(QueryTemplate.escape("a\"b\\c\nd\te\u0001\r\u007f")).isEqualTo("a\\\"b\\\\c\\nd\\te\\x01\\r\\x7f");
    assertThat(QueryTemplate.escape("plain-1.2_x é&%/")).isEqualTo("plain-1.2_x é&%/");
  }

  @Test
  void time_isUnixSecondsWithTheClocksMilliseconds() {
    assertThat(PrometheusClient.time(Instant.parse("2026-01-15T12:00:00.250Z"))).isEqualTo("1768478400.250");
  }

  @Test
  void parse_scalarAndInfinity_areValues() throws Exception {
    assertThat(parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"0.5\"]}}")
        .number()).isEqualTo(0.5);
    Sample inf = parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[1,\"+Inf\"]}]}}");
    assertThat(inf.value()).isEqualTo("+Inf");
    assertThat(inf.number()).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void parse_aMatrixAnHtmlPageOrAnUnavailableServer_areErrorsThatSayWhat() {
    assertThatThrownBy(() -> parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}"))
        .isInstanceOf(QueryFailedException.class).hasMessageContaining("returned a matrix");
    assertThatThrownBy(() -> parse(502, "<html><body>Bad Gateway</body></html>"))
        .hasMessage("HTTP 502 from http://prometheus:9090/api/v1/query is not a Prometheus API answer:"
            + " <html><body>Bad Gateway</body></html>");
    assertThatThrownBy(() -> parse(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"too busy\"}"))
        .hasMessage("Prometheus refused the query q (HTTP 503, unavailable): too busy");
    assertThatThrownBy(() -> parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[1,\"lots\"]}]}}")).hasMessageContaining("'lots', which is not a number");
  }

  @Test
  void judge_infinity_failsWithTheValueInTheReason_andOnlyFiniteNumbersInTheEvidence() {
    PrometheusParams params = PrometheusParams.read(Map.of("url", "http://prometheus:9090/", "query", "q",
        "failIf", "> 0.02"));
    assertThat(params.queryUri()).isEqualTo(ENDPOINT);
    PrometheusGate gate = new PrometheusGate(params, new PrometheusClient(java.net.http.HttpClient.newHttpClient()));

    Verdict verdict = gate.judge(QUERY, new Sample("sum(x) / sum(y)", "+Inf", null));

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.reason()).isEqualTo("query sum(x) / sum(y) at 2026-01-15T12:00:00Z returned +Inf, which is"
        + " > 0.02 (failIf): FAIL");
    assertThat(verdict.evidence()).containsOnlyKeys("failIfBound");
  }

  @Test
  void render_fillsEveryPlaceholder() {
    java.util.List<String> problems = new java.util.ArrayList<>();
    QueryTemplate template = QueryTemplate.parse("{{rollout}}|{{ring}}|{{channel}}|{{baseline}}|{{candidate}}",
        "q", problems);
    assertThat(problems).isEmpty();
    assertThat(template.render(QUERY)).isEqualTo("r1|canary|c|41|42");
  }
}
