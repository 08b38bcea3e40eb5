package dev.ringfence.postgresql.internal;

import static dev.ringfence.core.testing.Fixtures.WINDOWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.store.StoreClosedException;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.postgresql.PostgresRolloutStore;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;

/** What the PostgreSQL store promises beyond the SPI contract: schema, failures, admissions, NOTIFY, restarts. */
class PostgresRolloutStoreSpecificTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static PostgresServer.Database database;

  private PostgresRolloutStore store;

  @BeforeAll
  static void createDatabase() {
    database = PostgresServer.newDatabase("specific");
  }

  @BeforeEach
  void emptyStore() {
    store = PostgresRolloutStore.create(database.dataSource());
    database.execute("TRUNCATE ringfence_replica_health, ringfence_admission, ringfence_journal, ringfence_rollout, ringfence_audit RESTART IDENTITY",
        "UPDATE ringfence_audit_head SET lines = 0, hash = repeat('0', 64)");
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void exchangeHealth_publishedAtWithMicroseconds_isReadBackExactly() {
    // The kit checks what exchangeHealth keeps and returns; here, that timestamptz keeps the instant exactly.
    store.append(created("a"));
    Instant at = Instant.parse("2026-12-10T10:00:00.123456Z");
    store.exchangeHealth("one", List.of(new HealthShare("a", "one", at, "{\"n\":1}")));
    assertThat(store.exchangeHealth("two", List.of())).containsExactly(new HealthShare("a", "one", at, "{\"n\":1}"));
  }

  private static JournalEntry.Created created(String id) {
    return new JournalEntry.Created(id, T0, Fixtures.spec(id, Fixtures.fourRings()), List.of());
  }

  private static JournalEntry.Transitioned transition(String id, long sequence) {
    return new JournalEntry.Transitioned(id, sequence, T0.plusSeconds(sequence), RolloutState.PLANNED,
        RolloutState.RUNNING, Trigger.START, 0, "because", null);
  }

  private static List<List<Object>> rows(PostgresServer.Database db, String sql) {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- migrations

  @Test
  void migrationScripts_loadFromTheClassPath_asStatementsWithoutSemicolons() throws Exception {
    try (InputStream in = JdbcRolloutStore.class.getResourceAsStream("/dev/ringfence/postgresql/db/V1__journal.sql")) {
      assertThat(in).isNotNull();
    }
    List<String> statements = JdbcRolloutStore.statements("V1__journal.sql");
    assertThat(statements).hasSize(6).allSatisfy(s -> assertThat(s).doesNotEndWith(";").doesNotStartWith("--"));
    assertThat(statements.get(0)).startsWith("CREATE TABLE ringfence_rollout");
    assertThat(PostgresRolloutStore.SCHEMA_VERSION).isEqualTo(JdbcRolloutStore.MIGRATIONS.size());
    for (int i = 0; i < JdbcRolloutStore.MIGRATIONS.size(); i++) {
      assertThat(JdbcRolloutStore.MIGRATIONS.get(i)).startsWith("V" + (i + 1) + "__").endsWith(".sql");
    }
  }

  @Test
  void migrations_areIdempotent_acrossStoreInstancesOnTheSameDatabase() {
    PostgresServer.Database db = PostgresServer.newDatabase("idempotent");
    RolloutStore first = PostgresRolloutStore.create(db.dataSource());
    first.append(created("a"));
    first.append(transition("a", 1));

    RolloutStore second = PostgresRolloutStore.create(db.dataSource());
    assertThat(second.rolloutIds()).containsExactly("a");
    assertThat(second.read("a")).isEqualTo(first.read("a"));
    second.append(transition("a", 2));
    assertThat(first.read("a")).hasSize(3);
    assertThat(rows(db, "SELECT version FROM ringfence_schema_version ORDER BY version"))
        .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
  }

  @Test
  void migrations_replicasStartingTogether_allSucceed_andApplyEachVersionOnce() throws Exception {
    PostgresServer.Database db = PostgresServer.newDatabase("race");
    int replicas = 6;
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<RolloutStore>> stores = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      stores.add(pool.submit(() -> {
        go.await();
        return PostgresRolloutStore.create(db.dataSource());
      }));
    }
    go.countDown();
    for (Future<RolloutStore> s : stores) {
      assertThat(s.get(1, TimeUnit.MINUTES).rolloutIds()).isEmpty();
    }
    pool.shutdown();
    assertThat(rows(db, "SELECT version FROM ringfence_schema_version ORDER BY version"))
        .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
  }

  @Test
  void newerSchemaVersion_isRefusedWithATypedError() {
    PostgresServer.Database db = PostgresServer.newDatabase("newer");
    PostgresRolloutStore.create(db.dataSource());
    int newer = PostgresRolloutStore.SCHEMA_VERSION + 1;
    db.execute("INSERT INTO ringfence_schema_version (version, applied_at) VALUES (" + newer + ", now())");

    assertThatThrownBy(() -> PostgresRolloutStore.create(db.dataSource())).isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version " + newer + " is newer than this library ("
            + PostgresRolloutStore.SCHEMA_VERSION + "); upgrade Ringfence");
  }

  @Test
  void rollingUpgrade_aNewerLibrarysCompatibleMigration_letsThisOneKeepServingAndRestart() {
    PostgresServer.Database db = PostgresServer.newDatabase("rolling");
    int mine = PostgresRolloutStore.SCHEMA_VERSION;
    RolloutStore running = PostgresRolloutStore.create(db.dataSource());
    running.append(created("r"));
    // A replica of the next version starts and migrates: an additive change that suits this library.
    db.execute("CREATE TABLE ringfence_next_feature (id integer PRIMARY KEY)",
        "INSERT INTO ringfence_schema_version (version, applied_at, compatible_from) VALUES (" + (mine + 1)
            + ", now(), " + mine + ")");

    running.append(transition("r", 1)); // the replica still running serves on
    RolloutStore restarted = PostgresRolloutStore.create(db.dataSource()); // and one restarting opens it
    restarted.append(transition("r", 2));
    assertThat(restarted.read("r")).hasSize(3);
    assertThat(rows(db, "SELECT max(version) FROM ringfence_schema_version")).containsExactly(List.of(mine + 1));
    assertThat(PostgresRolloutStore.verifyAudit(db.dataSource()).broken()).isEmpty();

    // The version after that needs its own library: this one is refused at start, naming both versions.
    db.execute("INSERT INTO ringfence_schema_version (version, applied_at, compatible_from) VALUES (" + (mine + 2)
        + ", now(), " + (mine + 2) + ")");
    assertThatThrownBy(() -> PostgresRolloutStore.create(db.dataSource())).isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version " + (mine + 2) + " is newer than this library (" + mine
            + ") and needs a library of schema " + (mine + 2) + " or newer; upgrade Ringfence");
  }

  @Test
  void versionTableWithoutCompatibility_isGivenIt_forTheVersionsThisLibraryKnows() {
    PostgresServer.Database db = PostgresServer.newDatabase("compat_column");
    PostgresRolloutStore.create(db.dataSource());
    db.execute("ALTER TABLE ringfence_schema_version DROP COLUMN compatible_from"); // as libraries before it wrote it
    PostgresRolloutStore.create(db.dataSource());
    assertThat(rows(db, "SELECT version, compatible_from FROM ringfence_schema_version ORDER BY version"))
        .containsExactly(List.of(1, 1), List.of(2, 2), List.of(3, 3), List.of(4, 3));
  }

  @Test
  void close_releasesTheListeningConnection_andRefusesEveryLaterCall_namingTheDatabase() throws Exception {
    PostgresRolloutStore owned = PostgresRolloutStore.create(database.dataSource());
    assertThat(owned.awaitChange(Duration.ofMillis(1))).isFalse();
    long listening = listeners();
    assertThat(listening).isGreaterThanOrEqualTo(1);

    owned.close();
    owned.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> listeners() == listening - 1);
    assertThatThrownBy(() -> owned.append(created("after-close"))).isInstanceOf(StoreClosedException.class)
        .hasMessageContaining("database '" + database.name() + "'").hasMessageContaining("closed");
    assertThat(store.read("after-close")).as("what the closed store refused").isEmpty();
  }

  @Test
  void awaitChange_listeningConnectionLost_waitsOutTheTimeout_thenListensAgain() throws Exception {
    PostgresRolloutStore waiting = PostgresRolloutStore.create(database.dataSource());
    try {
      assertThat(waiting.awaitChange(Duration.ofMillis(1))).isFalse();
      terminateListeners();
      Duration timeout = Duration.ofMillis(300);
      Ticker ticker = Ticker.systemTicker(); // the store waits on real time
      long started = ticker.read();
      assertThat(waiting.awaitChange(timeout)).as("the connection is gone: nothing to hear").isFalse();
      assertThat(Duration.ofNanos(ticker.read() - started)).as("waited out, not returned at once")
          .isGreaterThanOrEqualTo(timeout.minusMillis(100)); // the read that found the connection gone counts
      // The next call listens on a new connection, which hears the next transition.
      assertThat(waiting.awaitChange(Duration.ofMillis(1))).isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> listeners() >= 1);
      store.append(created("a"));
      store.append(new JournalEntry.Transitioned("a", 1, T0, RolloutState.PLANNED, RolloutState.RUNNING,
          Trigger.START, 0, "go", null));
      assertThat(waiting.awaitChange(Duration.ofMinutes(1))).isTrue();
    } finally {
      waiting.close();
    }
  }

  @Test
  void close_whileAWaitFallsBackOnALostConnection_endsTheWait() throws Exception {
    PostgresRolloutStore waiting = PostgresRolloutStore.create(database.dataSource());
    assertThat(waiting.awaitChange(Duration.ofMillis(1))).isFalse();
    terminateListeners();
    CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        return "returned " + waiting.awaitChange(Duration.ofMinutes(5));
      } catch (InterruptedException | RuntimeException e) {
        return e;
      }
    });
    // Let the waiter find the connection gone and fall back on its signal (or not yet: either way close ends it).
    await().atMost(Duration.ofSeconds(10)).until(() -> listeners() == 0);
    waiting.close();
    assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(StoreClosedException.class);
  }

  /** Ends every LISTENing session of this database, as a lost connection would. */
  private static void terminateListeners() throws Exception {
    try (var c = database.dataSource().getConnection(); var s = c.createStatement()) {
      s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND query LIKE 'LISTEN %'").close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> listeners() == 0);
  }

  /** Sessions of this database that LISTEN: the stores' listening connections. */
  private static long listeners() throws Exception {
    try (var c = database.dataSource().getConnection(); var s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND query LIKE 'LISTEN %'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void nullDataSource_isRefusedAtOnce() {
    assertThatThrownBy(() -> PostgresRolloutStore.create(null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("dataSource");
  }

  // ---------------------------------------------------------------- failures

  @Test
  void databaseDown_everyOperationFailsWithAStoreExceptionNamingIt_andNothingIsHalfWritten() {
    PGSimpleDataSource ds = database.dataSource();
    RolloutStore jdbc = PostgresRolloutStore.create(ds);
    jdbc.append(created("a"));

    ds.setURL(PostgresServer.closedPortUrl(database.name()));
    assertThatThrownBy(() -> jdbc.append(transition("a", 1))).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("append Transitioned #1 to rollout 'a': the database cannot be reached")
        .hasMessageContaining("SQLState 08");
    assertThatThrownBy(() -> jdbc.append(new JournalEntry.Admitted("a", T0, "host-1", 0)))
        .isInstanceOf(StoreException.class).hasMessageStartingWith("append Admitted of 'host-1' to rollout 'a'");
    assertThatThrownBy(() -> jdbc.read("a")).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("read rollout 'a'").hasMessageContaining("SQLState 08");
    assertThatThrownBy(jdbc::rolloutIds).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("list the rollout ids").hasMessageContaining("SQLState 08");
    assertThatThrownBy(() -> PostgresRolloutStore.create(ds)).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("migrate the schema to version 1 (V1__journal.sql)");

    ds.setURL(database.url()); // back up
    assertThat(jdbc.read("a")).containsExactly(created("a"));
    assertThat(rows(database, "SELECT count(*) FROM ringfence_admission")).containsExactly(List.of(0L));
    jdbc.append(transition("a", 1));
    assertThat(jdbc.read("a")).containsExactly(created("a"), transition("a", 1));
  }

  @Test
  void connectionLostHalfwayThroughAnAppend_storesNothingOfIt_andTheRetrySucceeds() throws Exception {
    store.append(created("a"));
    JournalEntry.Admitted admitted = new JournalEntry.Admitted("a", T0, "host-1", 0);
    CompletableFuture<Void> append;
    try (Connection locker = database.connect()) {
      // Hold the admission table: the append inserts its journal row, then waits for this lock.
      locker.setAutoCommit(false);
      locker.createStatement().execute("LOCK TABLE ringfence_admission IN EXCLUSIVE MODE");
      append = CompletableFuture.runAsync(() -> store.append(admitted));
      List<List<Object>> blocked = await().atMost(Duration.ofSeconds(30)).until(() -> rows(database,
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
              + " AND query LIKE 'INSERT INTO ringfence_admission%'"), r -> r.size() == 1);
      assertThat(rows(database, "SELECT pg_terminate_backend(" + blocked.get(0).get(0) + ")"))
          .containsExactly(List.of(true));
      assertThatThrownBy(() -> append.get(1, TimeUnit.MINUTES)).cause().isInstanceOf(StoreException.class)
          .hasMessageStartingWith("append Admitted of 'host-1' to rollout 'a'").hasMessageContaining("SQLState");
      locker.rollback();
    }

    assertThat(store.read("a")).containsExactly(created("a"));
    assertThat(rows(database, "SELECT count(*) FROM ringfence_journal")).containsExactly(List.of(1L));
    assertThat(rows(database, "SELECT count(*) FROM ringfence_admission")).containsExactly(List.of(0L));
    store.append(admitted);
    assertThat(store.read("a")).containsExactly(created("a"), admitted);
    assertThat(rows(database, "SELECT endpoint_id FROM ringfence_admission")).containsExactly(List.of("host-1"));
  }

  @Test
  void connectionThatFailsToClose_afterTheCommit_doesNotMakeAStoredEntryLookUnstored() {
    PGSimpleDataSource real = database.dataSource();
    DataSource failingClose = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          if (!method.getName().equals("getConnection")) {
            return invoke(method, real, args);
          }
          Connection connection = real.getConnection();
          return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> {
                Object result = invoke(m, connection, a);
                if (m.getName().equals("close")) {
                  throw new SQLException("injected failure to close", "08006");
                }
                return result;
              });
        });
    RolloutStore jdbc = PostgresRolloutStore.create(failingClose);
    jdbc.append(created("a"));
    jdbc.append(transition("a", 1));
    assertThat(jdbc.read("a")).containsExactly(created("a"), transition("a", 1));
    assertThat(jdbc.rolloutIds()).containsExactly("a");
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void refusals_nameTheOperationAndTheRollout() {
    assertThatThrownBy(() -> store.append(new JournalEntry.Reverted("ghost", T0, "host-1")))
        .isInstanceOf(StoreException.class)
        .hasMessage("append Reverted of 'host-1' to rollout 'ghost': rollout 'ghost' has no Created entry in this"
            + " store; create it first (SQLState 23503)");
    assertThatThrownBy(() -> store.append(transition("ghost", 1))).isInstanceOf(StoreException.class)
        .hasMessage("append Transitioned #1 to rollout 'ghost': rollout 'ghost' has no Created entry in this store;"
            + " create it first");
    store.append(created("a"));
    assertThatThrownBy(() -> store.append(transition("a", 2))).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("append Transitioned #2 to rollout 'a': transition 2 conflicts with the stored"
            + " history, which expects 1");
    assertThatThrownBy(() -> store.append(created("a"))).isInstanceOf(StoreException.class)
        .hasMessage("append Created to rollout 'a': rollout 'a' already exists in this store");
    assertThat(rows(database, "SELECT count(*) FROM ringfence_journal")).containsExactly(List.of(1L));
  }

  @Test
  void undecodableBody_failsTheReadWithItsPosition() {
    store.append(created("a"));
    database.execute("UPDATE ringfence_journal SET entry = '{\"v\":99}'");
    assertThatThrownBy(() -> store.read("a")).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("read rollout 'a': journal position 1: journal record format 99 is newer");
  }

  // ---------------------------------------------------------------- columns, admissions, notifications

  @Test
  void indexedColumns_describeEachEntry_andTheBodyKeepsTheExactInstant() {
    Instant farFuture = Instant.MAX;
    JournalEntry.Created c = new JournalEntry.Created("a", farFuture, Fixtures.spec("a", Fixtures.fourRings()),
        List.of());
    Instant nanos = Instant.parse("2026-11-23T10:00:00.123456789Z");
    store.append(c);
    store.append(new JournalEntry.Transitioned("a", 1, nanos, RolloutState.PLANNED, RolloutState.RUNNING,
        Trigger.START, 0, "go", null));
    store.append(new JournalEntry.Admitted("a", nanos, "host-1", 0));
    store.append(new JournalEntry.Reverted("a", nanos, "host-1"));

    assertThat(store.read("a").get(0)).isEqualTo(c);
    assertThat(store.read("a").get(1).at()).isEqualTo(nanos);
    Instant micros = Instant.parse("2026-11-23T10:00:00.123457Z"); // timestamptz keeps microseconds
    assertThat(rows(database, "SELECT position, rollout_id, kind, sequence, endpoint_id FROM ringfence_journal"
        + " ORDER BY position")).containsExactly(
            Arrays.asList(1L, "a", "created", null, null),
            Arrays.asList(2L, "a", "transition", 1L, null),
            Arrays.asList(3L, "a", "admitted", null, "host-1"),
            Arrays.asList(4L, "a", "reverted", null, "host-1"));
    try (Connection conn = database.connect();
        PreparedStatement ps = conn.prepareStatement("SELECT at FROM ringfence_journal WHERE position = ?")) {
      ps.setLong(1, 2);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(micros);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void duplicateAdmissions_stayInTheJournal_theAdmissionSetKeepsTheFirst() {
    store.append(created("a"));
    store.append(new JournalEntry.Admitted("a", T0, "host-1", 0));
    store.append(new JournalEntry.Admitted("a", T0.plusSeconds(60), "host-1", 1));
    store.append(new JournalEntry.Admitted("a", T0.plusSeconds(1), "host-2", 0));

    assertThat(store.read("a")).hasSize(4);
    assertThat(rows(database, "SELECT endpoint_id, ring_index, admitted_at = '2026-11-23T10:00:00Z'"
        + " FROM ringfence_admission WHERE rollout_id = 'a' ORDER BY endpoint_id"))
        .containsExactly(List.of("host-1", 0, true), List.of("host-2", 0, false));
  }

  @Test
  void committedTransitions_areAnnouncedOnTheChannel_refusedOnesAreNot() throws Exception {
    store.append(created("a"));
    try (Connection listener = database.connect()) {
      listener.createStatement().execute("LISTEN " + PostgresRolloutStore.NOTIFY_CHANNEL);
      PGConnection pg = listener.unwrap(PGConnection.class);

      store.append(transition("a", 1));
      assertThatThrownBy(() -> store.append(transition("a", 3))).isInstanceOf(StoreException.class);
      store.append(new JournalEntry.Admitted("a", T0, "host-1", 0));
      store.append(transition("a", 2));

      // Delivered in commit order: a notification of the refused transition 3 would come before "a:2".
      List<String> received = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        PGNotification[] batch = pg.getNotifications(1_000);
        for (PGNotification n : batch == null ? new PGNotification[0] : batch) {
          assertThat(n.getName()).isEqualTo("ringfence_transition");
          received.add(n.getParameter());
        }
        return received.size() >= 2;
      });
      assertThat(received).containsExactly("a:1", "a:2");
    }
  }

  // ---------------------------------------------------------------- the engine on PostgreSQL

  @Test
  void engineRoundTrip_haltSurvivesARestart_andTheCandidateIsNeverOfferedAgain() {
    PostgresServer.Database db = PostgresServer.newDatabase("engine");
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    ScriptedGate gate = new ScriptedGate();
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock)
        .store(PostgresRolloutStore.create(db.dataSource())).gate(ScriptedGate.TYPE, spec -> gate).build());
    Rollout rollout = engine.createRollout(Fixtures.spec("content-291", Fixtures.fourRings()));
    rollout.start();
    List<String> fleet = IntStream.range(0, 10_000).mapToObj(i -> "host-" + i).collect(Collectors.toList());
    List<String> exposed = fleet.stream().filter(id -> rollout.decide(id, WINDOWS, 41).kind() == Kind.OFFER)
        .collect(Collectors.toList());
    assertThat(exposed).hasSize(50); // the canary's cap

    gate.answer(Outcome.FAIL);
    clock.advance(Duration.ofMinutes(1));
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    RolloutStatus halted = rollout.status();
    assertThat(rows(db, "SELECT endpoint_id FROM ringfence_admission ORDER BY endpoint_id"))
        .containsExactlyInAnyOrderElementsOf(exposed.stream().map(List::<Object>of).collect(Collectors.toList()));

    RolloutEngine restarted = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock)
        .store(PostgresRolloutStore.create(db.dataSource())).gate(ScriptedGate.TYPE, spec -> gate).build());
    Rollout again = restarted.rollout("content-291");
    assertThat(again.status()).isEqualTo(halted);
    gate.answer(Outcome.PASS);
    restarted.tick();
    for (String id : fleet) {
      assertThat(again.decide(id, WINDOWS, 42).kind()).isNotEqualTo(Kind.OFFER);
      assertThat(again.decide(id, WINDOWS, 41).kind()).isNotEqualTo(Kind.OFFER);
    }
    assertThat(again.decide(exposed.get(0), WINDOWS, 42).kind()).isEqualTo(Kind.REVERT);
    assertThat(again.status().revertedCount()).isEqualTo(exposed.size()); // each reported the baseline above
    assertThat(rows(db, "SELECT count(*) FROM ringfence_journal WHERE kind = 'reverted'"))
        .containsExactly(List.of((long) exposed.size()));
  }
}
