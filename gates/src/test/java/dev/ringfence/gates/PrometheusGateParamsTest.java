package dev.ringfence.gates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.testing.ManualExecutor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code prometheus} gate's parameters, read from plan JSON: every bad one is refused when the rollout is
 * created, with its path. No Prometheus is needed: nothing is queried.
 */
class PrometheusGateParamsTest {

  private static final String GOOD = "\"url\": \"http://prometheus:9090\", \"query\": \"sum(up)\", \"failIf\": \"< 1\"";

  private final ManualExecutor executor = new ManualExecutor();
  private final RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom()
      .gate(PrometheusGateFactory.TYPE, PrometheusGateFactory.custom().executor(executor).build()).build());

  private List<String> problems(String params) {
    Plan plan = PrometheusGateTest.plan("canary", params);
    RolloutSpec spec = RolloutSpec.builder("r1").channel("c").baseline(1).candidate(2).plan(plan).build();
    InvalidPlanException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidPlanException.class,
        () -> engine.createRollout(spec));
    assertThat(executor.started()).isZero();
    return e.problems();
  }

  @Test
  void create_goodParameters_makeAGateAndQueryNothing() {
    Plan plan = PrometheusGateTest.plan("canary", GOOD + ", \"passIf\": \">= 1\", \"minSamples\": 3,"
        + " \"consecutiveErrorLimit\": 0, \"timeout\": \"10s\", \"interval\": \"1m\", \"dryRun\": true");
    engine.createRollout(RolloutSpec.builder("r1").channel("c").baseline(1).candidate(2).plan(plan).build());
    assertThat(executor.started()).isZero();
  }

  @Test
  void create_unknownPlaceholder_isRefusedNamingTheQueryField() {
    assertThat(problems("\"url\": \"http://prometheus:9090\", \"failIf\": \"> 0.02\","
        + " \"query\": \"rate(app_errors_total{version=\\\"{{version}}\\\"}[5m])\""))
        .containsExactly("rings[0].gate.params.query: unknown placeholder {{version}}; the known placeholders are"
            + " {{rollout}}, {{ring}}, {{channel}}, {{baseline}}, {{candidate}}");
  }

  @Test
  void create_unclosedPlaceholder_isRefusedNamingTheQueryField() {
    assertThat(problems("\"url\": \"http://prometheus:9090\", \"failIf\": \"> 0.02\","
        + " \"query\": \"up{version=\\\"{{candidate\\\"}\""))
        .singleElement().asString().startsWith("rings[0].gate.params.query: '{{' at character 12 is not closed");
  }

  @Test
  void create_badComparison_isRefusedNamingItsField() {
    assertThat(problems("\"url\": \"http://prometheus:9090\", \"query\": \"sum(up)\", \"failIf\": \"above 0.02\","
        + " \"passIf\": \"< NaN\""))
        .containsExactly(
            "rings[0].gate.params.failIf: 'above 0.02' is not a comparison; write an operator (>, >=, <, <=, ==, !=)"
                + " and a number, e.g. \"> 0.02\"",
            "rings[0].gate.params.passIf: '< NaN' is not a comparison; write an operator (>, >=, <, <=, ==, !=)"
                + " and a number, e.g. \"> 0.02\"");
  }

  @Test
  void create_neitherFailIfNorPassIf_isRefused() {
    assertThat(problems("\"url\": \"http://prometheus:9090\", \"query\": \"sum(up)\""))
        .singleElement().asString().startsWith("rings[0].gate.params.failIf: neither failIf nor passIf is given");
  }

  @Test
  void create_everyBadParameter_isReportedAtOnceWithItsPath() {
    assertThat(problems("\"url\": \"ftp://prometheus\", \"failIf\": \"> 1\", \"minSamples\": 0,"
        + " \"consecutiveErrorLimit\": \"3\", \"timeout\": \"0s\", \"interval\": \"soon\", \"treshold\": 1"))
        .containsExactly(
            "rings[0].gate.params.treshold: unknown parameter of prometheus; known: [consecutiveErrorLimit, failIf,"
                + " interval, minSamples, passIf, query, timeout, url]",
            "rings[0].gate.params.url: 'ftp://prometheus' must be an http:// or https:// URL",
            "rings[0].gate.params.query: is missing",
            "rings[0].gate.params.minSamples: 0 is outside 1..1000",
            "rings[0].gate.params.consecutiveErrorLimit: must be a whole number, found 3",
            "rings[0].gate.params.timeout: 0s must be positive and at most 1h",
            "rings[0].gate.params.interval: 'soon' is not a duration; write one such as 90s, 5m, 2h or PT5M");
  }

  @Test
  void create_urlWithAQueryOrWithoutAHost_isRefused() {
    assertThat(problems("\"url\": \"http://prometheus:9090/?x=1\", \"query\": \"sum(up)\", \"failIf\": \"> 1\""))
        .singleElement().asString().startsWith("rings[0].gate.params.url: 'http://prometheus:9090/?x=1' must name a"
            + " host and have no query");
    assertThat(problems("\"query\": \"sum(up)\", \"failIf\": \"> 1\""))
        .containsExactly("rings[0].gate.params.url: is missing; give Prometheus's base URL, e.g."
            + " http://prometheus:9090");
  }
}
