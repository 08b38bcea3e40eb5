package dev.ringfence.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail checked against the heads the journal records: an emptied, cut-off or replaced trail is
 * broken, a trail a crash left one line apart from its journal is mended on open, an old journal without heads
 * still verifies (with the caveat said).
 */
class AuditHeadTest {

  @TempDir
  Path directory;

  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  private final ScriptedGate gate = new ScriptedGate();

  /** Creates, starts and halts a rollout, with verdicts in between: several audited entries. */
  private void runToHalt(Path dir, String id) {
    try (FileRolloutStore store = RolloutStores.file(dir)) {
      RolloutEngine engine = Fixtures.engine(clock, store, gate);
      Rollout rollout = engine.createRollout(Fixtures.spec(id, Fixtures.fourRings()));
      rollout.start();
      for (int i = 0; i < 2_000; i++) {
        rollout.decide("h" + i, Fixtures.WINDOWS, 41);
      }
      clock.advance(Duration.ofMinutes(31));
      engine.tick();
      gate.answer(Outcome.FAIL);
      engine.tick();
    }
  }

  private Path trail() {
    return directory.resolve("audit.jsonl");
  }

  private List<String> trailLines() throws IOException {
    return Files.readAllLines(trail());
  }

  private void writeTrail(List<String> lines) throws IOException {
    Files.write(trail(), lines);
  }

  /**
   * Halts rollout {@code r}, then cuts the last {@code n} lines off its audit trail behind the journal's back.
   *
   * @return the trail's lines before the cut
   */
  private List<String> haltedWithTheTrailCut(int n) throws IOException {
    runToHalt(directory, "r");
    List<String> lines = trailLines();
    writeTrail(lines.subList(0, lines.size() - n));
    return lines;
  }

  @Test
  void verifyJournal_intactStore_endsAtTheRecordedHead() throws IOException {
    runToHalt(directory, "r");
    AuditVerification result = AuditTrail.verifyJournal(directory);
    assertThat(result.broken()).isEmpty();
    assertThat(result.note()).isEmpty();
    assertThat(result.lines()).isEqualTo(trailLines().size()).isGreaterThanOrEqualTo(5);
    assertThat(result.recorded()).hasValueSatisfying(h -> assertThat(h.lines()).isEqualTo(result.lines()));
  }

  @Test
  void verifyJournal_emptiedTrail_isBrokenNamingTheRecordedLines_andTheStoreRefusesToOpen() throws IOException {
    runToHalt(directory, "r");
    long recorded = trailLines().size();
    Files.write(trail(), new byte[0]);
    AuditVerification result = AuditTrail.verifyJournal(directory);
    assertThat(result.broken()).hasValueSatisfying(r -> assertThat(r)
        .startsWith("the trail is empty but the journal recorded " + recorded + " lines ending in hash "));
    assertThatThrownBy(() -> RolloutStores.file(directory)).isInstanceOf(StoreException.class)
        .hasMessageContaining("audit.jsonl does not end where the journal says it does")
        .hasMessageContaining("the trail is empty").hasMessageContaining("restore the trail from a backup");
    Files.delete(trail());
    assertThat(AuditTrail.verifyJournal(directory).broken()).hasValueSatisfying(r -> assertThat(r)
        .startsWith("the trail is empty"));
  }

  @Test
  void verifyJournal_lastLinesCutOff_isBrokenCountingThem() throws IOException {
    List<String> lines = haltedWithTheTrailCut(3);
    assertThat(AuditTrail.verify(trail())).as("the chain alone cannot see it").isEmpty();
    AuditVerification result = AuditTrail.verifyJournal(directory);
    assertThat(result.broken()).hasValueSatisfying(r -> assertThat(r)
        .startsWith("the trail ends at line " + (lines.size() - 3) + " but the journal recorded " + lines.size()
            + " lines ending in hash ").endsWith(": the last 3 lines were cut off"));
    assertThatThrownBy(() -> RolloutStores.file(directory)).isInstanceOf(StoreException.class)
        .hasMessageContaining("the last 3 lines were cut off");
  }

  @Test
  void verifyJournal_trailReplacedByAnotherValidChain_isBroken() throws IOException {
    runToHalt(directory, "r");
    Path other = directory.resolve("other");
    runToHalt(other, "other");
    List<String> shorter = Files.readAllLines(other.resolve("audit.jsonl"));
    writeTrail(shorter.subList(0, shorter.size() - 1));
    assertThat(AuditTrail.verify(trail())).as("a valid chain on its own").isEmpty();
    assertThat(AuditTrail.verifyJournal(directory).broken()).hasValueSatisfying(r -> assertThat(r)
        .contains("but the journal recorded").contains("the trail was rewritten or replaced"));
  }

  @Test
  void verifyJournal_lineChangedOrDeletedInTheMiddle_isStillNamed() throws IOException {
    runToHalt(directory, "r");
    List<String> lines = trailLines();
    List<String> changed = new ArrayList<>(lines);
    changed.set(2, changed.get(2).replaceFirst("2026-11-23", "2026-11-24"));
    writeTrail(changed);
    assertThat(AuditTrail.verifyJournal(directory).broken()).hasValueSatisfying(r -> assertThat(r)
        .startsWith("line 3:").contains("changed"));
    List<String> deleted = new ArrayList<>(lines);
    deleted.remove(1);
    writeTrail(deleted);
    assertThat(AuditTrail.verifyJournal(directory).broken()).hasValueSatisfying(r -> assertThat(r)
        .startsWith("line 2:"));
  }

  @Test
  void crashAfterTheJournalRecordBeforeTheTrailLine_isReported_andTheOpenWritesTheLine() throws IOException {
    List<String> lines = haltedWithTheTrailCut(1);
    AuditVerification result = AuditTrail.verifyJournal(directory);
    assertThat(result.broken()).isEmpty();
    assertThat(result.note()).hasValueSatisfying(n -> assertThat(n)
        .contains("lacks its last line " + lines.size()).contains("opening the store writes it"));
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.recoveryReport()).hasValueSatisfying(r -> assertThat(r).contains("written from the journal"));
    }
    assertThat(trailLines()).isEqualTo(lines);
    assertThat(AuditTrail.verifyJournal(directory).note()).isEmpty();
  }

  @Test
  void crashAfterTheTrailLineWithTheJournalRecordLost_isReported_andTheOpenRemovesTheLine() throws IOException {
    runToHalt(directory, "r");
    List<String> lines = trailLines();
    Path journal = directory.resolve("journal.0");
    List<byte[]> records = records(Files.readAllBytes(journal));
    byte[] last = records.get(records.size() - 1);
    assertThat(new String(last, StandardCharsets.UTF_8)).as("the last record is audited").contains("\"audit\":");
    Files.write(journal, join(records.subList(0, records.size() - 1)));

    AuditVerification result = AuditTrail.verifyJournal(directory);
    assertThat(result.broken()).isEmpty();
    assertThat(result.note()).hasValueSatisfying(n -> assertThat(n)
        .contains("line " + lines.size() + " is past the head the journal recorded"));
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.recoveryReport()).hasValueSatisfying(r -> assertThat(r).contains("removed"));
    }
    assertThat(trailLines()).isEqualTo(lines.subList(0, lines.size() - 1));
    assertThat(AuditTrail.verifyJournal(directory).note()).isEmpty();
  }

  @Test
  void twoLinesApart_isMoreThanACrashLeaves_andIsBroken() throws IOException {
    haltedWithTheTrailCut(2);
    assertThat(AuditTrail.verifyJournal(directory).broken()).hasValueSatisfying(r -> assertThat(r)
        .endsWith("the last 2 lines were cut off"));
  }

  @Test
  void oldJournalWithoutHeads_verifiesItsChain_withTheCaveat_andRecordsHeadsFromItsNextEntry() throws IOException {
    runToHalt(directory, "r");
    Path journal = directory.resolve("journal.0");
    List<byte[]> records = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (byte[] record : records(Files.readAllBytes(journal))) {
      ObjectNode tree = (ObjectNode) mapper.readTree(record);
      tree.remove("audit"); // as a journal written before heads were recorded
      records.add(tree.toString().getBytes(StandardCharsets.UTF_8));
    }
    Files.write(journal, join(records));
    AuditVerification old = AuditTrail.verifyJournal(directory);
    assertThat(old.broken()).isEmpty();
    assertThat(old.recorded()).isEmpty();
    assertThat(old.note()).hasValueSatisfying(n -> assertThat(n).contains("records no audit head"));

    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.recoveryReport()).isEmpty();
      Fixtures.engine(clock, store, gate).createRollout(Fixtures.spec("next", Fixtures.fourRings()));
    }
    AuditVerification upgraded = AuditTrail.verifyJournal(directory);
    assertThat(upgraded.note()).isEmpty();
    assertThat(upgraded.recorded()).hasValueSatisfying(h -> assertThat(h.lines()).isEqualTo(upgraded.lines()));
  }

  @Test
  void compaction_keepsTheHeadInTheSnapshot_soACutTailIsStillSeen() throws IOException {
    runToHalt(directory, "r");
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      store.compact();
    }
    assertThat(directory.resolve("journal.1")).isEmptyFile();
    assertThat(AuditTrail.verifyJournal(directory).note()).isEmpty();
    List<String> lines = trailLines();
    writeTrail(lines.subList(0, lines.size() - 1));
    assertThat(AuditTrail.verifyJournal(directory).broken()).as("no journal record to rebuild it from")
        .hasValueSatisfying(r -> assertThat(r).endsWith("the last line was cut off"));
  }

  @Test
  void verify_exportAgainstItsHead_isStrict() throws IOException {
    runToHalt(directory, "r");
    List<String> lines = trailLines();
    AuditHead head = AuditTrail.verifyJournal(directory).recorded().orElseThrow();
    assertThat(AuditTrail.verify(lines, head).intact()).isTrue();
    assertThat(AuditTrail.verify(lines.subList(0, lines.size() - 1), head).broken())
        .hasValueSatisfying(r -> assertThat(r).endsWith("the last line was cut off"));
    assertThat(AuditTrail.verify(List.of(), head).broken())
        .hasValueSatisfying(r -> assertThat(r).startsWith("the trail is empty but the journal recorded"));
    assertThat(AuditHead.parse(head.toString())).isEqualTo(head);
  }

  @Test
  void auditHead_badInput_isRefusedNamingTheField() {
    assertThatThrownBy(() -> new AuditHead(-1, AuditRecord.GENESIS)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("lines").hasMessageContaining("-1");
    assertThatThrownBy(() -> new AuditHead(3, "ab12")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("hash").hasMessageContaining("64 lowercase hex");
    assertThatThrownBy(() -> AuditHead.parse("fifteen:ab")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("head").hasMessageContaining("not a whole number");
  }

  /** The payloads of a journal file's records. */
  private static List<byte[]> records(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    List<byte[]> out = new ArrayList<>();
    int offset = 0;
    while (offset < bytes.length) {
      int length = buffer.getInt(offset);
      byte[] payload = new byte[length];
      System.arraycopy(bytes, offset + 8, payload, 0, length);
      out.add(payload);
      offset += 8 + length;
    }
    return out;
  }

  /** Frames payloads as journal records: length, CRC-32C, payload. */
  private static byte[] join(List<byte[]> payloads) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] payload : payloads) {
      CRC32C crc = new CRC32C();
      crc.update(payload);
      out.writeBytes(ByteBuffer.allocate(8).putInt(payload.length).putInt((int) crc.getValue()).array());
      out.writeBytes(payload);
    }
    return out.toByteArray();
  }
}
