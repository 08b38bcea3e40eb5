package dev.ringfence.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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
import dev.ringfence.gates.test.OpenMetrics;
import dev.ringfence.gates.test.PrometheusServer;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ManualExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code prometheus} gate against a real Prometheus (Debian's package), loaded with data around a fixed
 * instant; the engine's manual clock stands at that instant, and the gate asks with {@code time=} from it. Queries
 * run on a manual executor, on the test's thread, when the test says so; the hanging-server test uses a real
 * thread instead, to show that the tick does not wait for it.
 */
class PrometheusGateTest {

  /** The instant the data are written around, and the engine's clock starts at. */
  static final Instant T0 = Instant.parse("2026-01-15T12:00:00Z");

  static final String ERROR_RATIO = "sum(rate(app_errors_total{version=\\\"{{candidate}}\\\"}[5m]))"
      + " / sum(rate(app_requests_total{version=\\\"{{candidate}}\\\"}[5m]))";

  private static PrometheusServer prometheus;

  private ManualClock clock;
  private RolloutStore store;
  private ManualExecutor executor;
  /** The engine most tests use: its measurements run on {@link #executor}. */
  private RolloutEngine engine;

  @BeforeAll
  static void startPrometheus() {
    OpenMetrics data = new OpenMetrics(T0, Duration.ofHours(1))
        .counter("app_requests", "version=\"41\"", 100).counter("app_errors", "version=\"41\"", 0.5)
        .counter("app_requests", "version=\"42\"", 100).counter("app_errors", "version=\"42\"", 3) // 3%
        .counter("app_requests", "version=\"43\"", 100).counter("app_errors", "version=\"43\"", 1.5) // 1.5%
        .counter("app_requests", "version=\"44\"", 100).counter("app_errors", "version=\"44\"", 0.2) // 0.2%
        .counter("app_requests", "version=\"45\"", 0).counter("app_errors", "version=\"45\"", 0) // 0/0
        .counter("app_requests", "version=\"46\"", 100)
        .counter("app_errors", "version=\"46\"", 0.2, T0, 5) // 0.2%, then 5% from T0
        .gauge("app_info", "rollout=\"r-1.x\",ring=\"canary ring\",channel=\"ch \\\"291\\\" & co/\u00e9 \\\\ 100%\","
            + "baseline=\"41\",candidate=\"47\"", 7)
        .gauge("app_up", "instance=\"a\"", 1).gauge("app_up", "instance=\"b\"", 1);
    prometheus = PrometheusServer.start(data.text());
  }

  @AfterAll
  static void stopPrometheus() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @BeforeEach
  void setUp() {
    clock = new ManualClock(T0);
    store = RolloutStores.inMemory();
    executor = new ManualExecutor();
    engine = engine(executor);
  }

  private RolloutEngine engine(Executor queries) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(PrometheusGateFactory.TYPE, PrometheusGateFactory.custom().executor(queries).build()).build());
  }

  /** A two-ring plan read from JSON, the first ring gated by Prometheus with these parameters. */
  static Plan plan(String ringName, String params) {
    return Plans.fromJson("{\"schemaVersion\": 1, \"name\": \"prometheus-gated\", \"rings\": ["
        + "{\"name\": \"" + ringName + "\", \"share\": 100, \"cap\": 50, \"bakeTime\": \"10m\","
        + " \"gate\": {\"type\": \"prometheus\", \"params\": {" + params + "}}},"
        + "{\"name\": \"all\", \"share\": 1000, \"bakeTime\": \"0s\", \"gate\": {\"type\": \"time-and-sample\"}}]}");
  }

  private String url() {
    return "\"url\": \"" + prometheus.url() + "\"";
  }

  /** Prometheus's URL, the error ratio of the candidate as the query, FAIL above 2%, then {@code more}. */
  private String errorRatio(String more) {
    return url() + ", \"query\": \"" + ERROR_RATIO + "\", \"failIf\": \"> 0.02\"" + (more.isEmpty() ? "" : ", " + more);
  }

  private Rollout started(RolloutEngine engine, String id, String channel, long candidate, Plan plan) {
    Rollout rollout = engine.createRollout(RolloutSpec.builder(id).channel(channel).baseline(41).candidate(candidate)
        .plan(plan).build());
    rollout.start();
    return rollout;
  }

  private Rollout started(RolloutEngine engine, long candidate, String params) {
    return started(engine, "r1", "channel-291", candidate, plan("canary", params));
  }

  /** Runs the queries started so far (Prometheus answers them), then ticks a minute later. */
  private void answerAndTick() {
    executor.runAll();
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
  }
  /** Starts the rollout, then ticks: the first measurement starts, is answered, and the next tick judges it. */
  private Rollout startedAndAnswered(long candidate, String params) {
    Rollout rollout = started(engine, candidate, params);
    engine.tick();
    answerAndTick();
    return rollout;
  }


  private List<JournalEntry.Transitioned> transitions(String rolloutId) {
    return store.read(rolloutId).stream().filter(JournalEntry.Transitioned.class::isInstance)
        .map(JournalEntry.Transitioned.class::cast).toList();
  }

  private static double value(Verdict verdict) {
    return verdict.evidence().get("value");
  }

  @Test
  void errorRatioAboveFailIf_failsAndHalts_withTheQueryAndTheValueInTheJournal() {
    Rollout rollout = started(engine, 42, errorRatio("\"passIf\": \"< 0.01\", \"minSamples\": 3"));
    engine.tick();
    assertThat(rollout.status().currentVerdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);

    answerAndTick();

    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    JournalEntry.Transitioned halt = transitions("r1").stream().filter(t -> t.trigger() == Trigger.GATE_FAIL)
        .findFirst().orElseThrow();
    Verdict verdict = halt.verdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.test()).isEqualTo("prometheus");
    assertThat(value(verdict)).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(verdict.reason())
        .contains("query sum(rate(app_errors_total{version=\"42\"}[5m])) / sum(rate(app_requests_total{version=\"42\"}[5m]))"
            + " at 2026-01-15T12:00:00Z returned 0.03")
        .contains("which is > 0.02 (failIf): FAIL");
    assertThat(verdict.evidence()).containsEntry("queryTimeMillis", (double) T0.toEpochMilli())
        .containsEntry("failIfBound", 0.02);
  }

  @Test
  void errorRatioBelowPassIf_passesAfterMinSamplesInARow_thenOpensTheNextRingAfterTheBakeTime() {
    Rollout rollout = startedAndAnswered(44, errorRatio("\"passIf\": \"< 0.01\", \"minSamples\": 3"));
    answerAndTick();
    Verdict second = rollout.status().currentVerdict();
    assertThat(second.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(second.reason()).contains("returned 0.002").contains("2 of 3 passes in a row (minSamples)");

    GateScenarios.passesThenOpensTheNextRingAfterTheBakeTime(clock, rollout, this::answerAndTick);
    JournalEntry.Transitioned advance = transitions("r1").get(transitions("r1").size() - 1);
    assertThat(advance.trigger()).isEqualTo(Trigger.ADVANCE);
    assertThat(advance.verdict().reason()).contains("version=\"44\"").contains("returned 0.002")
        .contains("which is < 0.01 (passIf) and not > 0.02 (failIf): PASS");
    assertThat(value(advance.verdict())).isCloseTo(0.002, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void errorRatioBetweenTheThresholds_isInconclusive() {
    Rollout rollout = startedAndAnswered(43, errorRatio("\"passIf\": \"< 0.01\""));
    clock.advance(Duration.ofMinutes(15));
    answerAndTick();

    Verdict verdict = rollout.status().currentVerdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(verdict.reason()).contains("returned 0.015").contains("which is not < 0.01 (passIf) nor > 0.02 (failIf)");
    assertThat(rollout.status().ringIndex()).isZero();
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);
  }

  @Test
  void noSeries_isInconclusiveNeverPass_evenWithFailIfAlone() {
    Rollout rollout = started(engine, 99, errorRatio(""));
    engine.tick();
    for (int i = 0; i < 12; i++) {
      answerAndTick();
    }

    Verdict verdict = rollout.status().currentVerdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(verdict.reason()).contains("version=\"99\"")
        .contains("returned no data: the query returned an empty vector (no series); no data is never a pass");
    assertThat(verdict.evidence()).doesNotContainKey("value");
    assertThat(rollout.status().ringIndex()).isZero(); // 12 minutes open, past the bake time: no data opens nothing
  }

  @Test
  void zeroOverZero_isNoData_andInconclusive() {
    Rollout rollout = startedAndAnswered(45, errorRatio(""));

    Verdict verdict = rollout.status().currentVerdict();
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(verdict.reason()).contains("is NaN").contains("no data is never a pass");
  }

  @Test
  void query_isAskedAtTheEngineClock_notAtTheWallClock() {
    String params = errorRatio("\"passIf\": \"< 0.01\"");
    clock.set(T0.minus(Duration.ofMinutes(20))); // 0.2% errors then
    Rollout before = started(engine, "before", "channel-291", 46, plan("canary", params));
    engine.tick();
    answerAndTick();
    assertThat(before.status().currentVerdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(before.status().currentVerdict().reason()).contains("at 2026-01-15T11:40:00Z returned 0.002");

    clock.set(T0.plus(Duration.ofMinutes(20))); // 5% errors from T0 on
    store = RolloutStores.inMemory();
    engine = engine(executor);
    Rollout after = started(engine, "after", "channel-291", 46, plan("canary", params));
    engine.tick();
    answerAndTick();

    assertThat(after.state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(after.status().lastVerdict().reason()).contains("at 2026-01-15T12:20:00Z returned 0.05");
  }

  @Test
  void placeholders_areEscapedForPromQlAndTheQueryUrlEncoded() {
    String query = "app_info{rollout=\\\"{{rollout}}\\\", ring=\\\"{{ring}}\\\", channel=\\\"{{channel}}\\\","
        + " baseline=\\\"{{baseline}}\\\", candidate=\\\"{{candidate}}\\\"}";
    String channel = "ch \"291\" & co/\u00e9 \\ 100%";
    Rollout rollout = started(engine, "r-1.x", channel, 47,
        plan("canary ring", url() + ", \"query\": \"" + query + "\", \"failIf\": \"> 5\""));
    engine.tick();
    answerAndTick();

    // Only a query with every value in place matches the one series, whose value is 7.
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    Verdict verdict = rollout.status().lastVerdict();
    assertThat(value(verdict)).isEqualTo(7.0);
    assertThat(verdict.reason()).contains("app_info{rollout=\"r-1.x\", ring=\"canary ring\","
        + " channel=\"ch \\\"291\\\" & co/\u00e9 \\\\ 100%\", baseline=\"41\", candidate=\"47\"}");
  }

  @Test
  void queryPrometheusRefuses_countsAgainstTheErrorLimit_thenErrorPausesTheRollout() {
    Rollout rollout = startedAndAnswered(42, url() + ", \"query\": \"sum(rate(app_errors_total[5m]\","
        + " \"failIf\": \"> 0.02\", \"consecutiveErrorLimit\": 1");
    Verdict first = rollout.status().currentVerdict();
    assertThat(first.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(first.reason()).contains("measurement failed (1 of 1 in a row tolerated by consecutiveErrorLimit)")
        .contains("Prometheus refused the query sum(rate(app_errors_total[5m] (HTTP 400, bad_data)")
        .contains("parse error");
    assertThat(rollout.state()).isEqualTo(RolloutState.RUNNING);

    answerAndTick();

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    JournalEntry.Transitioned paused = transitions("r1").get(transitions("r1").size() - 1);
    assertThat(paused.trigger()).isEqualTo(Trigger.GATE_ERROR);
    assertThat(paused.verdict().outcome()).isEqualTo(Outcome.ERROR);
    assertThat(paused.verdict().reason()).contains("2 failed measurements in a row, over the consecutiveErrorLimit of 1")
        .contains("bad_data");
  }

  @Test
  void unreachablePrometheus_isAnError_andPausesPastTheLimit() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = socket.getLocalPort();
    }
    Rollout rollout = startedAndAnswered(42, "\"url\": \"http://127.0.0.1:" + closed + "\", \"query\": \""
        + ERROR_RATIO + "\", \"failIf\": \"> 0.02\", \"consecutiveErrorLimit\": 0");

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(rollout.status().lastVerdict().reason())
        .contains("1 failed measurements in a row, over the consecutiveErrorLimit of 0")
        .contains("cannot query http://127.0.0.1:" + closed + "/api/v1/query: java.net.ConnectException");
  }

  @Test
  void severalSeries_isAnError_notAGuess() {
    Rollout rollout = startedAndAnswered(42, url() + ", \"query\": \"app_up\", \"passIf\": \"== 1\","
        + " \"consecutiveErrorLimit\": 0");

    assertThat(rollout.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(rollout.status().lastVerdict().reason()).contains("the query returned 2 series")
        .contains("aggregate them");
  }

  @Test
  void hangingServer_neverBlocksTheTickOrAHalt_andTimesOutOnTheEngineClock() throws Exception {
    ExecutorService threads = Executors.newSingleThreadExecutor();
    // Accepts connections into its backlog and never answers: the request waits for a response forever.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      RolloutEngine onThreads = engine(threads);
      Rollout rollout = started(onThreads, 42, "\"url\": \"http://127.0.0.1:" + silent.getLocalPort() + "\","
          + " \"query\": \"" + ERROR_RATIO + "\", \"failIf\": \"> 0.02\", \"timeout\": \"1m\","
          + " \"consecutiveErrorLimit\": 1");

      GateScenarios.hangsThenHalted(clock, onThreads, rollout, "Prometheus is down and the canary looks bad");
      assertThat(rollout.status().lastVerdict().outcome()).isEqualTo(Outcome.ERROR);
      assertThat(rollout.status().lastVerdict().reason())
          .contains("2 failed measurements in a row, over the consecutiveErrorLimit of 1");
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void restart_afterAFail_replaysTheJournaledVerdict_withoutAskingPrometheus() {
    startedAndAnswered(42, errorRatio(""));

    Rollout recovered = GateScenarios.restartedAfterFail(clock, this::engine);
    assertThat(recovered.status().lastVerdict().reason()).contains("version=\"42\"").contains("returned 0.03");
  }
}
