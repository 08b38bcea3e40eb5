package dev.ringfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.store.FileRolloutStore;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.postgresql.PostgresRolloutStore;
import dev.ringfence.postgresql.test.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringfence audit verify} finds emptied and cut-off trails; {@code audit export} with PostgreSQL. */
class AuditCommandTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @TempDir
  Path dir;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    int code = RingfenceCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return code;
  }

  private static void history(RolloutStore store) {
    RolloutSpec spec = RolloutSpec.builder("r").channel("c").baseline(1).candidate(2)
        .plan(Plans.fromFile(Path.of("../simulator/src/main/resources/scenarios/content-rings-plan.json"))).build();
    store.append(new JournalEntry.Created("r", T0, spec, List.of()));
    for (int n = 1; n <= 4; n++) {
      store.append(new JournalEntry.Transitioned("r", n, T0.plusSeconds(n), RolloutState.RUNNING,
          RolloutState.PAUSED, Trigger.PAUSE, 0, "alice: step " + n, null));
    }
  }

  private Path journal() {
    Path journal = dir.resolve("journal");
    try (FileRolloutStore store = RolloutStores.file(journal)) {
      history(store);
    }
    return journal;
  }

  @Test
  void verify_fileJournal_intact_thenCutOff_thenEmptied() throws Exception {
    Path journal = journal();
    assertThat(run("audit", "verify", journal.toString())).isEqualTo(0);
    assertThat(out.toString()).contains("intact, 5 records chained by SHA-256, ending at the recorded head 5:");

    Path trail = journal.resolve("audit.jsonl");
    List<String> lines = Files.readAllLines(trail);
    Files.write(trail, lines.subList(0, 2));
    assertThat(run("audit", "verify", trail.toString())).as("the journal beside the trail is used").isEqualTo(1);
    assertThat(out.toString()).contains("BROKEN: the trail ends at line 2 but the journal recorded 5 lines ending in"
        + " hash ").contains(": the last 3 lines were cut off");

    Files.write(trail, new byte[0]);
    assertThat(run("audit", "verify", journal.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("BROKEN: the trail is empty but the journal recorded 5 lines");
  }

  @Test
  void verify_aFolderThatIsNoJournal_isRefused_neverCalledIntact() throws Exception {
    Path journal = journal();
    assertThat(run("audit", "verify", dir.toString())).as("one level above the journal").isEqualTo(2);
    assertThat(err.toString()).contains(dir + ": no file journal here (no journal.N or snapshot.N)");
    assertThat(out.toString()).doesNotContain("intact");
    // The journal deleted and the trail cut: nothing left to check the trail against, so not "intact" either.
    try (var files = Files.list(journal)) {
      for (Path f : files.filter(f -> !f.getFileName().toString().equals("audit.jsonl")).toList()) {
        Files.delete(f);
      }
    }
    Path trail = journal.resolve("audit.jsonl");
    Files.write(trail, Files.readAllLines(trail).subList(0, 2));
    assertThat(run("audit", "verify", journal.toString())).isEqualTo(2);
    assertThat(out.toString()).doesNotContain("intact");
  }

  @Test
  void verify_exportAlone_saysWhatItCannotSee_andWithItsHead_findsTheCut() throws Exception {
    Path journal = journal();
    Path copy = Files.copy(journal.resolve("audit.jsonl"), dir.resolve("copy.jsonl"));
    assertThat(run("audit", "verify", copy.toString())).isEqualTo(0);
    assertThat(out.toString()).contains("note: no journal beside it and no --head");
    assertThat(run("audit", "verify", journal.toString())).isEqualTo(0);
    Matcher head = Pattern.compile("recorded head (\\d+):").matcher(out.toString());
    assertThat(head.find()).isTrue();
    List<String> lines = Files.readAllLines(copy);
    String fullHead = lines.get(lines.size() - 1).replaceAll(".*\"hash\":\"([0-9a-f]{64})\".*", "$1");
    Files.write(copy, lines.subList(0, lines.size() - 1));
    assertThat(run("audit", "verify", copy.toString(), "--head", "5:" + fullHead)).isEqualTo(1);
    assertThat(out.toString()).contains("the last line was cut off");
    assertThat(run("audit", "verify", copy.toString(), "--head", "five")).isEqualTo(2);
    assertThat(err.toString()).contains("head").contains("expected <lines>:<sha-256>");
  }

  @Test
  void postgresql_verifyAndExport_thenTheExportVerifiesWithItsHead() throws Exception {
    PostgresServer.Database db = PostgresServer.newDatabase("cli_audit");
    history(PostgresRolloutStore.create(db.dataSource()));
    // The password comes from RINGFENCE_JDBC_PASSWORD; the test database's URL carries it instead.
    String url = db.url() + (db.url().contains("?") ? "&" : "?") + "password=" + db.password();
    assertThat(run("audit", "verify", "--jdbc-url", url, "--jdbc-user", db.user())).isEqualTo(0);
    assertThat(out.toString()).contains("intact, 5 records");

    Path export = dir.resolve("export.jsonl");
    assertThat(run("audit", "export", "--jdbc-url", url, "--jdbc-user", db.user(), "--out", export.toString()))
        .isEqualTo(0);
    Matcher head = Pattern.compile("--head (\\S+)").matcher(out.toString());
    assertThat(head.find()).as(out.toString()).isTrue();
    assertThat(run("audit", "verify", export.toString(), "--head", head.group(1))).isEqualTo(0);
    List<String> lines = Files.readAllLines(export);
    Files.write(export, lines.subList(0, 3));
    assertThat(run("audit", "verify", export.toString(), "--head", head.group(1))).isEqualTo(1);
    assertThat(out.toString()).contains("the last 2 lines were cut off");

    db.execute("DELETE FROM ringfence_audit WHERE seq = 5");
    assertThat(run("audit", "verify", "--jdbc-url", url, "--jdbc-user", db.user())).isEqualTo(1);
    assertThat(out.toString()).contains("BROKEN: the trail ends at line 4");
  }
}
