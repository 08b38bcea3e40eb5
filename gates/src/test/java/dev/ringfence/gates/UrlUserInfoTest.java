package dev.ringfence.gates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Plans;

import dev.ringfence.testing.ManualExecutor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A URL's user info (a password) is never repeated in the refusal of a plan. */
class UrlUserInfoTest {

  private final ManualExecutor executor = new ManualExecutor();
  private final RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom()
      .gate(PrometheusGateFactory.TYPE, PrometheusGateFactory.custom().executor(executor).build())
      .gate(WebhookGateFactory.TYPE, WebhookGateFactory.custom().executor(executor).environment(Map.of()).build())
      .build());

  private List<String> problems(String type, String params) {
    var plan = Plans.fromJson("{\"schemaVersion\": 1, \"name\": \"p\", \"rings\": ["
        + "{\"name\": \"canary\", \"share\": 100, \"cap\": 50, \"bakeTime\": \"10m\","
        + " \"gate\": {\"type\": \"" + type + "\", \"params\": {" + params + "}}},"
        + "{\"name\": \"all\", \"share\": 1000, \"bakeTime\": \"0s\", \"gate\": {\"type\": \"time-and-sample\"}}]}");
    RolloutSpec spec = RolloutSpec.builder("r1").channel("c").baseline(1).candidate(2).plan(plan).build();
    return org.junit.jupiter.api.Assertions.assertThrows(InvalidPlanException.class,
        () -> engine.createRollout(spec)).problems();
  }

  @Test
  void prometheusUrlWithUserInfo_isRefusedWithoutRepeatingThePassword() {
    List<String> problems = problems("prometheus", "\"url\": \"https://admin:s3cretPassw0rd@prometheus:9090\","
        + " \"query\": \"sum(up)\", \"failIf\": \"< 1\"");
    assertThat(problems).singleElement().asString().startsWith("rings[0].gate.params.url:")
        .doesNotContain("s3cretPassw0rd").contains("https://...@prometheus:9090");
  }

  @Test
  void webhookUrlWithUserInfoAndAWrongScheme_isRefusedWithoutRepeatingThePassword() {
    // docs/gates.md: "A refusal never repeats an inline secret or a URL's user info."
    List<String> problems = problems("webhook", "\"url\": \"ftp://bot:s3cretPassw0rd@checks.example.com/\","
        + " \"secret\": {\"env\": \"RINGFENCE_WEBHOOK_A\"}");
    assertThat(problems).singleElement().asString().startsWith("rings[0].gate.params.url:")
        .doesNotContain("s3cretPassw0rd");
  }

  @Test
  void webhookUrlWithUserInfoThatDoesNotParse_isRefusedWithoutRepeatingThePassword() {
    List<String> problems = problems("webhook", "\"url\": \"https://bot:s3cretPassw0rd@checks.example.com/a b\","
        + " \"secret\": {\"env\": \"RINGFENCE_WEBHOOK_A\"}");
    assertThat(problems).singleElement().asString().startsWith("rings[0].gate.params.url:")
        .doesNotContain("s3cretPassw0rd");
  }

  @Test
  void userInfoIsFoundByItsPlaceInTheText_evenWhenTheUrlDoesNotParse() {
    assertThat(dev.ringfence.gates.internal.GateParamsAccess.withoutUserInfo("https://a:b@h:1/p a?x=1@y"))
        .isEqualTo("https://...@h:1/p a?x=1@y");
    assertThat(dev.ringfence.gates.internal.GateParamsAccess.withoutUserInfo("http://h/p")).isEqualTo("http://h/p");
  }
}
