package dev.ringfence.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite of the {@link RolloutStore} SPI: every method's contract, including the
 * concurrency promises. Every implementation (Ringfence's in-memory store, file journal and PostgreSQL
 * store, and yours) extends it, returns a fresh empty store from {@link #newStore()}, and must pass it
 * unchanged:
 *
 * <pre>{@code
 * class MyStoreTest extends RolloutStoreConformanceKit {
 *   protected RolloutStore newStore() { return new MyStore(...); }
 * }
 * }</pre>
 */
public abstract class RolloutStoreConformanceKit {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  /** Two rings, the first capped: enough to exercise admissions per ring. */
  private static final Plan PLAN = Plan.builder("conformance")
      .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).minSample(10)
          .gate(GateSpec.of(ScriptedGate.TYPE)).build())
      .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.of(ScriptedGate.TYPE)).build())
      .build();

  protected RolloutStore store;

  /** For subclasses, one per implementation. */
  protected RolloutStoreConformanceKit() {}

  /** @return a new, empty store */
  protected abstract RolloutStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  private static JournalEntry.Created created(String id) {
    RolloutSpec spec = RolloutSpec.builder(id).channel("conformance").baseline(41).candidate(42).plan(PLAN).build();
    return new JournalEntry.Created(id, T0, spec, List.of());
  }

  private static JournalEntry.Transitioned transition(String id, long sequence, RolloutState from, RolloutState to,
      Trigger trigger) {
    return new JournalEntry.Transitioned(id, sequence, T0.plusSeconds(sequence), from, to, trigger, 0, "because",
        trigger == Trigger.GATE_FAIL ? Verdict.fail("t", "numbers", Map.of("rate", 0.5)) : null);
  }

  @Test
  void read_unknownRollout_isEmpty() {
    assertThat(store.read("nope")).isEmpty();
    assertThat(store.rolloutIds()).isEmpty();
  }

  @Test
  void append_thenRead_returnsEntriesInAppendOrder_equalToWhatWasWritten() {
    List<JournalEntry> written = List.of(
        created("a"),
        transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START),
        new JournalEntry.Admitted("a", T0.plusSeconds(5), "host-1", 0),
        new JournalEntry.VerdictRecorded("a", T0.plusSeconds(6), 0, Verdict.fail("t", "numbers", Map.of("x", 1.0))),
        transition("a", 2, RolloutState.RUNNING, RolloutState.HALTED, Trigger.GATE_FAIL),
        transition("a", 3, RolloutState.HALTED, RolloutState.ROLLING_BACK, Trigger.BEGIN_ROLLBACK),
        new JournalEntry.Reverted("a", T0.plusSeconds(9), "host-1"));
    written.forEach(store::append);
    assertThat(store.read("a")).isEqualTo(written);
  }

  @Test
  void rolloutIds_areInCreationOrder() {
    store.append(created("b"));
    store.append(created("a"));
    store.append(created("c"));
    assertThat(store.rolloutIds()).containsExactly("b", "a", "c");
  }

  @Test
  void append_secondCreated_isRefusedAndChangesNothing() {
    store.append(created("a"));
    assertThatThrownBy(() -> store.append(created("a"))).isInstanceOf(StoreException.class).hasMessageContaining("a");
    assertThat(store.read("a")).hasSize(1);
  }

  @Test
  void append_beforeCreated_isRefused() {
    assertThatThrownBy(() -> store.append(new JournalEntry.Admitted("ghost", T0, "host-1", 0)))
        .isInstanceOf(StoreException.class).hasMessageContaining("ghost");
    assertThat(store.rolloutIds()).isEmpty();
  }

  @Test
  void append_transitionSequenceGapOrRepeat_isRefusedAndChangesNothing() {
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    assertThatThrownBy(() -> store.append(transition("a", 1, RolloutState.RUNNING, RolloutState.PAUSED,
        Trigger.PAUSE))).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.append(transition("a", 3, RolloutState.RUNNING, RolloutState.PAUSED,
        Trigger.PAUSE))).isInstanceOf(StoreException.class);
    assertThat(store.read("a")).hasSize(2);
    store.append(transition("a", 2, RolloutState.RUNNING, RolloutState.PAUSED, Trigger.PAUSE));
    assertThat(store.read("a")).hasSize(3);
  }

  @Test
  void append_racingTransitionsWithTheSameSequence_exactlyOneWins() throws Exception {
    store.append(created("a"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(pool.submit(() -> {
        try {
          store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
          return true;
        } catch (StoreException e) {
          return false;
        }
      }));
    }
    int wins = 0;
    for (Future<Boolean> result : results) {
      wins += result.get(1, TimeUnit.MINUTES) ? 1 : 0;
    }
    pool.shutdown();
    assertThat(wins).isEqualTo(1);
    assertThat(store.read("a")).hasSize(2);
  }

  @Test
  void read_returnsASnapshotThatLaterAppendsDoNotChange() {
    store.append(created("a"));
    List<JournalEntry> before = store.read("a");
    store.append(new JournalEntry.Admitted("a", T0, "host-1", 0));
    assertThat(before).hasSize(1);
  }
}
