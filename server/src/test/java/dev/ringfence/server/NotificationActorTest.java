package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A notification names the operator who gave each command, read from the engine's own journal entries: every
 * command an operator can give (start, pause, resume, approve, promote, promote --skip-gate, halt), and the engine
 * for what it did by itself.
 */
class NotificationActorTest {

  @Test
  void everyOperatorCommand_namesItsActor_andTheEngineItsOwnTransitions() {
    ManualClock clock = ManualClock.at("2026-12-05T10:00:00Z");
    RolloutStore store = RolloutStores.inMemory();
    ScriptedGate gate = new ScriptedGate();
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(ScriptedGate.TYPE, spec -> gate).build());
    GateSpec approved = new GateSpec(ScriptedGate.TYPE, Map.of("approval", "required"));
    Plan plan = Plan.builder("actors")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10).gate(approved)
            .build())
        .ring(Ring.named("early").share(500).bakeTime(Duration.ofMinutes(30)).minSample(10)
            .gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .ring(Ring.named("broad").share(2000).bakeTime(Duration.ofMinutes(30)).minSample(10)
            .gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .build();
    Rollout rollout = engine.createRollout(RolloutSpec.builder("r").channel("c").baseline(1).candidate(2).plan(plan)
        .build());
    EndpointAttributes windows = EndpointAttributes.builder().os("windows").build();

    rollout.by("alice").start();
    IntStream.range(0, 20_000).forEach(i -> rollout.decide("host-" + i, windows, 1));
    rollout.by("bob").pause("looking at a dashboard");
    rollout.by("bob").resume("it was the dashboard");
    gate.answer(Verdict.Outcome.PASS);
    clock.advance(Duration.ofMinutes(31));
    engine.tick(); // the canary passes and awaits approval: the engine's own transition
    rollout.by("carol").approve("reviewed the canary");
    engine.tick(); // ADVANCE to early
    IntStream.range(0, 20_000).forEach(i -> rollout.decide("host-" + i, windows, 1));
    engine.tick(); // early's first verdict
    rollout.by("dave").promote("the numbers are fine");
    IntStream.range(0, 20_000).forEach(i -> rollout.decide("host-" + i, windows, 1));
    rollout.by("erin").promoteSkippingGate("incident 42: the fix must reach everyone");
    rollout.by("frank").halt("wrong content");

    Map<Trigger, String> actors = new LinkedHashMap<>();
    for (JournalEntry e : store.read("r")) {
      if (e instanceof JournalEntry.Transitioned t) {
        actors.putIfAbsent(t.trigger(), NotificationEvents.actor(t));
      }
    }
    assertThat(actors).containsEntry(Trigger.START, "alice").containsEntry(Trigger.PAUSE, "bob")
        .containsEntry(Trigger.RESUME, "bob").containsEntry(Trigger.AWAIT_APPROVAL, "engine")
        .containsEntry(Trigger.APPROVE, "carol").containsEntry(Trigger.ADVANCE, "engine")
        .containsEntry(Trigger.PROMOTE, "dave").containsEntry(Trigger.SKIP_GATE, "erin")
        .containsEntry(Trigger.HALT, "frank").containsEntry(Trigger.BEGIN_ROLLBACK, "engine");
    assertThat(List.copyOf(actors.keySet())).startsWith(Trigger.START, Trigger.PAUSE, Trigger.RESUME,
        Trigger.AWAIT_APPROVAL, Trigger.APPROVE, Trigger.ADVANCE, Trigger.PROMOTE, Trigger.SKIP_GATE, Trigger.HALT);
  }
}
