package dev.ringfence.core;

import static dev.ringfence.core.RolloutState.ABORTED;
import static dev.ringfence.core.RolloutState.COMPLETED;
import static dev.ringfence.core.RolloutState.HALTED;
import static dev.ringfence.core.RolloutState.PAUSED;
import static dev.ringfence.core.RolloutState.PLANNED;
import static dev.ringfence.core.RolloutState.ROLLED_BACK;
import static dev.ringfence.core.RolloutState.ROLLING_BACK;
import static dev.ringfence.core.RolloutState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.testing.Fixtures;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every state against every trigger: the table, and the engine's obedience to it. */
class RolloutStateTest {

  /** The expected table, written out independently of the implementation's. */
  private static final Map<RolloutState, Map<Trigger, RolloutState>> EXPECTED = new EnumMap<>(RolloutState.class);

  static {
    for (RolloutState s : RolloutState.values()) {
      EXPECTED.put(s, new EnumMap<>(Trigger.class));
    }
    EXPECTED.get(PLANNED).putAll(Map.of(Trigger.START, RUNNING, Trigger.ABORT, ABORTED, Trigger.HALT, HALTED));
    EXPECTED.get(RUNNING).putAll(Map.of(Trigger.ADVANCE, RUNNING, Trigger.COMPLETE, COMPLETED, Trigger.PAUSE, PAUSED,
        Trigger.GATE_ERROR, PAUSED, Trigger.INCONCLUSIVE_LIMIT, PAUSED, Trigger.HALT, HALTED, Trigger.ABORT, HALTED,
        Trigger.GATE_FAIL, HALTED));
    EXPECTED.get(RUNNING).put(Trigger.TELEMETRY_PAUSE, PAUSED);
    EXPECTED.get(RUNNING).put(Trigger.GATE_FAIL_PAUSE, PAUSED);
    EXPECTED.get(RUNNING).putAll(Map.of(Trigger.AWAIT_APPROVAL, RUNNING, Trigger.APPROVE, RUNNING, Trigger.PROMOTE,
        RUNNING, Trigger.SKIP_GATE, RUNNING));
    EXPECTED.get(PAUSED).put(Trigger.SKIP_GATE, RUNNING);
    EXPECTED.get(PAUSED).putAll(Map.of(Trigger.RESUME, RUNNING, Trigger.HALT, HALTED, Trigger.ABORT, HALTED,
        Trigger.GATE_FAIL, HALTED, Trigger.TELEMETRY_RESUME, RUNNING));
    EXPECTED.get(HALTED).put(Trigger.BEGIN_ROLLBACK, ROLLING_BACK);
    EXPECTED.get(ROLLING_BACK).put(Trigger.FINISH_ROLLBACK, ROLLED_BACK);
  }

  @Test
  void next_everyStateAndTrigger_matchesTheDocumentedTable() {
    int checked = 0;
    for (RolloutState state : RolloutState.values()) {
      for (Trigger trigger : Trigger.values()) {
        assertThat(state.next(trigger)).as("%s on %s", state, trigger)
            .isEqualTo(Optional.ofNullable(EXPECTED.get(state).get(trigger)));
        checked++;
      }
      assertThat(state.allowedTriggers()).isEqualTo(EXPECTED.get(state).keySet());
      assertThat(state.isTerminal()).isEqualTo(EXPECTED.get(state).isEmpty());
    }
    assertThat(checked).isEqualTo(RolloutState.values().length * Trigger.values().length);
  }

  @Test
  void haltedStates_neverLeadBackToOffering() {
    for (RolloutState state : List.of(HALTED, ROLLING_BACK, ROLLED_BACK)) {
      assertThat(state.isHalted()).isTrue();
      for (Trigger trigger : Trigger.values()) {
        state.next(trigger).ifPresent(next -> assertThat(next.isHalted()).as("%s -%s->", state, trigger).isTrue());
      }
    }
  }

  /**
   * Drives a real rollout into each state, then fires each manual command: allowed ones move the
   * state as the table says; refused ones throw and leave state and store untouched.
   */
  @ParameterizedTest
  @EnumSource(RolloutState.class)
  void manualCommands_inEveryState_followTheTableOrChangeNothing(RolloutState state) {
    Map<Trigger, Consumer<Rollout>> commands = Map.of(
        Trigger.START, Rollout::start,
        Trigger.PAUSE, r -> r.pause("p"),
        Trigger.RESUME, r -> r.resume("r"),
        Trigger.HALT, r -> r.halt("h"),
        Trigger.ABORT, r -> r.abort("a"));
    for (Map.Entry<Trigger, Consumer<Rollout>> command : commands.entrySet()) {
      Harness h = new Harness(state);
      assertThat(h.rollout.state()).isEqualTo(state);
      List<JournalEntry> before = h.store.read("r");
      Optional<RolloutState> expected = Optional.ofNullable(EXPECTED.get(state).get(command.getKey()));
      if (expected.isPresent()) {
        command.getValue().accept(h.rollout);
        RolloutState after = h.rollout.state();
        // HALTED moves on to ROLLING_BACK within the same command.
        RolloutState settled = expected.get() == HALTED ? ROLLING_BACK : expected.get();
        assertThat(after).as("%s on %s", state, command.getKey()).isEqualTo(settled);
      } else {
        assertThatThrownBy(() -> command.getValue().accept(h.rollout))
            .as("%s on %s", state, command.getKey())
            .isInstanceOf(IllegalStateTransitionException.class)
            .hasMessageContaining(state.name()).hasMessageContaining(command.getKey().name());
        assertThat(h.rollout.state()).isEqualTo(state);
        assertThat(h.store.read("r")).isEqualTo(before);
      }
    }
  }

  /**
   * The operator's approve, promote and skip-gate in every state: where the table refuses them they throw and change
   * nothing; where it allows them they follow it (skip-gate) or are refused for a reason of the ring (this plan's
   * rings need no approval, and its gate has not passed), again changing nothing.
   */
  @ParameterizedTest
  @EnumSource(RolloutState.class)
  void approveAndPromoteCommands_inEveryState_followTheTableOrChangeNothing(RolloutState state) {
    Map<Trigger, Consumer<Rollout>> commands = Map.of(
        Trigger.APPROVE, r -> r.approve("a"),
        Trigger.PROMOTE, r -> r.promote("p"),
        Trigger.SKIP_GATE, r -> r.promoteSkippingGate("s"));
    for (Map.Entry<Trigger, Consumer<Rollout>> command : commands.entrySet()) {
      Harness h = new Harness(state);
      List<JournalEntry> before = h.store.read("r");
      Optional<RolloutState> expected = Optional.ofNullable(EXPECTED.get(state).get(command.getKey()));
      if (expected.isPresent() && command.getKey() == Trigger.SKIP_GATE) {
        int ring = h.rollout.status().ringIndex();
        command.getValue().accept(h.rollout);
        assertThat(h.rollout.state()).as("%s on %s", state, command.getKey()).isEqualTo(expected.get());
        assertThat(h.rollout.status().ringIndex()).isEqualTo(ring + 1);
      } else {
        assertThatThrownBy(() -> command.getValue().accept(h.rollout))
            .as("%s on %s", state, command.getKey())
            .isInstanceOf(expected.isPresent() ? CommandRefusedException.class : IllegalStateTransitionException.class)
            .hasMessageContaining(expected.isPresent() ? "ring 'canary'" : state.name());
        assertThat(h.rollout.state()).isEqualTo(state);
        assertThat(h.store.read("r")).isEqualTo(before);
      }
    }
  }

  /** A rollout driven into a chosen state through the public API only. */
  private static final class Harness extends EngineFixture {
    final Rollout rollout = engine.createRollout(Fixtures.spec("r", Fixtures.fourRings()));

    Harness(RolloutState target) {
      switch (target) {
        case PLANNED:
          break;
        case RUNNING:
          rollout.start();
          break;
        case PAUSED:
          rollout.start();
          rollout.pause("p");
          break;
        case HALTED:
          // The only way to stay HALTED is a store that refuses the start of the rollback.
          rollout.start();
          store.refuse(e -> e instanceof JournalEntry.Transitioned
              && ((JournalEntry.Transitioned) e).trigger() == Trigger.BEGIN_ROLLBACK);
          rollout.halt("h");
          store.heal();
          break;
        case ROLLING_BACK:
          rollout.start();
          expose();
          rollout.halt("h");
          break;
        case ROLLED_BACK:
          rollout.start();
          rollout.halt("h");
          engine.tick();
          break;
        case COMPLETED:
          rollout.start();
          for (int i = 0; i < 4; i++) {
            expose();
            clock.advance(Duration.ofMinutes(31));
            engine.tick();
          }
          break;
        case ABORTED:
          rollout.abort("a");
          break;
        default:
          throw new AssertionError(target);
      }
      gate.answer(Outcome.INCONCLUSIVE);
    }

    private void expose() {
      IntStream.range(0, 5000).forEach(i -> rollout.decide("h" + i, Fixtures.WINDOWS, 41));
    }
  }
}
