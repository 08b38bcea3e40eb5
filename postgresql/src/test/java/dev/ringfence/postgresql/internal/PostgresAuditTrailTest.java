package dev.ringfence.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditTrail;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.JournalFormat;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.postgresql.PostgresRolloutStore;
import dev.ringfence.postgresql.test.PostgresServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store's audit trail: written in the transaction of its journal row, one chain over every replica
 * in commit order, tampering found, and a schema-2 database chained on upgrade.
 */
class PostgresAuditTrailTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static JournalEntry.Created created(String id) {
    return new JournalEntry.Created(id, T0, Fixtures.spec(id, Fixtures.fourRings()), List.of());
  }

  private static JournalEntry.Transitioned transition(String id, long sequence) {
    return new JournalEntry.Transitioned(id, sequence, T0.plusSeconds(sequence), RolloutState.PLANNED,
        RolloutState.RUNNING, Trigger.START, 0, "because", null);
  }

  private static JournalEntry.VerdictRecorded verdict(String id, int n) {
    return new JournalEntry.VerdictRecorded(id, T0.plusSeconds(n), 0,
        new Verdict(Verdict.Outcome.INCONCLUSIVE, "scripted", "tick " + n, Map.of("exposed", (double) n)));
  }

  /** A store with two rollouts: 2 created, 2 transitions, 2 verdicts audited; 1 admission not. */
  private static PostgresServer.Database withHistory(String label) {
    PostgresServer.Database db = PostgresServer.newDatabase(label);
    RolloutStore store = PostgresRolloutStore.create(db.dataSource());
    store.append(created("a"));
    store.append(transition("a", 1));
    store.append(new JournalEntry.Admitted("a", T0, "h1", 0));
    store.append(verdict("a", 1));
    store.append(created("b"));
    store.append(transition("b", 1));
    store.append(verdict("b", 2));
    return db;
  }

  @Test
  void auditAfter_readsTheLinesAfterACursor_inBatches_asTheExportHasThem() {
    PostgresServer.Database db = withHistory("audit_after");
    List<String> all = export(db.dataSource());
    assertThat(PostgresRolloutStore.auditHead(db.dataSource()).lines()).isEqualTo(6);

    List<dev.ringfence.core.store.AuditRecord> first = PostgresRolloutStore.auditAfter(db.dataSource(), 0, 4);
    List<dev.ringfence.core.store.AuditRecord> rest = PostgresRolloutStore.auditAfter(db.dataSource(), 4, 100);
    assertThat(first).extracting(dev.ringfence.core.store.AuditRecord::seq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(rest).extracting(dev.ringfence.core.store.AuditRecord::seq).containsExactly(5L, 6L);
    List<String> lines = new ArrayList<>();
    first.forEach(r -> lines.add(r.toLine()));
    rest.forEach(r -> lines.add(r.toLine()));
    assertThat(lines).isEqualTo(all);
    assertThat(PostgresRolloutStore.auditAfter(db.dataSource(), 6, 10)).isEmpty();
    assertThatThrownBy(() -> PostgresRolloutStore.auditAfter(db.dataSource(), -1, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresRolloutStore.auditAfter(db.dataSource(), 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> export(DataSource dataSource) {
    List<String> lines = new ArrayList<>();
    AuditHead head = PostgresRolloutStore.exportAudit(dataSource, lines::add);
    assertThat(head.lines()).isEqualTo(lines.size());
    return lines;
  }

  private static String broken(PostgresServer.Database db) {
    AuditVerification result = PostgresRolloutStore.verifyAudit(db.dataSource());
    assertThat(result.broken()).as("broken").isPresent();
    return result.broken().orElseThrow();
  }

  @Test
  void audited_appends_areChained_andTheExportVerifiesWithTheFileVerifier() {
    PostgresServer.Database db = withHistory("audit_export");
    List<String> lines = export(db.dataSource());
    assertThat(lines).hasSize(6).allSatisfy(l -> assertThat(l).startsWith("{\"seq\":").doesNotContain("admitted"));
    assertThat(lines.get(0)).contains("\"prev\":\"" + "0".repeat(64) + "\"").contains("\"type\":\"created\"");
    AuditHead head = PostgresRolloutStore.exportAudit(db.dataSource(), l -> { });
    assertThat(AuditTrail.verify(lines, head).intact()).isTrue();
    assertThat(AuditTrail.verify(lines.subList(0, 4), head).broken())
        .hasValueSatisfying(r -> assertThat(r).endsWith("the last 2 lines were cut off"));
    AuditVerification result = PostgresRolloutStore.verifyAudit(db.dataSource());
    assertThat(result.intact()).isTrue();
    assertThat(result.lines()).isEqualTo(6);
    assertThat(result.note()).isEmpty();
  }

  @Test
  void failedAppend_afterItsAuditLineWasWritten_leavesNoAuditLine() {
    PostgresServer.Database db = withHistory("audit_rollback");
    AuditHead before = PostgresRolloutStore.exportAudit(db.dataSource(), l -> { });
    // The transition's NOTIFY comes after its audit line in the transaction: failing it must take the line back.
    RolloutStore failing = PostgresRolloutStore.create(failingOn(db.dataSource(), "pg_notify"));
    assertThatThrownBy(() -> failing.append(transition("a", 2))).isInstanceOf(StoreException.class)
        .hasMessageContaining("injected");
    assertThat(PostgresRolloutStore.exportAudit(db.dataSource(), l -> { })).isEqualTo(before);
    RolloutStore store = PostgresRolloutStore.create(db.dataSource());
    assertThatThrownBy(() -> store.append(transition("a", 5))).isInstanceOf(StoreException.class);
    assertThat(PostgresRolloutStore.exportAudit(db.dataSource(), l -> { })).isEqualTo(before);
    store.append(transition("a", 2));
    assertThat(PostgresRolloutStore.exportAudit(db.dataSource(), l -> { }).lines()).isEqualTo(before.lines() + 1);
    assertThat(PostgresRolloutStore.verifyAudit(db.dataSource()).intact()).isTrue();
  }

  @Test
  void replicasAppendingConcurrently_makeOneUnbrokenChain() throws Exception {
    PostgresServer.Database db = PostgresServer.newDatabase("audit_replicas");
    List<RolloutStore> replicas = List.of(PostgresRolloutStore.create(db.dataSource()),
        PostgresRolloutStore.create(db.dataSource()));
    int threads = 4;
    int perThread = 40;
    for (int t = 0; t < threads; t++) {
      replicas.get(0).append(created("r" + t));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      RolloutStore replica = replicas.get(t % 2);
      String id = "r" + t;
      done.add(pool.submit(() -> {
        go.await();
        for (int i = 1; i <= perThread; i++) {
          replica.append(i % 4 == 0 ? transition(id, i / 4) : verdict(id, i));
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    AuditVerification result = PostgresRolloutStore.verifyAudit(db.dataSource());
    assertThat(result.broken()).isEmpty();
    assertThat(result.lines()).isEqualTo(threads + threads * perThread);
  }

  @Test
  void deletedMiddleLine_isFound() {
    PostgresServer.Database db = withHistory("audit_delete_middle");
    db.execute("DELETE FROM ringfence_audit WHERE seq = 3");
    assertThat(broken(db)).startsWith("line 3:").contains("deleted");
  }

  @Test
  void changedLine_isFound() {
    PostgresServer.Database db = withHistory("audit_change");
    db.execute("UPDATE ringfence_audit SET entry = replace(entry, 'tick 1', 'tick 9') WHERE seq = 3");
    assertThat(broken(db)).startsWith("line 3:").contains("changed");
  }

  @Test
  void deletedLastLine_isFoundAgainstTheHead() {
    PostgresServer.Database db = withHistory("audit_delete_last");
    db.execute("DELETE FROM ringfence_audit WHERE seq = 6");
    assertThat(broken(db)).startsWith("the trail ends at line 5 but the journal recorded 6 lines ending in hash ")
        .endsWith("the last line was cut off");
  }

  @Test
  void truncatedTable_isFoundAgainstTheHead() {
    PostgresServer.Database db = withHistory("audit_truncate");
    db.execute("TRUNCATE ringfence_audit");
    assertThat(broken(db)).startsWith("the trail is empty but the journal recorded 6 lines");
  }

  @Test
  void truncatedTableWithTheHeadReset_isFoundAgainstTheJournal() {
    PostgresServer.Database db = withHistory("audit_truncate_head");
    db.execute("TRUNCATE ringfence_audit", "UPDATE ringfence_audit_head SET lines = 0, hash = repeat('0', 64)");
    assertThat(broken(db)).startsWith("journal row 1 (created of rollout 'a') has no audit line");
  }

  @Test
  void changedOrDeletedJournalRow_isFoundAgainstItsLine() {
    PostgresServer.Database db = withHistory("audit_journal_change");
    db.execute("UPDATE ringfence_journal SET entry = replace(entry, 'because', 'no reason') WHERE kind = 'transition'"
        + " AND rollout_id = 'a'");
    assertThat(broken(db)).startsWith("journal row 2 (transition of rollout 'a') differs from its audit line 2");
    PostgresServer.Database other = withHistory("audit_journal_delete");
    other.execute("DELETE FROM ringfence_journal WHERE kind = 'verdict' AND rollout_id = 'b'");
    assertThat(broken(other)).isEqualTo("audit line 6 belongs to journal row 7, which is gone: a journal row was"
        + " deleted");
  }

  @Test
  void upgradeFromSchemaVersion2_chainsTheJournalsRows_andGoesOn() throws SQLException {
    PostgresServer.Database db = PostgresServer.newDatabase("audit_upgrade");
    List<String> schema2 = new ArrayList<>(JdbcRolloutStore.statements("V1__journal.sql"));
    schema2.addAll(JdbcRolloutStore.statements("V2__halted.sql"));
    schema2.add("CREATE TABLE ringfence_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)");
    schema2.add("INSERT INTO ringfence_schema_version VALUES (1, now()), (2, now())");
    schema2.add("INSERT INTO ringfence_rollout (rollout_id, created_at, last_sequence) VALUES ('old', now(), 1)");
    List<JournalEntry> old = List.of(created("old"), transition("old", 1),
        new JournalEntry.Admitted("old", T0, "h1", 0), verdict("old", 1));
    for (JournalEntry e : old) {
      String kind = e instanceof JournalEntry.Created ? "created" : e instanceof JournalEntry.Transitioned
          ? "transition" : e instanceof JournalEntry.Admitted ? "admitted" : "verdict";
      schema2.add("INSERT INTO ringfence_journal (rollout_id, kind, sequence, at, endpoint_id, entry) VALUES ('old', '"
          + kind + "', " + (kind.equals("transition") ? "1" : "NULL") + ", now(), "
          + (kind.equals("admitted") ? "'h1'" : "NULL") + ", '"
          + new String(JournalFormat.encode(e), StandardCharsets.UTF_8).replace("'", "''") + "')");
    }
    db.execute(schema2.toArray(String[]::new));
    assertThatThrownBy(() -> PostgresRolloutStore.verifyAudit(db.dataSource())).isInstanceOf(StoreException.class)
        .hasMessageContaining("schema is version 2, which keeps no audit trail");

    RolloutStore store = PostgresRolloutStore.create(db.dataSource());
    List<String> lines = export(db.dataSource());
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).contains("\"type\":\"transition\"");
    assertThat(PostgresRolloutStore.verifyAudit(db.dataSource()).broken()).isEmpty();
    store.append(transition("old", 2));
    assertThat(PostgresRolloutStore.verifyAudit(db.dataSource()).lines()).isEqualTo(4);
    assertThat(PostgresRolloutStore.verifyAudit(db.dataSource()).broken()).isEmpty();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(version) FROM ringfence_schema_version")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(PostgresRolloutStore.SCHEMA_VERSION);
    }
  }

  /** A data source whose connections fail any statement whose SQL contains {@code marker}. */
  private static DataSource failingOn(DataSource real, String marker) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          Object result = invoke(real, method, args);
          if (!(result instanceof Connection)) {
            return result;
          }
          Connection c = (Connection) result;
          return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> {
                if (m.getName().equals("prepareStatement") && a != null && a[0] instanceof String
                    && ((String) a[0]).contains(marker)) {
                  throw new SQLException("injected failure on " + marker, "XX000");
                }
                return invoke(c, m, a);
              });
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
