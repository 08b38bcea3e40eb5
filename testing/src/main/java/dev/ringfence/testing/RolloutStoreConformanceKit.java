package dev.ringfence.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
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
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.core.store.StoreClosedException;
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
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite of the {@link RolloutStore} SPI: every method's contract, {@link RolloutStore#close()}
 * and use after it included, and for a store whose {@link RolloutStore#shared()} is present every method of
 * {@link SharedRolloutStore}, with the concurrency promises of a store that several processes share. Every
 * implementation (Ringfence's in-memory store, file journal and PostgreSQL store, and yours) extends it, returns
 * a fresh empty store from {@link #newStore()} and, for a shared store, a second handle from {@link
 * #anotherProcess()}, and must pass it unchanged:
 *
 * <pre>{@code
 * class MyStoreTest extends RolloutStoreConformanceKit {
 *   protected RolloutStore newStore() { return new MyStore(...); }
 * }
 * }</pre>
 *
 * <p>Cases of the shared capabilities are skipped, as JUnit assumptions, for a store one process owns; so are the
 * cases of use after close for a store whose {@code close()} releases nothing ({@link #closeReleasesTheStore()}).
 * The kit closes the store and the other process's handle after each test.
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

  /** The other process's handle of this test, opened on first use; null until then. */
  private @Nullable Optional<RolloutStore> other;

  /** For subclasses, one per implementation. */
  protected RolloutStoreConformanceKit() {}

  /** @return a new, empty store */
  protected abstract RolloutStore newStore();

  /**
   * A second handle on the store {@link #newStore()} returned last, opened as another process sharing it
   * would open it (another update-server replica on the same database). Empty, the default, for a store
   * one process owns; the suite then expects {@link RolloutStore#shared()} to be empty. Called at most once a
   * test; the kit closes the handle after the test.
   *
   * @return another process's handle on the same store, or empty if no other process may write to it
   */
  protected Optional<RolloutStore> anotherProcess() {
    return Optional.empty();
  }

  /**
   * Whether {@link RolloutStore#close()} releases something, after which the store refuses every call with
   * {@link StoreClosedException}: true, the default, for a store that holds a directory or connections; false
   * for one that holds nothing (the in-memory store), whose {@code close()} does nothing and which the kit
   * then expects to keep working.
   *
   * @return whether a closed store refuses every call
   */
  protected boolean closeReleasesTheStore() {
    return true;
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

  @AfterEach
  void closeStores() {
    store.close();
    if (other != null) {
      other.ifPresent(RolloutStore::close);
    }
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

  private static JournalEntry.Transitioned start(String id) {
    return transition(id, 1, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START);
  }

  private static JournalEntry.Admitted admitted(String id, String endpointId, int ringIndex) {
    return new JournalEntry.Admitted(id, T0.plusSeconds(60), endpointId, ringIndex);
  }

  /** Entries of the rollout that are admissions, in journal order. */
  private List<JournalEntry.Admitted> admissions(String id) {
    return store.read(id).stream().filter(JournalEntry.Admitted.class::isInstance)
        .map(JournalEntry.Admitted.class::cast).toList();
  }

  /** The other process's handle of this test, opened once. */
  private Optional<RolloutStore> other() {
    if (other == null) {
      other = anotherProcess();
    }
    return other;
  }

  /** The shared capabilities of the store under test; the test is skipped for a store one process owns. */
  private SharedRolloutStore shared() {
    Optional<SharedRolloutStore> shared = store.shared();
    assumeTrue(shared.isPresent(), "only a store that several processes share has this capability; a store one"
        + " process owns leaves caps, halts and catching up to the engine");
    return shared.orElseThrow();
  }

  /** The other process's shared capabilities. */
  private SharedRolloutStore otherShared() {
    return other().orElseThrow(() -> new AssertionError("the store is shared but anotherProcess() is empty"))
        .shared().orElseThrow(() -> new AssertionError("the other process's handle is not shared"));
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
  void append_nullEntry_throwsNullPointerExceptionNamingTheArgument() {
    assertThatThrownBy(() -> store.append(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("entry");
    assertThat(store.rolloutIds()).isEmpty();
  }

  @Test
  void read_nullRolloutId_throwsNullPointerExceptionNamingTheArgument() {
    assertThatThrownBy(() -> store.read(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("rolloutId");
  }

  // ---------------------------------------------------------------- shared

  @Test
  void shared_isPresentExactlyWhenAnotherProcessMayWrite_andAnswersTheSameEveryTime() {
    assertThat(store.shared()).as("shared()").isNotNull();
    assertThat(store.shared().isPresent()).isEqualTo(other().isPresent());
    assertThat(store.shared().isPresent()).as("asked again").isEqualTo(other().isPresent());
  }

  @Test
  void shared_sharedStore_seesWhatAnotherProcessWrote() {
    SharedRolloutStore shared = shared();
    JournalEntry.Created created = created("a");
    JournalEntry.Transitioned start = start("a");
    RolloutStore other = other().orElseThrow();
    other.append(created);
    other.append(start);
    assertThat(store.rolloutIds()).containsExactly("a");
    assertThat(store.read("a")).containsExactly(created, start);
    assertThat(shared.transitionsAfter("a", 0)).containsExactly(start);
  }

  @Test
  void shared_sharedStore_worksOnThisStoresJournal() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    JournalEntry.Admitted admission = admitted("a", "host-1", 0);
    assertThat(shared.admit(admission, 10)).isTrue();
    assertThat(store.read("a")).containsExactly(created("a"), admission);
  }

  // ---------------------------------------------------------------- admit

  @Test
  void admit_underTheCap_returnsTrueAndJournalsTheAdmission() {
    SharedRolloutStore shared = shared();
    JournalEntry.Created created = created("a");
    JournalEntry.Transitioned start = start("a");
    store.append(created);
    store.append(start);
    JournalEntry.Admitted admission = admitted("a", "host-1", 0);
    assertThat(shared.admit(admission, 10)).isTrue();
    assertThat(store.read("a")).containsExactly(created, start, admission);
  }

  @Test
  void admit_unknownRollout_isRefusedAsAppendIs_andStoresNothing() {
    SharedRolloutStore shared = shared();
    assertThatThrownBy(() -> shared.admit(admitted("ghost", "host-1", 0), 10))
        .isInstanceOf(StoreException.class).hasMessageContaining("ghost");
    assertThat(store.rolloutIds()).isEmpty();
    assertThat(store.read("ghost")).isEmpty();
  }

  @Test
  void admit_nullEntry_throwsNullPointerExceptionNamingTheArgument() {
    SharedRolloutStore shared = shared();
    assertThatThrownBy(() -> shared.admit(null, 10)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("entry");
    assertThat(store.rolloutIds()).isEmpty();
  }

  @Test
  void admit_negativeCap_throwsIllegalArgumentExceptionNamingItAndStoresNothing() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    assertThatThrownBy(() -> shared.admit(admitted("a", "host-1", 0), -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap").hasMessageContaining("-1");
    assertThat(admissions("a")).isEmpty();
  }

  @Test
  void admit_concurrentDistinctEndpointsWithoutACap_admitsAndJournalsEachExactlyOnce() throws Exception {
    shared();
    store.append(created("a"));
    store.append(start("a"));
    int endpoints = 24;
    List<Boolean> results = admitConcurrently("a", endpoints, Ring.NO_CAP);
    assertThat(results).hasSize(endpoints).containsOnly(true);
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).hasSize(endpoints)
        .doesNotHaveDuplicates();
  }

  @Test
  void admit_atTheCap_sharedStore_isRefusedAndStoresNothing() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(start("a"));
    assertThat(shared.admit(admitted("a", "host-1", 0), 2)).isTrue();
    assertThat(shared.admit(admitted("a", "host-2", 0), 2)).isTrue();
    List<JournalEntry> full = store.read("a");
    assertThat(shared.admit(admitted("a", "host-3", 0), 2)).isFalse();
    assertThat(store.read("a")).isEqualTo(full);
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).containsExactly("host-1", "host-2");
  }

  @Test
  void admit_capZero_sharedStore_admitsNobody() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(start("a"));
    assertThat(shared.admit(admitted("a", "host-1", 0), 0)).isFalse();
    assertThat(admissions("a")).isEmpty();
  }

  @Test
  void admit_capIsPerRing_sharedStore_aFullRingDoesNotFillAnother() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(start("a"));
    assertThat(shared.admit(admitted("a", "host-1", 0), 1)).isTrue();
    assertThat(shared.admit(admitted("a", "host-2", 0), 1)).isFalse();
    assertThat(shared.admit(admitted("a", "host-2", 1), 1)).isTrue();
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).containsExactly("host-1", "host-2");
  }

  @Test
  void admit_capIsPerRollout_sharedStore_aFullRingOfAnotherRolloutDoesNotCount() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(created("b"));
    assertThat(shared.admit(admitted("a", "host-1", 0), 1)).isTrue();
    assertThat(shared.admit(admitted("b", "host-1", 0), 1)).isTrue();
    assertThat(shared.admit(admitted("b", "host-2", 0), 1)).isFalse();
    assertThat(admissions("b")).extracting(JournalEntry.Admitted::endpointId).containsExactly("host-1");
  }

  @Test
  void admit_endpointAdmittedBeforeByAnyProcess_sharedStore_isAdmittedAgainWithoutTakingRoom() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(start("a"));
    assertThat(otherShared().admit(admitted("a", "host-1", 0), 2)).isTrue();
    assertThat(shared.admit(admitted("a", "host-1", 0), 2)).isTrue();
    assertThat(shared.admit(admitted("a", "host-1", 0), 2)).isTrue();
    // Three admissions of one endpoint used one place: the ring still has room for exactly one more.
    assertThat(shared.admit(admitted("a", "host-2", 0), 2)).isTrue();
    assertThat(shared.admit(admitted("a", "host-3", 0), 2)).isFalse();
    assertThat(shared.admit(admitted("a", "host-1", 0), 2)).as("admitted before, at a full ring").isTrue();
    assertThat(admissions("a")).extracting(JournalEntry.Admitted::endpointId).containsExactly("host-1", "host-2");
  }

  @Test
  void admit_haltedRollout_sharedStore_isRefusedAndStoresNothing() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(start("a"));
    // Halted by another process: this one's view may not have caught up, the store refuses anyway.
    other().orElseThrow().append(transition("a", 2, RolloutState.RUNNING, RolloutState.HALTED, Trigger.GATE_FAIL));
    List<JournalEntry> halted = store.read("a");
    assertThat(shared.admit(admitted("a", "host-1", 0), Ring.NO_CAP)).isFalse();
    assertThat(store.read("a")).isEqualTo(halted);
    assertThat(admissions("a")).isEmpty();
  }

  @Test
  void admit_concurrentFromSeveralThreadsAndProcesses_sharedStore_neverExceedsTheCap() throws Exception {
    shared();
    int cap = 2;
    // Rounds, because one round may not happen to interleave two admissions between count and insert.
    for (int round = 0; round < 10; round++) {
      String id = "r" + round;
      store.append(created(id));
      store.append(start(id));
      List<Boolean> results = admitConcurrently(id, THREADS, cap);
      assertThat(results).as("round %d", round).filteredOn(Boolean::booleanValue).hasSize(cap);
      assertThat(admissions(id)).as("round %d", round).hasSize(cap);
    }
  }

  private static final int THREADS = 8;

  /**
   * Admits {@code endpoints} distinct endpoints to ring 0 from {@value #THREADS} threads released together,
   * every other one through the other process's handle.
   *
   * @return each admission's answer
   */
  private List<Boolean> admitConcurrently(String id, int endpoints, long cap) throws Exception {
    SharedRolloutStore mine = shared();
    SharedRolloutStore theirs = otherShared();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int i = 0; i < endpoints; i++) {
        SharedRolloutStore writer = i % 2 == 0 ? mine : theirs;
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
    SharedRolloutStore shared = shared();
    JournalEntry.Transitioned t1 = start("a");
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
    assertThat(shared.transitionsAfter("a", 0)).containsExactly(t1, t2, t3, t4);
    assertThat(shared.transitionsAfter("a", 2)).containsExactly(t3, t4);
    assertThat(shared.transitionsAfter("a", 3)).containsExactly(t4);
  }

  @Test
  void transitionsAfter_nothingNewer_isEmpty() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    assertThat(shared.transitionsAfter("a", 0)).as("no transition yet").isEmpty();
    store.append(start("a"));
    store.append(admitted("a", "host-1", 0));
    assertThat(shared.transitionsAfter("a", 1)).isEmpty();
    assertThat(shared.transitionsAfter("a", 7)).isEmpty();
  }

  @Test
  void transitionsAfter_unknownRollout_isEmpty() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(start("a"));
    assertThat(shared.transitionsAfter("nope", 0)).isEmpty();
  }

  @Test
  void transitionsAfter_otherRolloutsTransitions_areNotIncluded() {
    SharedRolloutStore shared = shared();
    JournalEntry.Transitioned a1 = start("a");
    JournalEntry.Transitioned a2 = transition("a", 2, RolloutState.RUNNING, RolloutState.PAUSED, Trigger.PAUSE);
    store.append(created("a"));
    store.append(created("b"));
    store.append(a1);
    store.append(start("b"));
    store.append(a2);
    store.append(transition("b", 2, RolloutState.RUNNING, RolloutState.PAUSED, Trigger.PAUSE));
    store.append(transition("b", 3, RolloutState.PAUSED, RolloutState.RUNNING, Trigger.RESUME));
    assertThat(shared.transitionsAfter("a", 0)).containsExactly(a1, a2);
  }

  @Test
  void transitionsAfter_transitionsAnotherProcessCommitted_areReturned() {
    SharedRolloutStore shared = shared();
    JournalEntry.Transitioned t2 = transition("a", 2, RolloutState.RUNNING, RolloutState.HALTED, Trigger.GATE_FAIL);
    store.append(created("a"));
    store.append(start("a"));
    other().orElseThrow().append(t2);
    assertThat(shared.transitionsAfter("a", 1)).containsExactly(t2);
  }

  @Test
  void transitionsAfter_badArguments_areRefusedNamingThem() {
    SharedRolloutStore shared = shared();
    assertThatThrownBy(() -> shared.transitionsAfter(null, 0)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("rolloutId");
    assertThatThrownBy(() -> shared.transitionsAfter("a", -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequence").hasMessageContaining("-1");
  }

  // ---------------------------------------------------------------- awaitChange

  @Test
  void awaitChange_zeroTimeout_returnsAtOnceReportingNoChange() {
    SharedRolloutStore shared = shared();
    boolean woken = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> shared.awaitChange(Duration.ZERO));
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
  void awaitChange_nothingCommitted_waitsTheWholeTimeoutAndReportsNoChange() {
    SharedRolloutStore shared = shared();
    Duration timeout = Duration.ofMillis(50);
    long[] elapsed = new long[1];
    boolean woken = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      long started = ticker().read();
      boolean result = shared.awaitChange(timeout);
      elapsed[0] = ticker().read() - started;
      return result;
    });
    assertThat(woken).isFalse();
    assertThat(Duration.ofNanos(elapsed[0])).isGreaterThanOrEqualTo(timeout);
  }

  @Test
  void awaitChange_badTimeout_isRefusedNamingIt() {
    SharedRolloutStore shared = shared();
    assertThatThrownBy(() -> shared.awaitChange(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> shared.awaitChange(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  @Test
  void awaitChange_threadAlreadyInterrupted_throwsInterruptedException() {
    SharedRolloutStore shared = shared();
    Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      Thread.currentThread().interrupt();
      try {
        shared.awaitChange(Duration.ofMinutes(5));
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
    SharedRolloutStore shared = shared();
    shared.awaitChange(Duration.ZERO); // as a host's loop has: a shared store listens from its first call
    CompletableFuture<String> outcome = waitInAnotherThread(shared, waiter -> waiter.interrupt());
    assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("interrupted");
  }

  @Test
  void awaitChange_anotherProcessCommitsATransition_returnsTrue() throws Exception {
    SharedRolloutStore shared = shared();
    RolloutStore other = other().orElseThrow();
    assertThat(shared.awaitChange(Duration.ZERO)).isFalse(); // a host's loop has called it before; nothing yet
    other.append(created("a"));
    other.append(start("a"));
    // Without being woken it would wait the whole minute and return false.
    boolean woken = assertTimeoutPreemptively(Duration.ofSeconds(50), () -> shared.awaitChange(Duration.ofMinutes(1)));
    assertThat(woken).isTrue();
  }

  @Test
  void awaitChange_thisStoreCommitsATransitionWhileAnotherThreadWaits_wakesIt() throws Exception {
    SharedRolloutStore shared = shared();
    shared.awaitChange(Duration.ZERO);
    store.append(created("a"));
    CompletableFuture<String> outcome = waitInAnotherThread(shared, waiter -> store.append(start("a")));
    // Without being woken it would wait five minutes.
    assertThat(outcome.get(50, TimeUnit.SECONDS)).isEqualTo("returned true");
  }

  /**
   * Starts a thread that waits in {@code awaitChange} for five minutes, then runs {@code then} (given the
   * thread) once the thread is inside {@code awaitChange}, as its stack shows (up to ten seconds).
   *
   * @return how the wait ended: {@code "returned <result>"}, {@code "interrupted"}, or the exception it threw
   */
  private CompletableFuture<String> waitInAnotherThread(SharedRolloutStore shared, Consumer<Thread> then)
      throws InterruptedException {
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      waiting.countDown();
      try {
        outcome.complete("returned " + shared.awaitChange(Duration.ofMinutes(5)));
      } catch (InterruptedException e) {
        outcome.complete("interrupted");
      } catch (RuntimeException e) {
        outcome.completeExceptionally(e);
      }
    }, "awaitChange-waiter");
    waiter.setDaemon(true); // a store that ignores the signal must not keep the JVM up for its five minutes
    waiter.start();
    waiting.await();
    long deadline = ticker().read() + TimeUnit.SECONDS.toNanos(10);
    while (!insideAwaitChange(waiter) && ticker().read() - deadline < 0) {
      Thread.onSpinWait();
    }
    then.accept(waiter);
    return outcome;
  }

  private static boolean insideAwaitChange(Thread thread) {
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getMethodName().equals("awaitChange") && !frame.getClassName().equals(
          RolloutStoreConformanceKit.class.getName())) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- exchangeHealth

  private static HealthShare share(String rolloutId, String replicaId, long second, String health) {
    return new HealthShare(rolloutId, replicaId, T0.plusSeconds(second), health);
  }

  @Test
  void exchangeHealth_keepsTheLatestSharePerRolloutAndReplica_andReturnsTheOthersOnly() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    store.append(created("b"));
    assertThat(shared.exchangeHealth("one", List.of(share("a", "one", 1, "{\"n\":1}"),
        share("b", "one", 1, "{\"n\":2}")))).as("nobody else has published").isEmpty();
    assertThat(shared.exchangeHealth("two", List.of(share("a", "two", 2, "{\"n\":3}"))))
        .containsExactlyInAnyOrder(share("a", "one", 1, "{\"n\":1}"), share("b", "one", 1, "{\"n\":2}"));
    shared.exchangeHealth("one", List.of(share("a", "one", 3, "{\"n\":4}")));
    assertThat(shared.exchangeHealth("two", List.of())).as("the latest share replaces the one before")
        .containsExactlyInAnyOrder(share("a", "one", 3, "{\"n\":4}"), share("b", "one", 1, "{\"n\":2}"));
    assertThat(shared.exchangeHealth("three", List.of())).as("shares of every other replica, kept")
        .containsExactlyInAnyOrder(share("a", "one", 3, "{\"n\":4}"), share("b", "one", 1, "{\"n\":2}"),
            share("a", "two", 2, "{\"n\":3}"));
  }

  @Test
  void exchangeHealth_sharesAnotherProcessPublished_areReturned() {
    SharedRolloutStore shared = shared();
    store.append(created("a"));
    otherShared().exchangeHealth("theirs", List.of(share("a", "theirs", 5, "{\"n\":7}")));
    assertThat(shared.exchangeHealth("mine", List.of(share("a", "mine", 5, "{\"n\":1}"))))
        .containsExactly(share("a", "theirs", 5, "{\"n\":7}"));
    assertThat(otherShared().exchangeHealth("theirs", List.of())).containsExactly(share("a", "mine", 5, "{\"n\":1}"));
  }

  @Test
  void exchangeHealth_badArguments_areRefusedNamingThem() {
    SharedRolloutStore shared = shared();
    assertThatThrownBy(() -> shared.exchangeHealth(null, List.of())).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("replicaId");
    assertThatThrownBy(() -> shared.exchangeHealth(" ", List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicaId");
    assertThatThrownBy(() -> shared.exchangeHealth("one", null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("own");
  }

  // ---------------------------------------------------------------- close

  @Test
  void close_twice_isANoOpTheSecondTime() {
    store.append(created("a"));
    store.close();
    store.close();
  }

  @Test
  void close_thenEveryMethod_throwsStoreClosedExceptionNamingTheStore_andStoresNothing() throws Exception {
    assumeTrue(closeReleasesTheStore(), "this store's close() releases nothing; it keeps working");
    store.append(created("a"));
    Optional<SharedRolloutStore> shared = store.shared();
    String name = store.toString();
    store.close();

    assertClosed("append", () -> store.append(start("a")), name);
    assertClosed("read", () -> store.read("a"), name);
    assertClosed("rolloutIds", () -> store.rolloutIds(), name);
    assertThat(store.shared()).as("shared() after close").isEqualTo(shared);
    if (shared.isPresent()) {
      SharedRolloutStore closed = shared.orElseThrow();
      assertClosed("admit", () -> closed.admit(admitted("a", "host-1", 0), 10), name);
      assertClosed("transitionsAfter", () -> closed.transitionsAfter("a", 0), name);
      assertClosed("awaitChange", () -> closed.awaitChange(Duration.ofMinutes(5)), name);
      assertClosed("exchangeHealth", () -> closed.exchangeHealth("one", List.of(share("a", "one", 1, "{}"))), name);
      RolloutStore other = other().orElseThrow();
      assertThat(other.read("a")).as("what the closed store refused").containsExactly(created("a"));
      assertThat(otherShared().exchangeHealth("two", List.of())).as("the share the closed store refused").isEmpty();
    }
  }

  private static void assertClosed(String method, ThrowingCallable call, String name) {
    Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> catchThrowable(call));
    assertThat(thrown).as(method + " after close").isInstanceOf(StoreClosedException.class)
        .hasMessageContaining(name).hasMessageContaining("closed");
    assertThat(((StoreClosedException) thrown).store()).as(method + ": the store it names").isEqualTo(name);
  }

  @Test
  void close_storeThatHoldsNothing_keepsWorking() {
    assumeTrue(!closeReleasesTheStore(), "this store's close() releases it; it refuses every later call");
    store.append(created("a"));
    store.close();
    store.append(start("a"));
    assertThat(store.read("a")).containsExactly(created("a"), start("a"));
    assertThat(store.rolloutIds()).containsExactly("a");
  }

  @Test
  void close_whileAnotherThreadWaitsInAwaitChange_endsTheWaitWithStoreClosedException() throws Exception {
    SharedRolloutStore shared = shared();
    shared.awaitChange(Duration.ZERO);
    CompletableFuture<String> outcome = waitInAnotherThread(shared, waiter -> store.close());
    // Without the close ending it, the wait would last five minutes.
    Throwable thrown = catchThrowable(() -> outcome.get(30, TimeUnit.SECONDS));
    assertThat(thrown).as("how the wait ended").hasCauseInstanceOf(StoreClosedException.class);
  }

  @Test
  void close_sharedStore_leavesAnotherProcessesHandleWorking() {
    shared();
    store.append(created("a"));
    store.close();
    RolloutStore other = other().orElseThrow();
    other.append(start("a"));
    assertThat(other.read("a")).containsExactly(created("a"), start("a"));
    assertThat(otherShared().transitionsAfter("a", 0)).containsExactly(start("a"));
  }
}
