package dev.ringfence.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.base.Ticker;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite of the {@link RolloutStore} SPI: every method's contract, including the
 * concurrency promises of a store that several processes share. Every implementation (Ringfence's
 * in-memory store, file journal and PostgreSQL store, and yours) extends it, returns a fresh empty store
 * from {@link #newStore()} and, for a shared store, a second handle from {@link #anotherProcess()}, and must
 * pass it unchanged:
 *
 * <pre>{@code
 * class MyStoreTest extends RolloutStoreConformanceKit {
 *   protected RolloutStore newStore() { return new MyStore(...); }
 * }
 * }</pre>
 *
 * <p>Cases that only a shared store must meet (caps and halts checked by the store itself) are skipped,
 * as JUnit assumptions, for a store one process owns.
 */
public abstract class RolloutStoreConformanceKit {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  /** canary 1% cap 50, early 10% cap 500, broad 50%, all 100%: rings enough to test caps per ring. */
  private static final Plan PLAN = Plan.builder("conformance")
      .ring(ring("canary", 100, 50))
      .ring(ring("early", 1000, 500))
      .ring(ring("broad", 5000, Ring.NO_CAP))
      .ring(ring("all", 10_000, Ring.NO_CAP))
      .build();

  /** The store under test: a new one from {@link #newStore()} before each test. */
  protected RolloutStore store;

  /** For subclasses, one per implementation. */
  protected RolloutStoreConformanceKit() {}

  /** @return a new, empty store */
  protected abstract RolloutStore newStore();

  /**
   * A second handle on the store {@link #newStore()} returned last, opened as another process sharing it
   * would open it (another update-server replica on the same database). Empty, the default, for a store
   * one process owns; the suite then expects {@link RolloutStore#isShared()} to be false.
   *
   * @return another process's handle on the same store, or empty if no other process may write to it
   */
  protected Optional<RolloutStore> anotherProcess() {
    return Optional.empty();
  }

  private static Ring ring(String name, int share, long cap) {
    Ring.Builder ring = Ring.named(name).share(share).bakeTime(share == 10_000 ? Duration.ZERO : Duration.ofMinutes(30))
        .minSample(10).gate(GateSpec.of(ScriptedGate.TYPE));
    return (cap == Ring.NO_CAP ? ring : ring.cap(cap)).build();
  }

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

  private static JournalEntry.Admitted admitted(String id, String endpointId, int ringIndex) {
    return new JournalEntry.Admitted(id, T0.plusSeconds(60), endpointId, ringIndex);
  }

  /** Entries of the rollout that are admissions, in journal order. */
  private List<JournalEntry.Admitted> admissions(String id) {
    return store.read(id).stream().filter(JournalEntry.Admitted.class::isInstance)
        .map(JournalEntry.Admitted.class::cast).toList();
  }

  /** Another process's handle where the store is shared, else the store itself. */
  private RolloutStore otherWriter() {
    return anotherProcess().orElse(store);
  }

  private void assumeShared() {
    assumeTrue(store.isShared(), "only a shared store checks caps and halts itself; a store one process owns"
        + " leaves them to the engine");
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

  @Test
  void append_nullEntry_isRefusedNamingTheArgument() {
    assertThatThrownBy(() -> store.append(null)).isInstanceOf(StoreException.class).hasMessageContaining("entry");
    assertThat(store.rolloutIds()).isEmpty();
  }

  // ---------------------------------------------------------------- isShared

  @Test
  void isShared_answersWhetherAnotherProcessMayWriteToTheStore() {
    assertThat(store.isShared()).isEqualTo(anotherProcess().isPresent());
    assertThat(store.isShared()).as("asked again").isEqualTo(anotherProcess().isPresent());
  }

  @Test
  void isShared_sharedStore_seesWhatAnotherProcessWrote() {
    assumeTrue(store.isShared(), "a store one process owns has no other writer");
    RolloutStore other = anotherProcess().orElseThrow();
    JournalEntry.Created created = created("a");
    JournalEntry.Transitioned start = transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START);
    other.append(created);
    other.append(start);
    assertThat(store.rolloutIds()).containsExactly("a");
    assertThat(store.read("a")).containsExactly(created, start);
    assertThat(store.transitionsAfter("a", 0)).containsExactly(start);
  }

  // ---------------------------------------------------------------- admit

  @Test
  void admit_underTheCap_returnsTrueAndJournalsTheAdmission() {
    JournalEntry.Created created = created("a");
    JournalEntry.Transitioned start = transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START);
    store.append(created);
    store.append(start);
    JournalEntry.Admitted admission = admitted("a", "host-1", 0);
    assertThat(store.admit(admission, 10)).isTrue();
    assertThat(store.read("a")).containsExactly(created, start, admission);
  }

  @Test
  void admit_unknownRollout_isRefusedAsAppendIs_andStoresNothing() {
    assertThatThrownBy(() -> store.admit(admitted("ghost", "host-1", 0), 10))
        .isInstanceOf(StoreException.class).hasMessageContaining("ghost");
    assertThat(store.rolloutIds()).isEmpty();
    assertThat(store.read("ghost")).isEmpty();
  }

  @Test
  void admit_nullEntry_isRefusedNamingTheArgument() {
    assertThatThrownBy(() -> store.admit(null, 10)).isInstanceOf(StoreException.class).hasMessageContaining("entry");
    assertThat(store.rolloutIds()).isEmpty();
  }

  @Test
  void admit_concurrentDistinctEndpointsWithoutACap_admitsAndJournalsEachExactlyOnce() throws Exception {
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    int endpoints = 24;
    List<Boolean> results = admitConcurrently("a", endpoints, Ring.NO_CAP);
    assertThat(results).hasSize(endpoints).containsOnly(true);
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).hasSize(endpoints)
        .doesNotHaveDuplicates();
  }

  @Test
  void admit_atTheCap_sharedStore_isRefusedAndStoresNothing() {
    assumeShared();
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    assertThat(store.admit(admitted("a", "host-1", 0), 2)).isTrue();
    assertThat(store.admit(admitted("a", "host-2", 0), 2)).isTrue();
    List<JournalEntry> full = store.read("a");
    assertThat(store.admit(admitted("a", "host-3", 0), 2)).isFalse();
    assertThat(store.read("a")).isEqualTo(full);
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).containsExactly("host-1", "host-2");
  }

  @Test
  void admit_capZero_sharedStore_admitsNobody() {
    assumeShared();
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    assertThat(store.admit(admitted("a", "host-1", 0), 0)).isFalse();
    assertThat(admissions("a")).isEmpty();
  }

  @Test
  void admit_capIsPerRing_sharedStore_aFullRingDoesNotFillAnother() {
    assumeShared();
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    assertThat(store.admit(admitted("a", "host-1", 0), 1)).isTrue();
    assertThat(store.admit(admitted("a", "host-2", 0), 1)).isFalse();
    assertThat(store.admit(admitted("a", "host-2", 1), 1)).isTrue();
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).containsExactly("host-1", "host-2");
  }

  @Test
  void admit_capIsPerRollout_sharedStore_aFullRingOfAnotherRolloutDoesNotCount() {
    assumeShared();
    store.append(created("a"));
    store.append(created("b"));
    assertThat(store.admit(admitted("a", "host-1", 0), 1)).isTrue();
    assertThat(store.admit(admitted("b", "host-1", 0), 1)).isTrue();
    assertThat(store.admit(admitted("b", "host-2", 0), 1)).isFalse();
    assertThat(admissions("b")).extracting(JournalEntry.Admitted::endpointId).containsExactly("host-1");
  }

  @Test
  void admit_endpointAdmittedBeforeByAnyProcess_sharedStore_isAdmittedAgainWithoutTakingRoom() {
    assumeShared();
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    assertThat(otherWriter().admit(admitted("a", "host-1", 0), 2)).isTrue();
    assertThat(store.admit(admitted("a", "host-1", 0), 2)).isTrue();
    assertThat(store.admit(admitted("a", "host-1", 0), 2)).isTrue();
    // Three admissions of one endpoint used one place: the ring still has room for exactly one more.
    assertThat(store.admit(admitted("a", "host-2", 0), 2)).isTrue();
    assertThat(store.admit(admitted("a", "host-3", 0), 2)).isFalse();
    assertThat(store.admit(admitted("a", "host-1", 0), 2)).as("admitted before, at a full ring").isTrue();
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).doesNotContain("host-3")
        .contains("host-1", "host-2");
  }

  @Test
  void admit_haltedRollout_sharedStore_isRefusedAndStoresNothing() {
    assumeShared();
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    // Halted by another process: this one's view may not have caught up, the store refuses anyway.
    otherWriter().append(transition("a", 2, RolloutState.RUNNING, RolloutState.HALTED, Trigger.GATE_FAIL));
    List<JournalEntry> halted = store.read("a");
    assertThat(store.admit(admitted("a", "host-1", 0), Ring.NO_CAP)).isFalse();
    assertThat(store.read("a")).isEqualTo(halted);
    assertThat(admissions("a")).isEmpty();
  }

  @Test
  void admit_concurrentFromSeveralThreadsAndProcesses_sharedStore_neverExceedsTheCap() throws Exception {
    assumeShared();
    int cap = 2;
    // Rounds, because one round may not happen to interleave two admissions between count and insert.
    for (int round = 0; round < 10; round++) {
      String id = "r" + round;
      store.append(created(id));
      store.append(transition(id, 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
      List<Boolean> results = admitConcurrently(id, THREADS, cap);
      assertThat(results).as("round %d", round).filteredOn(Boolean::booleanValue).hasSize(cap);
      assertThat(admissions(id)).as("round %d", round).hasSize(cap);
    }
  }

  private static final int THREADS = 8;

  /**
   * Admits {@code endpoints} distinct endpoints to ring 0 from {@value #THREADS} threads released together,
   * every other one through {@link #otherWriter()}.
   *
   * @return each admission's answer
   */
  private List<Boolean> admitConcurrently(String id, int endpoints, long cap) throws Exception {
    RolloutStore other = otherWriter();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int i = 0; i < endpoints; i++) {
        RolloutStore writer = i % 2 == 0 ? store : other;
        JournalEntry.Admitted admission = admitted(id, "host-" + i, 0);
        futures.add(pool.submit(() -> {
          start.await();
          return writer.admit(admission, cap);
        }));
      }
      start.countDown();
      List<Boolean> results = new ArrayList<>();
      for (Future<Boolean> future : futures) {
        results.add(future.get(1, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- transitionsAfter

  @Test
  void transitionsAfter_returnsOnlyTransitionsAboveTheSequence_inOrder_skippingOtherEntries() {
    JournalEntry.Transitioned t1 = transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START);
    JournalEntry.Transitioned t2 = transition("a", 2, RolloutState.RUNNING, RolloutState.PAUSED, Trigger.PAUSE);
    JournalEntry.Transitioned t3 = transition("a", 3, RolloutState.PAUSED, RolloutState.RUNNING, Trigger.RESUME);
    JournalEntry.Transitioned t4 = transition("a", 4, RolloutState.RUNNING, RolloutState.HALTED, Trigger.GATE_FAIL);
    store.append(created("a"));
    store.append(t1);
    store.append(admitted("a", "host-1", 0));
    store.append(t2);
    store.append(new JournalEntry.VerdictRecorded("a", T0.plusSeconds(70), 0, Verdict.fail("t", "numbers",
        Map.of("rate", 0.5))));
    store.append(t3);
    store.append(t4);
    store.append(new JournalEntry.Reverted("a", T0.plusSeconds(80), "host-1"));
    assertThat(store.transitionsAfter("a", 0)).containsExactly(t1, t2, t3, t4);
    assertThat(store.transitionsAfter("a", 2)).containsExactly(t3, t4);
    assertThat(store.transitionsAfter("a", 3)).containsExactly(t4);
  }

  @Test
  void transitionsAfter_nothingNewer_isEmpty() {
    store.append(created("a"));
    assertThat(store.transitionsAfter("a", 0)).as("no transition yet").isEmpty();
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    store.append(admitted("a", "host-1", 0));
    assertThat(store.transitionsAfter("a", 1)).isEmpty();
    assertThat(store.transitionsAfter("a", 7)).isEmpty();
  }

  @Test
  void transitionsAfter_unknownRollout_isEmpty() {
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    assertThat(store.transitionsAfter("nope", 0)).isEmpty();
  }

  @Test
  void transitionsAfter_otherRolloutsTransitions_areNotIncluded() {
    JournalEntry.Transitioned a1 = transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START);
    JournalEntry.Transitioned a2 = transition("a", 2, RolloutState.RUNNING, RolloutState.PAUSED, Trigger.PAUSE);
    store.append(created("a"));
    store.append(created("b"));
    store.append(a1);
    store.append(transition("b", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    store.append(a2);
    store.append(transition("b", 2, RolloutState.RUNNING, RolloutState.PAUSED, Trigger.PAUSE));
    store.append(transition("b", 3, RolloutState.PAUSED, RolloutState.RUNNING, Trigger.RESUME));
    assertThat(store.transitionsAfter("a", 0)).containsExactly(a1, a2);
  }

  @Test
  void transitionsAfter_transitionsAnotherProcessCommitted_areReturned() {
    JournalEntry.Transitioned t2 = transition("a", 2, RolloutState.RUNNING, RolloutState.HALTED, Trigger.GATE_FAIL);
    store.append(created("a"));
    store.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    otherWriter().append(t2);
    assertThat(store.transitionsAfter("a", 1)).containsExactly(t2);
  }

  // ---------------------------------------------------------------- awaitChange

  @Test
  void awaitChange_zeroTimeout_returnsAtOnceReportingNoChange() {
    boolean woken = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> store.awaitChange(Duration.ZERO));
    assertThat(woken).isFalse();
  }

  /**
   * The ticker that measures how long {@code awaitChange} waited: a store waits on real time, so the
   * default is Guava's system ticker; a kit subclass whose store waits on another ticker returns it.
   *
   * @return the ticker
   */
  protected Ticker ticker() {
    return Ticker.systemTicker();
  }

  @Test
  void awaitChange_singleOwnerStore_waitsTheWholeTimeoutAndReportsNoChange() {
    assumeTrue(!store.isShared(), "a shared store returns early when another process commits");
    Duration timeout = Duration.ofMillis(50);
    long[] elapsed = new long[1];
    boolean woken = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      long started = ticker().read();
      boolean result = store.awaitChange(timeout);
      elapsed[0] = ticker().read() - started;
      return result;
    });
    assertThat(woken).isFalse();
    assertThat(Duration.ofNanos(elapsed[0])).isGreaterThanOrEqualTo(timeout);
  }

  @Test
  void awaitChange_threadAlreadyInterrupted_throwsInterruptedException() {
    Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      Thread.currentThread().interrupt();
      try {
        store.awaitChange(Duration.ofMinutes(5));
        return null;
      } catch (InterruptedException e) {
        return e;
      } finally {
        Thread.interrupted();
      }
    });
    assertThat(thrown).isInstanceOf(InterruptedException.class);
  }

  @Test
  void awaitChange_threadInterruptedWhileWaiting_throwsInterruptedException() throws Exception {
    store.awaitChange(Duration.ZERO); // as a host's loop has: a shared store listens from its first call
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      waiting.countDown();
      try {
        outcome.complete("returned " + store.awaitChange(Duration.ofMinutes(5)));
      } catch (InterruptedException e) {
        outcome.complete("interrupted");
      } catch (RuntimeException e) {
        outcome.completeExceptionally(e);
      }
    }, "awaitChange-waiter");
    waiter.setDaemon(true); // a store that ignores the interrupt must not keep the JVM up for its five minutes
    waiter.start();
    waiting.await();
    waiter.interrupt();
    assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("interrupted");
  }

  @Test
  void awaitChange_sharedStore_anotherProcessCommitsATransition_returnsTrue() throws Exception {
    assumeTrue(store.isShared(), "a store one process owns has no one else to wait for");
    RolloutStore other = anotherProcess().orElseThrow();
    assertThat(store.awaitChange(Duration.ZERO)).isFalse(); // a host's loop has called it before; nothing yet
    other.append(created("a"));
    other.append(transition("a", 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START));
    // Without being woken it would wait the whole minute and return false.
    boolean woken = assertTimeoutPreemptively(Duration.ofSeconds(50), () -> store.awaitChange(Duration.ofMinutes(1)));
    assertThat(woken).isTrue();
  }
}
