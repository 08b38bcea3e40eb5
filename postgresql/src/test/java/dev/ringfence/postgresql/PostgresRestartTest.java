package dev.ringfence.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.IllegalStateTransitionException;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL really stops (its server process quits: {@code pg_ctl stop -m immediate}, or {@code -m fast}) in the
 * middle of a rollout on {@code PostgresRolloutStore.create}, several times, while the host keeps calling decide, ingest,
 * tick and the commands; it starts again on the same data directory.
 *
 * <p>While it is down the engine offers the candidate to no endpoint it has not durably admitted, and once its
 * view is older than the staleness bound to no endpoint at all; ticks change nothing; commands throw
 * {@link StoreException}. When it is back the engine catches up on its next tick and goes on: the stored
 * transitions are gapless and are exactly the ones the engine published, the stored admissions are exactly the
 * engine's, and an engine rebuilt from the database has the same state. Cycles: {@code -Dringfence.pgRestarts}
 * (default 5).
 */
class PostgresRestartTest {

  private static final int FLEET = 2_000;
  /** Clock steps of one outage: within the staleness bound, past it, then past a bake time in all. */
  private static final List<Duration> OUTAGE_STEPS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(10),
      Duration.ofMinutes(4), Duration.ofMinutes(4), Duration.ofMinutes(4), Duration.ofMinutes(4),
      Duration.ofMinutes(4), Duration.ofMinutes(4), Duration.ofMinutes(4), Duration.ofMinutes(4));

  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  private final ScriptedGate gate = new ScriptedGate();
  private final List<String> fleet = IntStream.range(0, FLEET).mapToObj(i -> "ep-" + i).collect(Collectors.toList());
  private PostgresServer.Cluster cluster;

  // What the outages did, for the report in docs/reliability.md.
  private int outageDecisions;
  private int outageDecisionsToNewEndpoints;
  private int outageTicks;
  private int refusedCommands;
  private int outageSignals;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private RolloutEngine engine(RolloutStore store) {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(ScriptedGate.TYPE, spec -> gate).build());
  }

  @Test
  void postgresStopsAndStartsMidRollout_engineHolds_refusesCommands_andResumesWithoutLosingATransition()
      throws Exception {
    int cycles = Integer.getInteger("ringfence.pgRestarts", 5);
    cluster = PostgresServer.newCluster("restart");
    PostgresServer.Database database = cluster.newDatabase("rf_restart");
    RolloutStore store = PostgresRolloutStore.create(database.dataSource());
    RolloutEngine engine = engine(store);
    List<JournalEntry.Transitioned> published = new CopyOnWriteArrayList<>();
    engine.events().onTransition(published::add);
    Rollout rollout = engine.createRollout(Fixtures.spec("r", Fixtures.fourRings()));
    rollout.start();
    Cohort cohort = Cohort.withSalt(rollout.spec().salt());
    Set<String> offered = new HashSet<>();
    long[] heartbeat = new long[FLEET];

    for (int cycle = 1; cycle <= cycles; cycle++) {
      String label = "cycle " + cycle;
      traffic(engine, rollout, offered, heartbeat);
      RolloutStatus before = rollout.status();
      long storedBefore = storedTransitions(database).size();

      boolean immediate = cycle % 2 == 1;
      cluster.stop(immediate);
      outage(engine, rollout, database, cohort, offered, heartbeat, before, label);
      assertThat(storedBefore).as(label).isEqualTo(published.size());

      cluster.start();
      engine.tick(); // catches up, then does what the outage held back (here: opens the next ring)
      assertStoredMatchesPublished(database, published, label);
      traffic(engine, rollout, offered, heartbeat);
      afterRestart(rollout, cycle);
      engine.tick();
      assertStoredMatchesPublished(database, published, label);
      assertThat(storedAdmissions(database)).as(label).isEqualTo(rollout.status().exposedTotal());
    }

    // A new engine on the same database (the update server restarted too) rebuilds exactly this state.
    RolloutEngine rebuilt = engine(PostgresRolloutStore.create(database.dataSource()));
    Rollout again = rebuilt.rollout("r");
    assertThat(again.state()).isEqualTo(rollout.state());
    assertThat(again.status().ringIndex()).isEqualTo(rollout.status().ringIndex());
    assertThat(again.status().exposedPerRing()).isEqualTo(rollout.status().exposedPerRing());
    assertThat(rollout.state()).isEqualTo(cycles >= 5 ? RolloutState.ROLLED_BACK : rollout.state());
    if (rollout.state().isHalted()) {
      for (String id : offered) {
        assertThat(again.decide(id, Fixtures.WINDOWS, 42).kind()).isEqualTo(Kind.REVERT);
      }
    }
    System.out.printf("PostgresRestartTest: %d stop/start cycles, %d decisions (%d to endpoints not yet admitted,"
        + " 0 offered), %d signals, %d ticks, %d commands refused with StoreException during the outages;"
        + " %d transitions stored gapless, %d admissions%n", cycles, outageDecisions, outageDecisionsToNewEndpoints,
        outageSignals, outageTicks, refusedCommands, published.size(), storedAdmissions(database));
  }

  /** Asks about every endpoint, reports a heartbeat for each one offered, and ticks. */
  private void traffic(RolloutEngine engine, Rollout rollout, Set<String> offered, long[] heartbeat) {
    for (int i = 0; i < FLEET; i++) {
      String id = fleet.get(i);
      boolean exposed = offered.contains(id);
      Decision d = rollout.decide(id, Fixtures.WINDOWS, exposed ? 42 : 41);
      if (d.kind() == Kind.OFFER) {
        offered.add(id);
        rollout.ingest(new Heartbeat(id, 1, ++heartbeat[i], 42, 0));
      } else if (d.kind() == Kind.REVERT) {
        rollout.ingest(new Heartbeat(id, 1, ++heartbeat[i], 41, 0)); // back on the baseline
      }
    }
    clock.advance(Duration.ofSeconds(1));
    engine.tick();
  }

  /** The database is down: the engine holds, keeps its state, and refuses every command. */
  private void outage(RolloutEngine engine, Rollout rollout, PostgresServer.Database database, Cohort cohort,
      Set<String> offered, long[] heartbeat, RolloutStatus before, String label) {
    List<String> admitted = new ArrayList<>(offered);
    List<String> notAdmitted = fleet.stream().filter(id -> !offered.contains(id))
        .filter(id -> cohort.bucket(id) < 5_000).limit(10).collect(Collectors.toList());
    for (int step = 0; step < OUTAGE_STEPS.size(); step++) {
      clock.advance(OUTAGE_STEPS.get(step));
      boolean stale = step > 0; // more than the 5 s staleness bound since the last catch-up
      for (String id : notAdmitted) {
        Decision d = rollout.decide(id, Fixtures.WINDOWS, 41);
        outageDecisions++;
        outageDecisionsToNewEndpoints++;
        assertThat(d.kind()).as("%s: a new endpoint while the database is down", label).isIn(Kind.HOLD, Kind.STAY);
      }
      for (String id : admitted.subList(0, Math.min(50, admitted.size()))) {
        Decision d = rollout.decide(id, Fixtures.WINDOWS, 42);
        outageDecisions++;
        if (stale) {
          assertThat(d.kind()).as("%s: an admitted endpoint once the view is stale", label)
              .isNotEqualTo(Kind.OFFER);
        }
        int index = fleet.indexOf(id);
        rollout.ingest(new Heartbeat(id, 1, ++heartbeat[index], before.state().isHalted() ? 41 : 42, 0));
        outageSignals++;
      }
      engine.tick();
      outageTicks++;
      assertThat(rollout.state()).as(label).isEqualTo(before.state());
      assertThat(rollout.status().ringIndex()).as(label).isEqualTo(before.ringIndex());
      assertThat(rollout.status().exposedTotal()).as(label).isEqualTo(before.exposedTotal());
    }
    // Every command needs the store: each one is refused with a StoreException and changes nothing.
    RolloutState state = rollout.state();
    if (state == RolloutState.RUNNING || state == RolloutState.PAUSED) {
      assertThatThrownBy(() -> rollout.halt("crash reports")).as(label).isInstanceOf(StoreException.class)
          .hasMessageContaining("rollout 'r'");
      refusedCommands++;
      if (state == RolloutState.RUNNING) {
        assertThatThrownBy(() -> rollout.pause("looking")).as(label).isInstanceOf(StoreException.class);
      } else {
        assertThatThrownBy(() -> rollout.resume("looked")).as(label).isInstanceOf(StoreException.class);
      }
      refusedCommands++;
    } else {
      assertThatThrownBy(() -> rollout.halt("again")).as(label).isInstanceOf(IllegalStateTransitionException.class);
    }
    assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("other", Fixtures.fourRings()))).as(label)
        .isInstanceOf(StoreException.class);
    refusedCommands++;
    assertThat(rollout.state()).as(label).isEqualTo(state);
    assertThat(engine.rollouts()).as(label).hasSize(1);
  }

  /**
   * Commands after some of the restarts, so that outages fall in RUNNING (rings 0, 1 and 2), PAUSED, and
   * ROLLING_BACK (cycle 5, with revert reports the store cannot record), and later ones in ROLLED_BACK.
   */
  private void afterRestart(Rollout rollout, int cycle) {
    if (cycle == 2) {
      rollout.pause("a look at the dashboards after the database came back");
    } else if (cycle == 3) {
      rollout.resume("dashboards look fine");
      gate.answer(Verdict.Outcome.INCONCLUSIVE); // the ring stays open through the next outage
    } else if (cycle == 4) {
      rollout.halt("crash reports from the field");
    }
  }

  private static void assertStoredMatchesPublished(PostgresServer.Database database,
      List<JournalEntry.Transitioned> published, String label) throws SQLException {
    List<JournalEntry.Transitioned> stored = storedTransitions(database);
    for (int i = 0; i < stored.size(); i++) {
      assertThat(stored.get(i).sequence()).as("%s: gapless", label).isEqualTo(i + 1);
    }
    assertThat(stored).as("%s: what the engine acted on is what the database holds", label)
        .containsExactlyElementsOf(published);
  }

  private static List<JournalEntry.Transitioned> storedTransitions(PostgresServer.Database database) {
    return PostgresRolloutStore.create(database.dataSource()).read("r").stream()
        .filter(e -> e instanceof JournalEntry.Transitioned).map(e -> (JournalEntry.Transitioned) e)
        .collect(Collectors.toList());
  }

  private static long storedAdmissions(PostgresServer.Database database) throws SQLException {
    try (Connection c = database.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM ringfence_admission WHERE rollout_id = 'r'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
