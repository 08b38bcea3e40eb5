package dev.ringfence.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.gates.test.GateScenarios;
import dev.ringfence.gates.test.WebhookReceiver;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ManualExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code webhook} gate against a real HTTP receiver on 127.0.0.1 (OkHttp's MockWebServer) that checks every
 * request's HMAC signature as docs/gates.md tells receivers to, and answers 401 to a bad one. The engine's clock
 * is manual; requests run on a manual executor, on the test's thread, when the test says so; the hanging-receiver
 * test uses a real thread instead, to show that the tick does not wait for it.
 */
class WebhookGateTest {

  static final Instant T0 = Instant.parse("2026-01-15T12:00:00Z");
  static final String SECRET = "test-secret-0123456789abcdef0123456789abcdef";
  static final String ENV = "RINGFENCE_WEBHOOK_TEST";

  private ManualClock clock;
  private RolloutStore store;
  private ManualExecutor executor;
  /** The engine most tests use: its measurements run on {@link #executor}. */
  private RolloutEngine engine;
  private WebhookReceiver receiver;

  @TempDir Path secrets;

  @BeforeEach
  void setUp() {
    clock = new ManualClock(T0);
    store = RolloutStores.inMemory();
    executor = new ManualExecutor();
    receiver = WebhookReceiver.start(SECRET);
    engine = engine(executor);
  }

  @AfterEach
  void tearDown() {
    receiver.close();
  }

  private RolloutEngine engine(Executor requests) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(WebhookGateFactory.TYPE, WebhookGateFactory.custom().executor(requests)
            .environment(Map.of(ENV, SECRET)).secretsDirectory(secrets).build())
        .build());
  }

  /** A two-ring plan read from JSON, the first ring gated by the webhook with these parameters. */
  static Plan plan(String params) {
    return Plans.fromJson("{\"schemaVersion\": 1, \"name\": \"webhook-gated\", \"rings\": ["
        + "{\"name\": \"canary\", \"share\": 100, \"cap\": 50, \"bakeTime\": \"10m\","
        + " \"gate\": {\"type\": \"webhook\", \"params\": {" + params + "}}},"
        + "{\"name\": \"all\", \"share\": 1000, \"bakeTime\": \"0s\", \"gate\": {\"type\": \"time-and-sample\"}}]}");
  }

  /** The receiver's URL and the secret from the environment, then {@code more}. */
  private String params(String more) {
    return "\"url\": \"" + receiver.url() + "\", \"secret\": {\"env\": \"" + ENV + "\"}, \"retryWait\": \"0s\""
        + (more.isEmpty() ? "" : ", " + more);
  }

  private Rollout started(RolloutEngine engine, String params) {
    Rollout rollout = engine.createRollout(RolloutSpec.builder("r1").channel("content").baseline(290).candidate(291)
        .plan(plan(params)).build());
    rollout.start();
    return rollout;
  }

  /** Runs the requests started so far (the receiver answers them), then ticks a minute later. */
  private void answerAndTick() {
    executor.runAll();
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
  }
  /** Starts the rollout, then ticks: the first measurement starts, is answered, and the next tick judges it. */
  private Rollout startedAndAnswered(String params) {
    Rollout rollout = started(engine, params);
    engine.tick();
    answerAndTick();
    return rollout;
  }


  private List<JournalEntry.Transitioned> transitions() {
    return store.read("r1").stream().filter(JournalEntry.Transitioned.class::isInstance)
        .map(JournalEntry.Transitioned.class::cast).toList();
  }

  private JournalEntry.Transitioned last(Trigger trigger) {
    return transitions().stream().filter(t -> t.trigger() == trigger).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void pass_sendsTheRingsContextSigned_passesAfterMinSamples_andOpensTheNextRingAfterTheBakeTime() {
    receiver.thenVerdict("PASS", "error budget intact: 0.1% of 2%");
    Rollout rollout = started(engine, params("\"minSamples\": 2, \"metadata\": {\"check\": \"error-budget\"}"));
    long offered = 0;
    for (int i = 0; i < 400; i++) {
      if (rollout.decide("host-" + i, EndpointAttributes.UNKNOWN, 290).kind() == Decision.Kind.OFFER) {
        offered++;
      }
    }
    assertThat(offered).isPositive();
    engine.tick();
    assertThat(rollout.status().currentVerdict().reason()).contains("waiting for the first answer");

    answerAndTick();
    Verdict first = rollout.status().currentVerdict();
    assertThat(first.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(first.reason()).contains("answered PASS").contains("1 of 2 passes in a row (minSamples)");

    WebhookReceiver.Request request = receiver.requests().get(0);
    assertThat(request.signedRight()).isTrue();
    assertThat(request.timestamp()).isEqualTo(Long.toString(T0.getEpochSecond()));
    assertThat(request.delivery()).isEqualTo("r1/0/" + T0.toEpochMilli());
    JsonNode body = request.json();
    assertThat(body.get("schema").asText()).isEqualTo("ringfence.webhook-gate.v1");
    assertThat(body.get("id").asText()).isEqualTo(request.delivery());
    assertThat(body.get("rollout").asText()).isEqualTo("r1");
    assertThat(body.get("channel").asText()).isEqualTo("content");
    assertThat(body.get("ring").get("index").asInt()).isZero();
    assertThat(body.get("ring").get("name").asText()).isEqualTo("canary");
    assertThat(body.get("baseline").asLong()).isEqualTo(290);
    assertThat(body.get("candidate").asLong()).isEqualTo(291);
    assertThat(body.get("now").asText()).isEqualTo("2026-01-15T12:00:00Z");
    assertThat(body.get("exposed").get("ring").asLong()).isEqualTo(offered);
    assertThat(body.get("exposed").get("total").asLong()).isEqualTo(offered);
    assertThat(body.get("metadata").get("check").asText()).isEqualTo("error-budget");

    GateScenarios.passesThenOpensTheNextRingAfterTheBakeTime(clock, rollout, this::answerAndTick);

    Verdict advance = last(Trigger.ADVANCE).verdict();
    assertThat(advance.test()).isEqualTo("webhook");
    assertThat(advance.reason()).contains("webhook " + receiver.url() + " at 2026-01-15T12:02:00Z answered PASS"
        + " (HTTP 200, attempt 1 of 3): error budget intact: 0.1% of 2%")
        .contains("answer {\"verdict\":\"PASS\",\"reason\":\"error budget intact: 0.1% of 2%\"}");
    assertThat(advance.evidence()).containsEntry("httpStatus", 200.0).containsEntry("exposedInRing", (double) offered);
    assertThat(receiver.requests()).hasSize(3).allMatch(WebhookReceiver.Request::signedRight);
  }

  private long offers(Rollout rollout, int from, int to) {
    long offered = 0;
    for (int i = from; i < to; i++) {
      if (rollout.decide("host-" + i, EndpointAttributes.UNKNOWN, 290).kind() == Decision.Kind.OFFER) {
        offered++;
      }
    }
    return offered;
  }

  @Test
  void exposure_isTheStartingTicks_evenWhenTheRequestRunsAfterLaterTicks() {
    receiver.thenVerdict("INCONCLUSIVE", "waiting");
    Rollout rollout = started(engine, params(""));
    long before = offers(rollout, 0, 1500);
    engine.tick(); // starts the measurement; the executor has not run it yet
    long after = offers(rollout, 1500, 3000);
    clock.advance(Duration.ofSeconds(10));
    engine.tick(); // the measurement is still in flight: nothing new starts
    executor.runAll();

    assertThat(before).isPositive();
    assertThat(after).isPositive();
    assertThat(executor.started()).isEqualTo(1);
    JsonNode exposed = receiver.requests().get(0).json().get("exposed");
    assertThat(exposed.get("ring").asLong()).isEqualTo(before);
    assertThat(exposed.get("total").asLong()).isEqualTo(before);
  }

  @Test
  void fail_haltsAndRollsBack_withTheReasonAndTheAnswerInTheJournal() {
    receiver.then(200, "{\"verdict\": \"FAIL\", \"reason\": \"crash rate 4.1% > 1%\", \"dashboard\": \"d/42\"}");
    Rollout rollout = startedAndAnswered(params(""));

    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    Verdict verdict = last(Trigger.GATE_FAIL).verdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.reason()).contains("answered FAIL (HTTP 200, attempt 1 of 3): crash rate 4.1% > 1%")
        .contains("answer {\"verdict\":\"FAIL\",\"reason\":\"crash rate 4.1% > 1%\",\"dashboard\":\"d/42\"}");
    assertThat(verdict.evidence()).containsEntry("queryTimeMillis", (double) T0.toEpochMilli());
    assertThat(receiver.badlySigned()).isZero();
  }

  @Test
  void inconclusive_neverOpensTheNextRing_evenPastTheBakeTime() {
    receiver.thenVerdict("INCONCLUSIVE", "not enough traffic yet");
    Rollout rollout = started(engine, params(""));
    engine.tick();
    for (int i = 0; i < 12; i++) {
      answerAndTick();
    }

    assertThat(rollout.status().ringIndex()).isZero();
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
    Verdict verdict = rollout.status().currentVerdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(verdict.reason()).contains("answered INCONCLUSIVE").contains("not enough traffic yet")
        .contains("INCONCLUSIVE is never a pass");
    assertThat(receiver.requests()).hasSize(12).allMatch(WebhookReceiver.Request::signedRight);
  }

  @Test
  void serverError_thenSuccess_withinTheRetries_decidesOnTheSecondAttempt_withTheSameSignedBody() {
    receiver.then(503, "{\"error\": \"warming up\"}").thenVerdict("FAIL", "p99 latency 2.4 s");
    Rollout rollout = startedAndAnswered(params("\"retries\": 2"));

    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    Verdict verdict = last(Trigger.GATE_FAIL).verdict();
    assertThat(verdict.reason()).contains("answered FAIL (HTTP 200, attempt 2 of 3): p99 latency 2.4 s");
    assertThat(verdict.evidence()).containsEntry("attempt", 2.0).containsEntry("consecutiveErrors", 0.0);
    List<WebhookReceiver.Request> requests = receiver.requests();
    assertThat(requests).hasSize(2).allMatch(WebhookReceiver.Request::signedRight);
    assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
    assertThat(requests.get(1).signature()).isEqualTo(requests.get(0).signature());
  }

  @Test
  void serverErrorOnEveryAttempt_isOneFailedMeasurement_andErrorPastTheLimitPausesTheRollout() {
    receiver.then(500, "{\"error\": \"database down\"}");
    Rollout rollout = startedAndAnswered(params("\"retries\": 1, \"consecutiveErrorLimit\": 1"));

    Verdict first = rollout.status().currentVerdict();
    assertThat(first.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(first.reason()).contains("measurement failed (1 of 1 in a row tolerated by consecutiveErrorLimit)")
        .contains("HTTP 500 from " + receiver.url() + " (attempt 2 of 2)").contains("database down");
    assertThat(receiver.requests()).hasSize(2);
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);

    answerAndTick();

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    Verdict paused = last(Trigger.GATE_ERROR).verdict();
    assertThat(paused.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(paused.reason()).contains("2 failed measurements in a row, over the consecutiveErrorLimit of 1")
        .contains("HTTP 500");
    assertThat(receiver.requests()).hasSize(4).allMatch(WebhookReceiver.Request::signedRight);
  }

  @Test
  void unknownVerdict_isAnError_notAGuess_andPausesPastTheLimit() {
    receiver.then(200, "{\"verdict\": \"pass\", \"reason\": \"lower case\"}");
    Rollout rollout = startedAndAnswered(params("\"consecutiveErrorLimit\": 0"));

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(last(Trigger.GATE_ERROR).verdict().reason()).contains("has the unknown verdict \"pass\"; a receiver"
        + " says PASS, FAIL or INCONCLUSIVE");
    assertThat(receiver.requests()).hasSize(1); // an answer that is not a verdict is not retried
  }

  @Test
  void receiverWithAnotherSecret_refusesTheSignature_andThe401IsNotRetried() {
    receiver.secret("the-receiver-expects-another-secret-0123456789");
    receiver.thenVerdict("PASS", "never reached");
    Rollout rollout = startedAndAnswered(params("\"consecutiveErrorLimit\": 0"));

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(last(Trigger.GATE_ERROR).verdict().reason())
        .contains("HTTP 401 from " + receiver.url() + " (attempt 1 of 3), not retried").contains("bad signature");
    assertThat(receiver.requests()).hasSize(1);
    assertThat(receiver.badlySigned()).isEqualTo(1);
  }

  @Test
  void secretFile_isReadAtEachMeasurement_soARotatedSecretSignsTheNextRequest() throws IOException {
    Path file = secrets.resolve("checks");
    Files.writeString(file, SECRET + "\n", StandardCharsets.UTF_8); // one final line end is not part of it
    receiver.thenVerdict("INCONCLUSIVE", "waiting");
    Rollout rollout = startedAndAnswered("\"url\": \"" + receiver.url() + "\", \"secret\": {\"file\": \"checks\"}");

    String rotated = "rotated-secret-0123456789abcdef0123456789abcdef";
    Files.writeString(file, rotated, StandardCharsets.UTF_8);
    receiver.secret(rotated);
    answerAndTick();

    assertThat(receiver.requests()).hasSize(2).allMatch(WebhookReceiver.Request::signedRight);
    assertThat(rollout.status().currentVerdict().reason()).contains("answered INCONCLUSIVE");
  }

  @Test
  void missingSecret_isAFailedMeasurement_thatNamesTheVariable_andNothingIsSent() {
    engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(WebhookGateFactory.TYPE, WebhookGateFactory.custom().executor(executor).environment(Map.of()).build())
        .build());
    Rollout rollout = startedAndAnswered(params("\"consecutiveErrorLimit\": 0"));

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(last(Trigger.GATE_ERROR).verdict().reason())
        .contains("secret: environment variable RINGFENCE_WEBHOOK_TEST is not set");
    assertThat(receiver.requests()).isEmpty();
  }

  @Test
  void hangingReceiver_neverBlocksTheTickOrAHalt_andTimesOutOnTheEngineClock() {
    receiver.hang();
    ExecutorService threads = Executors.newSingleThreadExecutor();
    try {
      RolloutEngine onThreads = engine(threads);
      Rollout rollout = started(onThreads, params("\"timeout\": \"1m\", \"requestTimeout\": \"1m\","
          + " \"consecutiveErrorLimit\": 1"));

      GateScenarios.hangsThenHalted(clock, onThreads, rollout, "the checks service hangs and the canary looks bad");
      assertThat(last(Trigger.GATE_ERROR).verdict().reason())
          .contains("2 failed measurements in a row, over the consecutiveErrorLimit of 1");
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void restart_afterAFail_replaysTheJournaledVerdict_withoutCallingTheReceiverAgain() {
    receiver.thenVerdict("FAIL", "synthetic checkout failed");
    startedAndAnswered(params(""));
    assertThat(receiver.requests()).hasSize(1);

    Rollout recovered = GateScenarios.restartedAfterFail(clock, this::engine);
    assertThat(recovered.status().lastVerdict().reason()).contains("answered FAIL")
        .contains("synthetic checkout failed");
    assertThat(receiver.requests()).hasSize(1);
  }
}
