package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.core.Cohort;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditTrail;
import dev.ringfence.core.store.FileRolloutStore;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk of the file journal fills up, in process and deterministically: {@link FullDisk} (through the
 * store's package-private file seam) ends the free space in the middle of each write a whole rollout makes, one
 * trial per write (journal records, audit lines, compaction snapshots). In every trial:
 *
 * <ul>
 *   <li>while the disk is full the engine holds: no OFFER to an endpoint not admitted before, ticks change
 *       nothing, commands throw a {@link StoreException} that says the disk is full and nothing was recorded;
 *   <li>once space is freed the same engine and store go on, and the rollout finishes;
 *   <li>the store reopened afterwards finds no torn tail (the cut-short write was taken back), its transitions
 *       are exactly the ones the engine published, every endpoint that was offered the candidate is admitted in
 *       it, and the audit trail verifies and holds every transition once;
 *   <li>an engine rebuilt from it has the same state and exposure.
 * </ul>
 *
 * {@code TmpfsDiskFullTest} does the same on a real, small tmpfs when the test may mount one.
 */
class FileJournalDiskFullTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void diskFillsInTheMiddleOfEachWrite_noCorruptRecord_engineHolds_goesOnWhenFreed_restartReplaysCleanly()
      throws IOException {
    FullDisk measure = new FullDisk();
    DiskFullScenario clean = new DiskFullScenario(tmp.resolve("clean"), measure, false);
    clean.run();
    List<FullDisk.Write> writes = measure.writes();
    assertThat(writes.stream().map(FullDisk.Write::file).collect(Collectors.toSet()))
        .as("the scenario writes the journal, the audit trail and a compaction snapshot")
        .contains("journal.0", "audit.jsonl", "snapshot.1.tmp");
    int trials = 0;
    int heldDecisions = 0;
    int refusedCommands = 0;
    for (FullDisk.Write write : writes) {
      long budget = write.usedBefore() + write.bytes() / 2; // the disk fills half-way through this write
      FullDisk disk = new FullDisk();
      disk.free(budget);
      DiskFullScenario trial = new DiskFullScenario(tmp.resolve("trial-" + trials), disk, true);
      trial.run();
      assertThat(trial.filled).as("trial %d (%s)", trials, write).isTrue();
      heldDecisions += trial.heldDecisions;
      refusedCommands += trial.refusedCommands;
      trials++;
    }
    assertThat(trials).isEqualTo(writes.size()).isGreaterThan(100);
    System.out.printf("FileJournalDiskFullTest: %d trials (disk full half-way through each write of the scenario),"
        + " %d decisions held and %d commands refused while full, 0 torn or corrupt records%n", trials,
        heldDecisions, refusedCommands);
  }

  @Test
  void compactionThatCannotCreateItsNewJournal_refusesFurtherWrites_andLosesNothingAcknowledged() {
    Path dir = tmp.resolve("compaction");
    FileJournalStore.FileOpener noNewJournal = (path, options) -> {
      if (path.getFileName().toString().equals("journal.1")) {
        throw new IOException("No space left on device");
      }
      return FileJournalStore.FileOpener.DEFAULT.open(path, options);
    };
    ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    ScriptedGate gate = new ScriptedGate();
    List<String> acknowledged = new ArrayList<>();
    try (FileJournalStore store = FileJournalStore.open(dir, Long.MAX_VALUE, noNewJournal)) {
      Rollout rollout = Fixtures.engine(clock, store, gate).createRollout(Fixtures.spec("r", Fixtures.fourRings()));
      rollout.start();
      assertThatThrownBy(store::compact).isInstanceOf(StoreException.class).hasMessageContaining("journal.1");
      for (int i = 0; i < 2_000; i++) {
        if (rollout.decide("h" + i, Fixtures.WINDOWS, 41).kind() == Kind.OFFER) {
          acknowledged.add("h" + i);
        }
      }
      assertThatThrownBy(() -> rollout.pause("look")).isInstanceOf(StoreException.class)
          .hasMessageContaining("reopen the store");
    }
    assertThat(acknowledged).isEmpty();
    try (FileRolloutStore reopened = RolloutStores.file(dir)) {
      RolloutEngine engine = Fixtures.engine(clock, reopened, gate);
      assertThat(engine.rollout("r").state()).isEqualTo(RolloutState.RUNNING);
      engine.rollout("r").pause("after the reopen the store writes again");
    }
  }

  /** @return 1, 2, ..., n */
  private static List<Long> oneTo(int n) {
    return LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
  }
}
