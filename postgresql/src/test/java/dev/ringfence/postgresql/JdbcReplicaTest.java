package dev.ringfence.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two replicas (two engines, each with its own connections) on one real PostgreSQL database, under
 * concurrent decisions: the cap holds across both, and once a halt commits, neither offers the
 * candidate after it has ticked.
 */
class JdbcReplicaTest {

  @Test
  void twoReplicas_concurrentDecisions_capHoldsAcrossBoth_andHaltReachesBoth() throws Exception {
    PostgresServer.Database database = PostgresServer.newDatabase("replicas");
    Replicas replicas = Replicas.startedOnA(database);
    RolloutEngine a = replicas.a();
    RolloutEngine b = replicas.b();
    Rollout onA = replicas.onA();

    Set<String> offered = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (RolloutEngine replica : List.of(a, b)) {
      futures.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < 20_000; i++) { // bounded: each replica asks about every endpoint once
          String id = "h" + (replica == a ? i : 19_999 - i);
          if (replica.decide("r", id, Fixtures.WINDOWS, 41).kind() == Decision.Kind.OFFER) {
            offered.add(id);
          }
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : futures) {
      f.get(2, TimeUnit.MINUTES);
    }
    long cap = Fixtures.fourRings().rings().get(0).cap();
    assertThat(offered).hasSize((int) cap);
    try (var c = database.connect(); var s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM ringfence_admission WHERE rollout_id = 'r'")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(cap);
    }

    // A halts; from the moment B has ticked, B never offers the candidate again.
    AtomicReference<Instant> haltCommitted = new AtomicReference<>();
    a.events().onTransition(t -> {
      if (t.to() == RolloutState.HALTED) {
        haltCommitted.set(t.at());
      }
    });
    onA.halt("crash reports from the field");
    assertThat(haltCommitted.get()).isNotNull();
    b.tick();
    assertThat(b.rollout("r").state()).isEqualTo(RolloutState.ROLLING_BACK);
    for (int i = 0; i < 20_000; i++) {
      assertThat(b.decide("r", "h" + i, Fixtures.WINDOWS, 41).kind()).isNotEqualTo(Decision.Kind.OFFER);
      assertThat(a.decide("r", "h" + i, Fixtures.WINDOWS, 41).kind()).isNotEqualTo(Decision.Kind.OFFER);
    }
    String exposed = offered.iterator().next();
    assertThat(b.decide("r", exposed, Fixtures.WINDOWS, 42).kind()).isEqualTo(Decision.Kind.REVERT);
    pool.shutdown();
  }

  @Test
  void replicaThatCannotReachTheDatabase_holdsOnceItsViewIsStale() {
    PostgresServer.Database database = PostgresServer.newDatabase("stale");
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    ScriptedGate gate = new ScriptedGate();
    RolloutEngine a = replica(database, clock, gate);
    a.createRollout(Fixtures.spec("r", Fixtures.fourRings())).start();
    List<String> offeredBefore = new ArrayList<>();
    for (int i = 0; i < 20_000 && offeredBefore.size() < 5; i++) {
      if (a.decide("r", "h" + i, Fixtures.WINDOWS, 41).kind() == Decision.Kind.OFFER) {
        offeredBefore.add("h" + i);
      }
    }
    clock.advance(Duration.ofSeconds(6)); // no tick since: the view is older than the 5 s bound
    for (String id : offeredBefore) {
      assertThat(a.decide("r", id, Fixtures.WINDOWS, 42).kind()).isEqualTo(Decision.Kind.HOLD);
    }
    a.tick(); // catches up
    assertThat(a.decide("r", offeredBefore.get(0), Fixtures.WINDOWS, 42).kind()).isEqualTo(Decision.Kind.OFFER);
  }

  @Test
  void admissionOnAReplicaThatHasNotSeenTheHalt_isRefusedByTheDatabase() {
    PostgresServer.Database database = PostgresServer.newDatabase("halted");
    Replicas replicas = Replicas.startedOnA(database);
    RolloutEngine a = replicas.a();
    RolloutEngine b = replicas.b();
    Rollout onA = replicas.onA();
    onA.halt("bad content"); // b has not ticked since: its view still says RUNNING, and is not stale yet
    dev.ringfence.core.Cohort cohort = dev.ringfence.core.Cohort.withSalt(onA.spec().salt());
    String eligible = java.util.stream.IntStream.range(0, 20_000).mapToObj(i -> "h" + i)
        .filter(id -> cohort.bucket(id) < 100).findFirst().orElseThrow();
    Decision decision = b.decide("r", eligible, Fixtures.WINDOWS, 41);
    assertThat(decision.kind()).isEqualTo(Decision.Kind.HOLD);
    assertThat(decision.reason()).contains("halted the rollout");
  }

  @Test
  void awaitChange_wakesWhenAnotherReplicaCommitsATransition() throws Exception {
    PostgresServer.Database database = PostgresServer.newDatabase("listen");
    PostgresRolloutStore waiting = PostgresRolloutStore.create(database.dataSource());
    assertThat(waiting.awaitChange(Duration.ofMillis(1))).isFalse(); // LISTENs from now on; nothing yet
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Boolean> woken = pool.submit(() -> waiting.awaitChange(Duration.ofSeconds(60)));
    RolloutEngine other = replica(database, ManualClock.at("2026-11-23T10:00:00Z"), new ScriptedGate());
    other.createRollout(Fixtures.spec("r", Fixtures.fourRings())).start();
    // Without the notification this would wait the whole minute and return false.
    assertThat(woken.get(2, TimeUnit.MINUTES)).isTrue();
    pool.shutdown();
  }

  /** Two replicas on one clock and one gate, and rollout {@code r} (four rings) started on A, which B has seen. */
  private record Replicas(RolloutEngine a, RolloutEngine b, Rollout onA) {
    static Replicas startedOnA(PostgresServer.Database database) {
      ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
      ScriptedGate gate = new ScriptedGate();
      RolloutEngine a = replica(database, clock, gate);
      RolloutEngine b = replica(database, clock, gate);
      Rollout onA = a.createRollout(Fixtures.spec("r", Fixtures.fourRings()));
      onA.start();
      b.tick();
      return new Replicas(a, b, onA);
    }
  }

  private static RolloutEngine replica(PostgresServer.Database database, ManualClock clock, ScriptedGate gate) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock)
        .store(PostgresRolloutStore.create(database.dataSource())).stalenessBound(Duration.ofSeconds(5))
        .gate(ScriptedGate.TYPE, spec -> gate).build());
  }
}
