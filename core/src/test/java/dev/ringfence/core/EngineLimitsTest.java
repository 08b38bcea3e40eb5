package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.Attribute;
import dev.ringfence.core.plan.Condition;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Operator;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.plan.Selector;
import dev.ringfence.core.store.FileRolloutStore;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs at the edges of what the API takes: each either works, or is refused at once naming its field, and none
 * is accepted, journaled and then breaks the tick or the next start.
 */
class EngineLimitsTest {

  @TempDir Path dir;
  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");

  @Test
  void aRolloutWhoseTickFails_doesNotKeepTheOthersFromBeingJudged() {
    // "Never pause on INCONCLUSIVE" as a limit of forever, and a rollback that waits forever: both are valid
    // settings, and neither may overflow into an exception that stops the tick of every rollout after it.
    ScriptedGate inconclusive = new ScriptedGate();
    inconclusive.answer(Verdict.Outcome.INCONCLUSIVE);
    ScriptedGate failing = new ScriptedGate();
    failing.answer(Verdict.Outcome.FAIL);
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock)
        .store(RolloutStores.inMemory()).inconclusiveLimit(ChronoUnit.FOREVER.getDuration())
        .gate("inconclusive", spec -> inconclusive).gate("failing", spec -> failing)
        .gate(ScriptedGate.TYPE, spec -> new ScriptedGate()).build());
    Rollout waiting = engine.createRollout(Fixtures.spec("a", Fixtures.twoRings("a", GateSpec.of("inconclusive"))
        .rollbackTimeout(ChronoUnit.FOREVER.getDuration()).build()));
    Rollout bad = engine.createRollout(Fixtures.spec("b", Fixtures.twoRings("b", GateSpec.of("failing")).build()));
    waiting.start();
    bad.start();
    clock.advance(Duration.ofDays(400));
    assertThatCode(engine::tick).doesNotThrowAnyException();
    assertThat(waiting.state()).as("INCONCLUSIVE for ever, never paused").isEqualTo(RolloutState.RUNNING);
    assertThat(bad.state()).isEqualTo(RolloutState.ROLLING_BACK);
    for (int i = 0; i < 2000 && waiting.status().exposedTotal() == 0; i++) {
      waiting.decide("ep-" + i, Fixtures.WINDOWS, 41);
    }
    waiting.halt("stop it");
    clock.advance(Duration.ofDays(400));
    assertThatCode(engine::tick).doesNotThrowAnyException();
    assertThat(waiting.state()).as("waits for its stragglers for ever").isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void anUnexpectedFailureInOneRolloutsTick_isLogged_andTheRolloutsAfterItAreStillJudged() {
    // A store that throws something no code expects (not a StoreException) for rollout 'a''s transitions.
    RolloutStore memory = RolloutStores.inMemory();
    RolloutStore store = new RolloutStore() {
      @Override
      public void append(dev.ringfence.core.store.JournalEntry entry) {
        if (entry.rolloutId().equals("a") && entry instanceof dev.ringfence.core.store.JournalEntry.Transitioned t
            && t.trigger() != Trigger.START) {
          throw new IllegalStateException("a bug in a store");
        }
        memory.append(entry);
      }

      @Override
      public List<String> rolloutIds() {
        return memory.rolloutIds();
      }

      @Override
      public List<dev.ringfence.core.store.JournalEntry> read(String rolloutId) {
        return memory.read(rolloutId);
      }

      @Override
      public java.util.Optional<dev.ringfence.core.store.SharedRolloutStore> shared() {
        return java.util.Optional.empty();
      }

      @Override
      public void close() {
        memory.close();
      }
    };
    ScriptedGate failing = new ScriptedGate();
    failing.answer(Verdict.Outcome.FAIL);
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(ScriptedGate.TYPE, spec -> failing).build());
    Rollout a = engine.createRollout(Fixtures.spec("a", Fixtures.fourRings()));
    Rollout b = engine.createRollout(Fixtures.spec("b", Fixtures.fourRings()));
    a.start();
    b.start();
    assertThatCode(engine::tick).doesNotThrowAnyException();
    assertThat(a.state()).as("its halt could not be written").isEqualTo(RolloutState.RUNNING);
    assertThat(b.state()).as("judged although 'a' came first").isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void aResumeAfterTheInconclusiveLimit_givesTheRingTheLimitAgainFromTheResume() {
    ScriptedGate gate = new ScriptedGate();
    gate.answer(Verdict.Outcome.INCONCLUSIVE);
    RolloutEngine engine = Fixtures.engine(clock, RolloutStores.inMemory(), gate);
    Rollout r = engine.createRollout(Fixtures.spec("r1", Fixtures.fourRings()));
    r.start();
    clock.advance(Duration.ofMinutes(30).plus(RolloutEngineConfig.DEFAULT_INCONCLUSIVE_LIMIT));
    engine.tick();
    assertThat(r.state()).isEqualTo(RolloutState.PAUSED);
    r.resume("paused rings admit nobody: give it another while");
    clock.advance(RolloutEngineConfig.DEFAULT_INCONCLUSIVE_LIMIT.minusSeconds(10));
    engine.tick();
    assertThat(r.state()).as(r.status().cause()).isEqualTo(RolloutState.RUNNING);
    clock.advance(Duration.ofSeconds(10));
    engine.tick();
    assertThat(r.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(r.status().cause()).contains("still INCONCLUSIVE " + RolloutEngineConfig.DEFAULT_INCONCLUSIVE_LIMIT
        .getSeconds() + "s after it was resumed");
  }

  @Test
  void aReasonTooLongForTheJournal_isRefusedNamingIt_andNothingChanges() {
    try (FileRolloutStore store = RolloutStores.file(dir)) {
      Rollout r = Fixtures.engine(clock, store, new ScriptedGate()).createRollout(Fixtures.spec("r1",
          Fixtures.fourRings()));
      r.start();
      assertThatThrownBy(() -> r.halt("x".repeat(17 << 20))).isInstanceOfSatisfying(InvalidInputException.class,
          e -> assertThat(e.field()).isEqualTo("reason")).hasMessageContaining("above 4096");
      assertThat(r.state()).isEqualTo(RolloutState.RUNNING);
      r.halt("x".repeat(4096));
    }
    try (FileRolloutStore store = RolloutStores.file(dir)) {
      assertThat(Fixtures.engine(clock, store, new ScriptedGate()).rollout("r1").state())
          .isEqualTo(RolloutState.ROLLING_BACK);
    }
  }

  @Test
  void anEndpointIdTooLongForTheJournal_isRefusedNamingIt() {
    Rollout r = Fixtures.engine(clock, RolloutStores.inMemory(), new ScriptedGate())
        .createRollout(Fixtures.spec("r1", Fixtures.fourRings()));
    r.start();
    assertThatThrownBy(() -> r.decide("e".repeat(1025), Fixtures.WINDOWS, 41))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("endpointId"))
        .hasMessageContaining("1025 characters, above 1024");
    assertThat(r.decide("e".repeat(1024), Fixtures.WINDOWS, 41)).isNotNull();
  }

  @Test
  void aPlanBuiltInCodeBeyondWhatTheJournalReadsBack_isRefusedAtCreate_andTheStoreStillOpens() {
    Set<String> tenants = new LinkedHashSet<>();
    for (int i = 0; i < 60_000; i++) {
      tenants.add("tenant:customer-" + i);
    }
    Plan plan = Plan.builder("big")
        .ring(Ring.named("canary").selector(new Selector(List.of(new Condition(Attribute.TAG, Operator.NOT_IN,
            tenants)))).share(100).cap(50).bakeTime(Duration.ofMinutes(30)).gate(GateSpec.of(ScriptedGate.TYPE))
            .build())
        .ring(Ring.named("all").share(1000).bakeTime(Duration.ZERO).gate(GateSpec.of(ScriptedGate.TYPE)).build())
        .build();
    try (FileRolloutStore store = RolloutStores.file(dir)) {
      RolloutEngine engine = Fixtures.engine(clock, store, new ScriptedGate());
      assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("r1", plan)))
          .isInstanceOf(InvalidPlanException.class).hasMessageContaining("plan: its JSON form is")
          .hasMessageContaining("above the 1048576 a plan may hold");
      engine.createRollout(Fixtures.spec("r2", Fixtures.fourRings())).start();
    }
    try (FileRolloutStore store = RolloutStores.file(dir)) {
      RolloutEngine engine = Fixtures.engine(clock, store, new ScriptedGate());
      assertThat(engine.rollouts()).extracting(Rollout::id).containsExactly("r2");
    }
  }

  @Test
  void aPercentThatIsNoPercentage_isRefused_neverRoundedIntoAShare() {
    for (double percent : new double[] {Double.NaN, -0.5, 100.01, 42_949_673.46, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Ring.named("r").percent(percent)).as("%s", percent)
          .isInstanceOf(InvalidPlanException.class).hasMessageContaining("ring 'r': share: ");
    }
    assertThat(Ring.named("r").percent(0.5).build().share()).isEqualTo(50);
    assertThat(Ring.named("r").percent(100).build().share()).isEqualTo(10_000);
  }

  @Test
  void aGateParameterThatIsNoJsonValue_isRefusedNamingItsPath() {
    Map<String, Object> params = new HashMap<>();
    params.put("margin", null);
    params.put("window", Duration.ofMinutes(5));
    params.put("nested", Map.of("ok", 1, "bad", Set.of("x")));
    params.put("list", List.of(1.5, Double.NaN));
    assertThatThrownBy(() -> new GateSpec("health", params)).isInstanceOfSatisfying(InvalidPlanException.class,
        e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "gate.params.margin: is null; leave the parameter out for its default",
            "gate.params.window: a Duration is not a JSON value; use text, a number, true or false, a list or a map",
            "gate.params.nested.bad: a " + Set.of("x").getClass().getSimpleName() + " is not a JSON value; use text,"
                + " a number, true or false, a list or a map",
            "gate.params.list[1]: NaN is not a finite number"));
    assertThat(new GateSpec("health", Map.of("margin", 1.25, "tiers", List.of("a", "b"), "on", true)).params())
        .containsEntry("margin", 1.25);
  }
}
