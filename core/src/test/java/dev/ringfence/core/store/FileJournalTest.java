package dev.ringfence.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file journal's own promises: restart, torn tails, corruption, the lock, compaction, audit. */
class FileJournalTest {

  @TempDir
  Path directory;

  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  private final ScriptedGate gate = new ScriptedGate();

  private List<String> offered(Rollout rollout) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      if (rollout.decide("h" + i, Fixtures.WINDOWS, 41).kind() == Decision.Kind.OFFER) {
        ids.add("h" + i);
      }
    }
    return ids;
  }

  private Path journal(long generation) {
    return directory.resolve("journal." + generation);
  }

  /** Runs a rollout to a halt in ring 1 and returns what a restart must see. */
  private RolloutStatusAndOffers runToHalt(FileRolloutStore store) {
    RolloutEngine engine = Fixtures.engine(clock, store, gate);
    Rollout rollout = engine.createRollout(Fixtures.spec("r", Fixtures.fourRings()));
    rollout.start();
    offered(rollout);
    clock.advance(Duration.ofMinutes(31));
    engine.tick();
    List<String> exposed = offered(rollout);
    gate.answer(Outcome.FAIL);
    engine.tick();
    return new RolloutStatusAndOffers(rollout.status(), exposed);
  }

  private record RolloutStatusAndOffers(dev.ringfence.core.RolloutStatus status, List<String> exposed) {}

  @Test
  void restart_rebuildsTheHaltedRollout_andNeverOffersTheCandidate() {
    RolloutStatusAndOffers before;
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      before = runToHalt(store);
    }
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.recoveryReport()).isEmpty();
      Rollout again = Fixtures.engine(clock, store, gate).rollout("r");
      assertThat(again.status()).isEqualTo(before.status());
      assertThat(again.state()).isEqualTo(RolloutState.ROLLING_BACK);
      assertThat(offered(again)).isEmpty();
      assertThat(again.decide(before.exposed().get(0), Fixtures.WINDOWS, 42).kind()).isEqualTo(Decision.Kind.REVERT);
    }
  }

  @Test
  void tornTail_isTruncatedAndReported_andEverythingBeforeItSurvives() throws IOException {
    RolloutStatusAndOffers before;
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      before = runToHalt(store);
    }
    long size = Files.size(journal(0));
    // A record whose header announces 500 bytes, of which only 3 reached the disk.
    Files.write(journal(0), ByteBuffer.allocate(11).putInt(500).putInt(1234).put(new byte[] {1, 2, 3}).array(),
        StandardOpenOption.APPEND);
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.recoveryReport()).hasValueSatisfying(r -> assertThat(r).contains("torn tail of 11 bytes")
          .contains("offset " + size).contains("journal.0"));
      assertThat(Files.size(journal(0))).isEqualTo(size);
      assertThat(Fixtures.engine(clock, store, gate).rollout("r").status()).isEqualTo(before.status());
    }
  }

  @Test
  void lastRecordWithABadChecksum_isATornWrite_andIsTruncated() throws IOException {
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      runToHalt(store);
    }
    byte[] bytes = Files.readAllBytes(journal(0));
    int lastStart = lastRecordOffset(bytes);
    bytes[bytes.length - 2] ^= 0x20; // flip a bit in the last record's payload
    Files.write(journal(0), bytes);
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.recoveryReport()).hasValueSatisfying(r -> assertThat(r).contains("offset " + lastStart));
      assertThat(Files.size(journal(0))).isEqualTo(lastStart);
    }
  }

  @Test
  void corruptRecordInTheMiddle_stopsStartUp_namingFileAndOffset() throws IOException {
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      runToHalt(store);
    }
    byte[] bytes = Files.readAllBytes(journal(0));
    int length = ByteBuffer.wrap(bytes).getInt(0);
    int second = 8 + length;
    bytes[second + 8 + 5] ^= 0x01; // a payload byte of the second record
    Files.write(journal(0), bytes);
    assertThatThrownBy(() -> RolloutStores.file(directory)).isInstanceOf(StoreException.class)
        .hasMessageContaining("journal.0").hasMessageContaining("corrupt at offset " + second)
        .hasMessageContaining("backup");
    assertThat(Files.readAllBytes(journal(0))).isEqualTo(bytes); // nothing was truncated or skipped
  }

  @Test
  void open_fileNamedLikeAGenerationBeyondLong_isLeftAlone() throws IOException {
    // Seen while writing FileJournalFuzzTest: Long.parseLong of such a name escaped as NumberFormatException.
    Files.write(directory.resolve("journal.99999999999999999999"), new byte[] {1, 2, 3});
    Files.write(directory.resolve("snapshot.99999999999999999999"), new byte[] {1, 2, 3});
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.rolloutIds()).isEmpty();
    }
    assertThat(directory.resolve("journal.99999999999999999999")).exists();
  }

  @Test
  void open_auditLineWithoutItsFields_isRefusedNamingTheLineAndField() throws IOException {
    // Found by FileJournalFuzzTest: such a line used to escape as a NullPointerException.
    Files.writeString(directory.resolve("audit.jsonl"), "{\"seq\":1,\"hash\":\"ab\"}\n{\"seq\":2}\n");
    assertThatThrownBy(() -> RolloutStores.file(directory)).isInstanceOf(StoreException.class)
        .hasMessageContaining("audit.jsonl line 2").hasMessageContaining("'hash'");
    Files.writeString(directory.resolve("audit.jsonl"), "\n");
    assertThatThrownBy(() -> RolloutStores.file(directory)).isInstanceOf(StoreException.class)
        .hasMessageContaining("line 1 is not a JSON object");
  }

  @Test
  void secondOpenOfTheSameDirectory_getsAClearError() {
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThatThrownBy(() -> RolloutStores.file(directory)).isInstanceOf(StoreException.class)
          .hasMessageContaining("in use").hasMessageContaining(store.directory().toString());
    }
    try (FileRolloutStore reopened = RolloutStores.file(directory)) {
      assertThat(reopened.recoveryReport()).isEmpty(); // released on close
    }
  }

  @Test
  void compaction_keepsTheStateDropsSupersededEntries_andStartsANewGeneration() throws IOException {
    RolloutStatusAndOffers before;
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      before = runToHalt(store);
      int entriesBefore = store.read("r").size();
      store.compact();
      assertThat(store.read("r")).hasSize(entriesBefore); // the index is not rewritten until restart
      assertThat(Files.exists(directory.resolve("snapshot.1"))).isTrue();
      assertThat(Files.exists(journal(0))).isFalse();
      assertThat(Files.size(journal(1))).isZero();
    }
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      Rollout again = Fixtures.engine(clock, store, gate).rollout("r");
      assertThat(again.status()).isEqualTo(before.status());
      assertThat(store.read("r").stream().filter(e -> e instanceof JournalEntry.VerdictRecorded)).hasSize(1);
    }
  }

  @Test
  void automaticCompaction_bySize_keepsRestartsExact() {
    RolloutStatusAndOffers before;
    try (FileRolloutStore store = RolloutStores.file(directory, 4_096)) {
      before = runToHalt(store);
    }
    try (Stream<Path> files = Files.list(directory)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
      assertThat(names).anyMatch(n -> n.startsWith("snapshot."));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try (FileRolloutStore store = RolloutStores.file(directory, 4_096)) {
      assertThat(Fixtures.engine(clock, store, gate).rollout("r").status()).isEqualTo(before.status());
    }
  }

  @Test
  void concurrentAppendsWithFrequentCompactions_neitherDeadlockNorLoseEntries() throws Exception {
    int threads = 4;
    int perThread = 1_500;
    try (FileRolloutStore store = RolloutStores.file(directory, 8_192)) {
      store.append(new JournalEntry.Created("c", clock.instant(), Fixtures.spec("c", Fixtures.fourRings()),
          List.of()));
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            store.append(new JournalEntry.Admitted("c", clock.instant(), "t" + thread + "-" + i, 0));
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get(2, java.util.concurrent.TimeUnit.MINUTES); // a lock-order deadlock fails here instead of hanging
      }
      pool.shutdown();
      assertThat(store.read("c")).hasSize(1 + threads * perThread);
    }
    try (FileRolloutStore store = RolloutStores.file(directory, 8_192)) {
      assertThat(store.read("c").stream().filter(e -> e instanceof JournalEntry.Admitted)).hasSize(threads * perThread);
      assertThat(store.recoveryReport()).isEmpty();
    }
  }

  @Test
  void leftoverTemporarySnapshot_fromACrashedCompaction_isIgnored() throws IOException {
    RolloutStatusAndOffers before;
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      before = runToHalt(store);
    }
    Files.write(directory.resolve("snapshot.1.tmp"), new byte[] {0, 0, 0, 9, 1});
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(Fixtures.engine(clock, store, gate).rollout("r").status()).isEqualTo(before.status());
      assertThat(Files.exists(directory.resolve("snapshot.1.tmp"))).isFalse();
    }
  }

  @Test
  void olderSnapshotLeftByAKilledCompaction_isRemovedOnOpen() throws IOException {
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      runToHalt(store);
      store.compact();
      store.compact();
    }
    Files.copy(directory.resolve("snapshot.2"), directory.resolve("snapshot.1")); // as if the delete never ran
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      assertThat(store.recoveryReport()).isEmpty();
      assertThat(Files.exists(directory.resolve("snapshot.1"))).isFalse();
      assertThat(Files.exists(directory.resolve("snapshot.2"))).isTrue();
    }
  }

  @Test
  void recordFromANewerFormat_stopsStartUpWithATypedError() throws IOException {
    byte[] payload = "{\"v\":9,\"type\":\"created\",\"rolloutId\":\"r\",\"at\":\"2026-11-23T10:00:00Z\"}"
        .getBytes(StandardCharsets.UTF_8);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(payload);
    Files.write(journal(0), ByteBuffer.allocate(8 + payload.length).putInt(payload.length)
        .putInt((int) crc.getValue()).put(payload).array());
    assertThatThrownBy(() -> RolloutStores.file(directory)).isInstanceOf(StoreException.class)
        .hasMessageContaining("format 9 is newer").hasMessageContaining("offset 0");
  }

  @Test
  void auditTrail_holdsDecisionsWithNumbersAndReasons_andVerifies() {
    Plan plan = Plan.builder("audited")
        .ring(Ring.named("canary").share(100).cap(50).bakeTime(Duration.ofMinutes(30)).gate(GateSpec.of("scripted"))
            .build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.of("scripted")).build())
        .override(new LintOverride(LintRule.STEP_TOO_LARGE, "all", "tiny lab fleet, twelve machines"))
        .build();
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      RolloutEngine engine = Fixtures.engine(clock, store, gate);
      Rollout rollout = engine.createRollout(Fixtures.spec("a", plan));
      rollout.start();
      offered(rollout);
      rollout.pause("alice: waiting for the incident review");
      gate.answer(Outcome.FAIL);
      engine.tick();
      assertThat(AuditTrail.verify(store.auditFile())).isEmpty();
      String trail = String.join("\n", AuditTrail.lines(store.auditFile()));
      assertThat(trail).contains("tiny lab fleet, twelve machines").contains("STEP_TOO_LARGE")
          .contains("alice: waiting for the incident review").contains("\"outcome\":\"FAIL\"")
          .contains("\"evidence\":{\"exposed\":50.0}").doesNotContain("\"type\":\"admitted\"");
    }
  }

  @Test
  void auditTrail_changedDeletedInsertedOrReorderedLine_isFoundAndNamed() throws IOException {
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      runToHalt(store);
    }
    Path audit = directory.resolve("audit.jsonl");
    List<String> lines = Files.readAllLines(audit);
    assertThat(lines.size()).isGreaterThanOrEqualTo(5);
    assertThat(AuditTrail.verify(audit)).isEmpty();

    List<String> changed = new ArrayList<>(lines);
    assertThat(changed.get(2)).contains("2026-11-23");
    changed.set(2, changed.get(2).replaceFirst("2026-11-23", "2026-11-24"));
    assertThat(verify(changed)).hasValueSatisfying(r -> assertThat(r).startsWith("line 3:").contains("changed"));

    List<String> deleted = new ArrayList<>(lines);
    deleted.remove(1);
    assertThat(verify(deleted)).hasValueSatisfying(r -> assertThat(r).startsWith("line 2:"));

    List<String> inserted = new ArrayList<>(lines);
    inserted.add(2, lines.get(1));
    assertThat(verify(inserted)).hasValueSatisfying(r -> assertThat(r).startsWith("line 3:"));

    List<String> reordered = new ArrayList<>(lines);
    reordered.set(1, lines.get(2));
    reordered.set(2, lines.get(1));
    assertThat(verify(reordered)).hasValueSatisfying(r -> assertThat(r).startsWith("line 2:"));
  }

  @Test
  void auditTrail_continuesItsChainAcrossRestarts() {
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      runToHalt(store);
    }
    try (FileRolloutStore store = RolloutStores.file(directory)) {
      RolloutEngine engine = Fixtures.engine(clock, store, gate);
      engine.createRollout(Fixtures.spec("second", Fixtures.fourRings())).start();
      assertThat(AuditTrail.verify(store.auditFile())).isEmpty();
    }
  }

  @Test
  void storeFailure_engineHoldsInsteadOfOffering() {
    FileRolloutStore store = RolloutStores.file(directory);
    RolloutEngine engine = Fixtures.engine(clock, store, gate);
    Rollout rollout = engine.createRollout(Fixtures.spec("r", Fixtures.fourRings()));
    rollout.start();
    store.close(); // the journal is gone: every append fails
    for (int i = 0; i < 2_000; i++) {
      assertThat(rollout.decide("h" + i, Fixtures.WINDOWS, 41).kind()).isNotEqualTo(Decision.Kind.OFFER);
    }
    assertThat(rollout.status().exposedTotal()).isZero();
  }

  private Optional<String> verify(List<String> lines) throws IOException {
    Path file = Files.createTempFile(directory, "audit", ".jsonl");
    Files.write(file, lines);
    return AuditTrail.verify(file);
  }

  private static int lastRecordOffset(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int offset = 0;
    int last = 0;
    while (offset < bytes.length) {
      last = offset;
      offset += 8 + buffer.getInt(offset);
    }
    return last;
  }
}
