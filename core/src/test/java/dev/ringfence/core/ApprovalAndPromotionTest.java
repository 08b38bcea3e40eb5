package dev.ringfence.core;

import static dev.ringfence.core.testing.Fixtures.WINDOWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.internal.JournalCodec;
import dev.ringfence.core.plan.FreezeWindow;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.testing.ScriptedGate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The manual approval gate ({@code "approval": "required"}, gate type {@code approval}) and the operator's
 * {@code approve}, {@code promote} and {@code promote --skip-gate} (issue 17 item 3): what each journals, when each is
 * refused, and that a restart replays them to the same state.
 */
class ApprovalAndPromotionTest extends EngineFixture {

  /** canary (scripted gate with the given params) 1% cap 50, bake 30 min, min 10; then all (scripted). */
  private static Plan plan(GateSpec canaryGate) {
    return Plan.builder("approved")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10).gate(canaryGate)
            .build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ZERO).gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .build();
  }

  private static GateSpec scripted(Map<String, Object> params) {
    return new GateSpec(ScriptedGate.TYPE, params);
  }

  private Rollout started(GateSpec canaryGate) {
    Rollout r = engine.createRollout(Fixtures.spec("r", plan(canaryGate)));
    r.start();
    expose(r);
    return r;
  }

  private static void expose(Rollout r) {
    IntStream.range(0, 20_000).forEach(i -> r.decide("host-" + i, WINDOWS, 41));
  }

  private List<JournalEntry.Transitioned> transitions() {
    return store.read("r").stream().filter(e -> e instanceof JournalEntry.Transitioned)
        .map(e -> (JournalEntry.Transitioned) e).toList();
  }

  private JournalEntry.Transitioned lastTransition() {
    List<JournalEntry.Transitioned> all = transitions();
    return all.get(all.size() - 1);
  }

  private long count(Trigger trigger) {
    return transitions().stream().filter(t -> t.trigger() == trigger).count();
  }

  // ---------------------------------------------------------------- approval

  @Test
  void approvalRequired_gatePassedAfterBake_awaitsApproval_thenApproveOpensTheNextRing() {
    Rollout r = started(scripted(Map.of("approval", "required")));
    assertThat(r.status().approvalRequired()).isTrue();
    engine.tick();
    assertThat(r.status().awaitingApproval()).as("the gate passed, but not after the bake time").isFalse();

    clock.advance(Duration.ofMinutes(31));
    Instant passedAt = clock.instant();
    engine.tick();
    clock.advance(Duration.ofMinutes(10));
    engine.tick();

    RolloutStatus waiting = r.status();
    assertThat(waiting.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(waiting.ringIndex()).as("the next ring waits for a person").isZero();
    assertThat(waiting.awaitingApproval()).isTrue();
    assertThat(waiting.awaitingApprovalSince()).isEqualTo(passedAt);
    assertThat(count(Trigger.AWAIT_APPROVAL)).as("journaled once per ring, not once per tick").isEqualTo(1);
    assertThat(lastTransition().cause()).contains("ring 'canary' passed").contains("awaits an operator's approval")
        .contains("ring 'all'");

    r.by("alice").approve("dashboards look clean");
    JournalEntry.Transitioned approved = lastTransition();
    assertThat(approved.trigger()).isEqualTo(Trigger.APPROVE);
    assertThat(approved.from()).isEqualTo(RolloutState.RUNNING);
    assertThat(approved.ringIndex()).isZero();
    assertThat(approved.cause()).startsWith("approved by alice: dashboards look clean");
    assertThat(r.status().approvedAt()).isEqualTo(clock.instant());
    assertThat(r.status().awaitingApproval()).isFalse();

    engine.tick();
    assertThat(r.status().ringIndex()).isEqualTo(1);
    assertThat(lastTransition().trigger()).isEqualTo(Trigger.ADVANCE);
    assertThat(lastTransition().cause()).contains("approved by alice");
    assertThat(r.status().approvalRequired()).as("ring 'all' needs no approval").isFalse();
    assertThat(r.status().approvedAt()).as("an approval belongs to its ring").isNull();
  }

  @Test
  void approve_beforeTheGatePassed_isKept_andTheRingOpensWhenTheGatePasses() {
    Rollout r = started(scripted(Map.of("approval", "required")));
    r.by("alice").approve(null);
    assertThat(lastTransition().cause()).startsWith("approved by alice; ring 'canary' has not passed its gate yet");
    engine.tick();
    assertThat(r.status().ringIndex()).as("approval does not skip the bake time").isZero();
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
    assertThat(r.status().ringIndex()).isEqualTo(1);
    assertThat(count(Trigger.AWAIT_APPROVAL)).as("approved before it could wait").isZero();
  }

  @Test
  void awaitingApproval_gateFails_haltsAndRollsBackWithoutWaitingForAPerson() {
    Rollout r = started(scripted(Map.of("approval", "required")));
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
    assertThat(r.status().awaitingApproval()).isTrue();

    gate.answer(Outcome.FAIL);
    engine.tick();

    assertThat(r.state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(transitions().stream().map(JournalEntry.Transitioned::trigger))
        .containsSubsequence(Trigger.AWAIT_APPROVAL, Trigger.GATE_FAIL, Trigger.BEGIN_ROLLBACK);
    assertThat(r.decide("host-0", WINDOWS, 42).kind()).isIn(Kind.REVERT, Kind.STAY);
  }

  @Test
  void awaitingApproval_withOnFailPause_aFailPausesInstead() {
    Rollout r = started(scripted(Map.of("approval", "required", "onFail", "pause")));
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
    gate.answer(Outcome.FAIL);
    engine.tick();
    assertThat(r.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(lastTransition().trigger()).isEqualTo(Trigger.GATE_FAIL_PAUSE);
    assertThatThrownBy(() -> r.approve("now?")).isInstanceOf(IllegalStateTransitionException.class)
        .hasMessageContaining("PAUSED").hasMessageContaining("APPROVE");
  }

  @Test
  void approvalGateType_passesOnBakeTimeAndSample_andWaitsForAPerson() {
    Rollout r = started(GateSpec.approval());
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
    assertThat(r.status().awaitingApproval()).isTrue();
    assertThat(lastTransition().verdict().test()).isEqualTo(GateSpec.TIME_AND_SAMPLE);
    r.approve("ok");
    engine.tick();
    assertThat(r.status().ringIndex()).isEqualTo(1);
  }

  @Test
  void approvalParameter_illTyped_orOnTheApprovalGate_isRefusedWithItsPath() {
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("r", plan(scripted(Map.of("approval", true))))))
        .isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("rings[0].gate.params.approval: must be \"required\"").hasMessageContaining("found true");
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("r", plan(new GateSpec(GateSpec.APPROVAL,
        Map.of("approval", "none")))))).isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("rings[0].gate.params.approval: the approval gate always requires approval");
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("r", plan(new GateSpec(GateSpec.APPROVAL,
        Map.of("window", "1h")))))).isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("rings[0].gate.params: [window] are not parameters of approval");
    assertThat(store.read("r")).isEmpty();
  }

  @Test
  void approve_aRingThatNeedsNoApproval_isRefusedNamingStateAndRing_andChangesNothing() {
    Rollout r = started(scripted(Map.of()));
    List<JournalEntry> before = store.read("r");
    assertThatThrownBy(() -> r.approve("why not"))
        .isInstanceOfSatisfying(CommandRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(CommandRefusedException.Reason.NO_APPROVAL_REQUIRED))
        .hasMessageContaining("nothing to approve").hasMessageContaining("RUNNING")
        .hasMessageContaining("ring 'canary'");
    assertThat(store.read("r")).isEqualTo(before);
  }

  @Test
  void approve_beforeStartOrAfterTheEnd_isRefusedNamingTheState() {
    Rollout planned = engine.createRollout(Fixtures.spec("r", plan(scripted(Map.of("approval", "required")))));
    assertThatThrownBy(() -> planned.approve("early")).isInstanceOf(IllegalStateTransitionException.class)
        .hasMessageContaining("PLANNED").hasMessageContaining("APPROVE");
    planned.start();
    planned.halt("stop");
    assertThatThrownBy(() -> planned.approve("late")).isInstanceOf(IllegalStateTransitionException.class)
        .hasMessageContaining("ROLLING_BACK");
  }

  @Test
  void approve_sameRingTwice_recordsOneApproval() {
    Rollout r = started(scripted(Map.of("approval", "required")));
    r.by("alice").approve("first");
    Instant first = r.status().approvedAt();
    clock.advance(Duration.ofMinutes(1));
    r.by("bob").approve("second");
    assertThat(count(Trigger.APPROVE)).isEqualTo(1);
    assertThat(r.status().approvedAt()).isEqualTo(first);
    assertThat(r.status().approval()).startsWith("approved by alice: first");
  }

  // ---------------------------------------------------------------- promote

  @Test
  void promote_afterThePassBeforeTheBakeTimeIsOver_opensTheNextRingNow() {
    Rollout r = started(scripted(Map.of()));
    clock.advance(Duration.ofMinutes(5));
    engine.tick();
    assertThat(r.status().ringIndex()).isZero();

    r.by("carol").promote("hotfix for a customer outage");

    assertThat(r.status().ringIndex()).isEqualTo(1);
    assertThat(r.status().ringOpenedAt()).isEqualTo(clock.instant());
    JournalEntry.Transitioned promoted = lastTransition();
    assertThat(promoted.trigger()).isEqualTo(Trigger.PROMOTE);
    assertThat(promoted.ringIndex()).isEqualTo(1);
    assertThat(promoted.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(promoted.cause()).startsWith("promoted by carol: hotfix for a customer outage")
        .contains("after 300s of its 1800s bake time with 50 exposed").contains("opening ring 'all'");
  }

  @Test
  void promote_aRingAwaitingApproval_isTheApproval() {
    Rollout r = started(scripted(Map.of("approval", "required")));
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
    r.by("carol").promote(null);
    assertThat(r.status().ringIndex()).isEqualTo(1);
    assertThat(lastTransition().trigger()).isEqualTo(Trigger.PROMOTE);
    assertThat(lastTransition().cause()).startsWith("promoted by carol; ring 'canary' passed its gate");
  }

  @Test
  void promote_beforeTheGatePassed_isRefusedNamingTheVerdict_andChangesNothing() {
    Rollout r = started(scripted(Map.of()));
    assertThatThrownBy(() -> r.promote("eager")).isInstanceOfSatisfying(CommandRefusedException.class,
        e -> assertThat(e.reason()).isEqualTo(CommandRefusedException.Reason.GATE_NOT_PASSED))
        .hasMessageContaining("ring 'canary' has not passed its gate").hasMessageContaining("none yet");
    gate.answer(Outcome.INCONCLUSIVE);
    engine.tick();
    List<JournalEntry> before = store.read("r");
    assertThatThrownBy(() -> r.promote("eager")).isInstanceOf(CommandRefusedException.class)
        .hasMessageContaining("INCONCLUSIVE (scripted: scripted INCONCLUSIVE for ring 0 with 50 exposed")
        .hasMessageContaining("--skip-gate");
    assertThat(store.read("r")).isEqualTo(before);
    assertThat(r.status().ringIndex()).isZero();
  }

  @Test
  void promote_withTooSmallASample_isRefused() {
    Plan plan = Plan.builder("big-sample")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10)
            .gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ZERO).gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .build();
    Rollout r = engine.createRollout(Fixtures.spec("r", plan));
    r.start();
    IntStream.range(0, 200).forEach(i -> r.decide("host-" + i, WINDOWS, 41)); // a handful of the 1%
    engine.tick();
    assertThat(r.status().exposedPerRing().get(0)).isLessThan(10);
    assertThatThrownBy(() -> r.promote("eager")).isInstanceOfSatisfying(CommandRefusedException.class,
        e -> assertThat(e.reason()).isEqualTo(CommandRefusedException.Reason.SAMPLE_TOO_SMALL))
        .hasMessageContaining("minimum sample 10");
  }

  @Test
  void promote_theLastRing_isRefused_thereIsNoNextRing() {
    Rollout r = started(scripted(Map.of()));
    engine.tick();
    r.promote("to all");
    gate.answer(Outcome.INCONCLUSIVE); // else the last ring, with no bake time, completes at the next tick
    engine.tick();
    assertThatThrownBy(() -> r.promote("done?")).isInstanceOfSatisfying(CommandRefusedException.class,
        e -> assertThat(e.reason()).isEqualTo(CommandRefusedException.Reason.LAST_RING))
        .hasMessageContaining("ring 'all' is the last ring");
    assertThatThrownBy(() -> r.promoteSkippingGate("done?")).isInstanceOf(CommandRefusedException.class)
        .hasMessageContaining("ring 'all' is the last ring");
  }

  @Test
  void promote_andSkipGate_inAFreezeWindow_areRefused() {
    Instant from = clock.instant().plus(Duration.ofMinutes(10));
    Plan plan = Plan.builder("frozen")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10)
            .gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ZERO).gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .freezeWindow(new FreezeWindow(from, from.plus(Duration.ofHours(2)), "year-end change freeze"))
        .build();
    Rollout r = engine.createRollout(Fixtures.spec("r", plan));
    r.start();
    expose(r);
    clock.advance(Duration.ofMinutes(20));
    engine.tick();
    assertThatThrownBy(() -> r.promote("now")).isInstanceOf(FreezeWindowException.class)
        .hasMessageContaining("year-end change freeze");
    assertThatThrownBy(() -> r.promoteSkippingGate("now")).isInstanceOf(FreezeWindowException.class);
    assertThat(r.status().ringIndex()).isZero();
  }

  // ---------------------------------------------------------------- skip gate

  @Test
  void skipGate_opensTheNextRingAtOnce_andJournalsTheSkippedVerdictWithItsNumbers() {
    Rollout r = started(scripted(Map.of()));
    gate.answer(Outcome.INCONCLUSIVE);
    engine.tick();

    r.by("dave").promoteSkippingGate("the judge lacks reports from this region; the vendor confirmed the fix");

    assertThat(r.status().ringIndex()).isEqualTo(1);
    JournalEntry.Transitioned skipped = lastTransition();
    assertThat(skipped.trigger()).isEqualTo(Trigger.SKIP_GATE);
    assertThat(skipped.verdict().outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(skipped.verdict().evidence()).containsEntry("exposed", 50.0);
    assertThat(skipped.cause()).startsWith("gate skipped by dave: the judge lacks reports")
        .contains("open 0s of its 1800s bake time with 50 exposed of its minimum sample 10")
        .contains("skipped verdict INCONCLUSIVE").contains("opening ring 'all'");
  }

  @Test
  void skipGate_afterAFailPausedTheRollout_opensTheNextRingAndRuns() {
    Rollout r = started(scripted(Map.of("onFail", "pause")));
    gate.answer(Outcome.FAIL);
    engine.tick();
    assertThat(r.state()).isEqualTo(RolloutState.PAUSED);

    r.by("erin").promoteSkippingGate("known false alarm: the crash is in the test harness");

    assertThat(r.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(r.status().ringIndex()).isEqualTo(1);
    assertThat(lastTransition().from()).isEqualTo(RolloutState.PAUSED);
    assertThat(lastTransition().verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(lastTransition().cause()).contains("was PAUSED").contains("skipped verdict FAIL");
  }

  @Test
  void skipGate_withoutAReason_isRefusedNamingTheField() {
    Rollout r = started(scripted(Map.of()));
    assertThatThrownBy(() -> r.promoteSkippingGate("  ")).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.field()).isEqualTo("reason"));
    assertThatThrownBy(() -> r.promoteSkippingGate(null)).isInstanceOf(InvalidInputException.class);
    assertThat(r.status().ringIndex()).isZero();
  }

  @Test
  void promoteAndSkipGate_whenHaltedOrCompleted_areRefusedNamingTheState() {
    Rollout r = started(scripted(Map.of()));
    r.halt("bad");
    for (Runnable command : List.<Runnable>of(() -> r.promote("x"), () -> r.promoteSkippingGate("x"))) {
      assertThatThrownBy(command::run).isInstanceOf(IllegalStateTransitionException.class)
          .hasMessageContaining("ROLLING_BACK");
    }
  }

  /** The worked example in docs/plans.md reads, lints with its overrides, and resolves its approval gates. */
  @Test
  void plansMdWorkedExample_isAValidPlan_whoseFirstTwoRingsRequireApproval() throws Exception {
    java.nio.file.Path doc = java.nio.file.Files.exists(java.nio.file.Path.of("..", "docs", "plans.md"))
        ? java.nio.file.Path.of("..", "docs", "plans.md") : java.nio.file.Path.of("docs", "plans.md");
    String text = java.nio.file.Files.readString(doc);
    int name = text.indexOf("\"name\": \"judge-then-people\"");
    assertThat(name).as("the worked example in docs/plans.md").isPositive();
    String json = text.substring(text.lastIndexOf("```json", name) + 7, text.indexOf("```", name));
    Plan plan = dev.ringfence.core.plan.Plans.fromJson(json);
    RolloutEngine withHealth = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store).build());
    Rollout r = withHealth.createRollout(Fixtures.spec("r", plan));
    r.start();
    assertThat(r.status().approvalRequired()).isTrue();
    assertThat(plan.rings().get(1).gate()).isEqualTo(GateSpec.approval());
  }

  // ---------------------------------------------------------------- replay and creation

  @Test
  void restart_replaysApprovalPromotionAndSkipToTheSameState() {
    Plan plan = Plan.builder("three")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10)
            .gate(scripted(Map.of("approval", "required"))).build())
        .ring(Ring.named("early").share(1000).cap(500).bakeTime(Duration.ofMinutes(30))
            .gate(scripted(Map.of("approval", "required"))).build())
        .ring(Ring.named("late").share(3000).bakeTime(Duration.ofMinutes(30)).gate(scripted(Map.of())).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(scripted(Map.of())).build())
        .build();
    Rollout r = engine.createRollout(Fixtures.spec("r", plan), "admin-token");
    r.start();
    expose(r);
    clock.advance(Duration.ofMinutes(31));
    engine.tick(); // AWAIT_APPROVAL
    r.by("alice").approve("fine");
    engine.tick(); // ADVANCE to early
    expose(r);
    r.by("bob").approve("pre-approved"); // early approved before its gate passed
    gate.answer(Outcome.INCONCLUSIVE);
    engine.tick();
    r.by("carol").promoteSkippingGate("INCONCLUSIVE for too long; logs reviewed"); // to late
    gate.answer(Outcome.PASS);
    expose(r);
    engine.tick();
    r.by("dave").promote("ship it"); // to all

    RolloutEngine restarted = restarted();
    Rollout again = restarted.rollout("r");
    assertThat(again.status()).isEqualTo(r.status());
    assertThat(again.status().ringIndex()).isEqualTo(3);
    assertThat(transitions().stream().map(JournalEntry.Transitioned::trigger)).containsExactly(Trigger.START,
        Trigger.AWAIT_APPROVAL, Trigger.APPROVE, Trigger.ADVANCE, Trigger.APPROVE, Trigger.SKIP_GATE,
        Trigger.PROMOTE);
    assertThat(((JournalEntry.Created) store.read("r").get(0)).actor()).isEqualTo("admin-token");
  }

  @Test
  void restart_whileAwaitingApproval_keepsSinceWhen_andAnApprovalGivenAfterIt_opensTheRing() {
    Rollout r = started(scripted(Map.of("approval", "required")));
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
    Instant since = r.status().awaitingApprovalSince();

    RolloutEngine restarted = restarted();
    Rollout again = restarted.rollout("r");
    assertThat(again.status().awaitingApprovalSince()).isEqualTo(since);
    assertThat(again.status().awaitingApproval()).isTrue();
    again.by("alice").approve("after the restart");
    clock.advance(Duration.ofMinutes(5)); // past the restart guard: endpoints could report again
    restarted.tick();
    assertThat(again.status().ringIndex()).isEqualTo(1);
  }

  @Test
  void createRollout_withAnActor_journalsIt_andACreationWithoutOneEncodesAsBefore() {
    engine.createRollout(Fixtures.spec("r", plan(scripted(Map.of()))), "release-bot");
    JournalEntry.Created created = (JournalEntry.Created) store.read("r").get(0);
    assertThat(created.actor()).isEqualTo("release-bot");
    assertThat(JournalCodec.decode(JournalCodec.encode(created))).isEqualTo(created);

    JournalEntry.Created old = new JournalEntry.Created("r", created.at(), created.spec(), List.of());
    String json = new String(JournalCodec.encode(old), StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("actor");
    assertThat(JournalCodec.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(old);

    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("s", plan(scripted(Map.of()))), " "))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("actor"));
  }
}
