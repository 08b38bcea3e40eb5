package dev.ringfence.gates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.testing.ManualExecutor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code webhook} gate's parameters, read from plan JSON: every bad one is refused when the rollout is created,
 * with its path, and an inline secret never reaches the engine. Nothing is sent.
 */
class WebhookGateParamsTest {

  private static final String GOOD = "\"url\": \"https://checks.example.com/ringfence\","
      + " \"secret\": {\"env\": \"RINGFENCE_WEBHOOK_CHECKS\"}";

  private final ManualExecutor executor = new ManualExecutor();
  private final RolloutEngine engine = engine(WebhookGateFactory.custom().executor(executor).environment(Map.of())
      .secretsDirectory(Path.of("/etc/ringfence/webhook-secrets")).build());

  private static RolloutEngine engine(WebhookGateFactory factory) {
    return RolloutEngine.create(RolloutEngineConfig.custom().gate(WebhookGateFactory.TYPE, factory).build());
  }

  private List<String> problems(RolloutEngine engine, String params) {
    Plan plan = WebhookGateTest.plan(params);
    RolloutSpec spec = RolloutSpec.builder("r1").channel("c").baseline(1).candidate(2).plan(plan).build();
    InvalidPlanException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidPlanException.class,
        () -> engine.createRollout(spec));
    assertThat(executor.started()).isZero();
    return e.problems();
  }

  private List<String> problems(String params) {
    return problems(engine, params);
  }

  @Test
  void create_goodParameters_makeAGateAndSendNothing() {
    Plan plan = WebhookGateTest.plan(GOOD + ", \"metadata\": {\"check\": \"error-budget\"}, \"timeout\": \"20s\","
        + " \"requestTimeout\": \"5s\", \"retries\": 3, \"retryWait\": \"500ms\", \"minSamples\": 2,"
        + " \"consecutiveErrorLimit\": 0, \"interval\": \"30s\", \"dryRun\": true");
    engine.createRollout(RolloutSpec.builder("r1").channel("c").baseline(1).candidate(2).plan(plan).build());
    Plan file = WebhookGateTest.plan("\"url\": \"http://checks:8080/gate?check=canary\","
        + " \"secret\": {\"file\": \"checks.key\"}");
    engine.createRollout(RolloutSpec.builder("r2").channel("c").baseline(1).candidate(2).plan(file).build());
    assertThat(executor.started()).isZero();
  }

  @Test
  void create_inlineSecret_isRefusedWithItsPath_andTheSecretIsNotRepeated() {
    List<String> problems = problems("\"url\": \"https://checks.example.com/\", \"secret\": \"hunter2-hunter2\"");
    assertThat(problems).containsExactly("rings[0].gate.params.secret: an inline secret is refused (a plan is"
        + " kept in clear in the journal, and in its backups, for as long as they are kept); name where the secret is:"
        + " {\"env\": \"RINGFENCE_WEBHOOK_NAME\"} or {\"file\": \"NAME\"}");
    assertThat(String.join("\n", problems)).doesNotContain("hunter2");
  }

  @Test
  void create_secretReferences_outsideWhatTheHostAllows_areRefused() {
    assertThat(problems("\"url\": \"https://checks.example.com/\", \"secret\": {\"env\": \"DATABASE_PASSWORD\"}"))
        .singleElement().asString().startsWith("rings[0].gate.params.secret.env: 'DATABASE_PASSWORD' must be an"
            + " environment variable named RINGFENCE_WEBHOOK_...");
    assertThat(problems("\"url\": \"https://checks.example.com/\", \"secret\": {\"file\": \"../../etc/shadow\"}"))
        .singleElement().asString().startsWith("rings[0].gate.params.secret.file: '../../etc/shadow' must be a"
            + " plain file name");
    assertThat(problems("\"url\": \"https://checks.example.com/\","
        + " \"secret\": {\"env\": \"RINGFENCE_WEBHOOK_A\", \"file\": \"a\"}"))
        .containsExactly("rings[0].gate.params.secret: give exactly one of env and file; name where the secret is:"
            + " {\"env\": \"RINGFENCE_WEBHOOK_NAME\"} or {\"file\": \"NAME\"}");
    assertThat(problems("\"url\": \"https://checks.example.com/\", \"secret\": {\"env\": \"RINGFENCE_WEBHOOK_A\","
        + " \"value\": \"x\"}"))
        .singleElement().asString().startsWith("rings[0].gate.params.secret.value: unknown");

    RolloutEngine noDirectory = engine(WebhookGateFactory.custom().executor(executor).build());
    assertThat(problems(noDirectory, "\"url\": \"https://checks.example.com/\", \"secret\": {\"file\": \"a\"}"))
        .containsExactly("rings[0].gate.params.secret.file: this engine has no webhook secrets directory"
            + " (WebhookGateFactory.Builder.secretsDirectory); use {\"env\": \"RINGFENCE_WEBHOOK_NAME\"}");
  }

  @Test
  void create_everyBadParameter_isReportedAtOnceWithItsPath() {
    assertThat(problems("\"url\": \"ftp://checks\", \"metadata\": {\"n\": 3}, \"timeout\": \"5s\","
        + " \"requestTimeout\": \"10s\", \"retries\": 11, \"retryWait\": \"2m\", \"minSamples\": 0,"
        + " \"consecutiveErrorLimit\": \"3\", \"interval\": \"soon\", \"treshold\": 1"))
        .containsExactly(
            "rings[0].gate.params.treshold: unknown parameter of webhook; known: [consecutiveErrorLimit, interval,"
                + " metadata, minSamples, requestTimeout, retries, retryWait, secret, timeout, url]",
            "rings[0].gate.params.url: 'ftp://checks' must be an http:// or https:// URL",
            "rings[0].gate.params.secret: is missing; every request is signed; name where the secret is:"
                + " {\"env\": \"RINGFENCE_WEBHOOK_NAME\"} or {\"file\": \"NAME\"}",
            "rings[0].gate.params.metadata.n: must be a string of at most 1024 characters, found 3",
            "rings[0].gate.params.requestTimeout: 10s is longer than the timeout of the whole measurement, 5s",
            "rings[0].gate.params.retries: 11 is outside 0..10",
            "rings[0].gate.params.retryWait: 2m must be zero or positive and at most 1m",
            "rings[0].gate.params.minSamples: 0 is outside 1..1000",
            "rings[0].gate.params.consecutiveErrorLimit: must be a whole number, found 3",
            "rings[0].gate.params.interval: 'soon' is not a duration; write one such as 90s, 5m, 2h or PT5M");
  }

  @Test
  void create_urlWithUserInfo_isRefusedWithoutRepeatingIt() {
    List<String> problems = problems("\"url\": \"https://bot:pa55word@checks.example.com/\","
        + " \"secret\": {\"env\": \"RINGFENCE_WEBHOOK_A\"}");
    assertThat(problems).containsExactly("rings[0].gate.params.url: 'https://...@checks.example.com/' must name a"
        + " host and have no fragment or user info");
  }
}
