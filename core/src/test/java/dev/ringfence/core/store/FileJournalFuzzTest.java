package dev.ringfence.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.testing.BoundedFuzzTest;
import dev.ringfence.core.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the file journal's recovery (docs/fuzzing.md, docs/journal.md): a journal directory whose files hold
 * arbitrary bytes either opens (recovered, a torn tail truncated) or is refused with a {@link StoreException};
 * nothing else escapes. A directory that opened must take a new rollout and open again with every rollout it
 * had, plus the new one. Corpus: {@code FileJournalFuzzTestInputs/}.
 */
class FileJournalFuzzTest {

  private static final String PROBE = "fuzz-probe";
  private static Path base;

  @AfterAll
  static void removeBase() throws IOException {
    if (base != null) {
      delete(base);
    }
  }

  /** {@code journal.0} holds the bytes as they are: length and checksum headers included. */
  @BoundedFuzzTest
  void open_journalHoldsBytes(byte[] journal) throws IOException {
    open(Map.of("journal.0", journal));
  }

  /**
   * {@code journal.0} holds one well-framed record per input line (length and a valid CRC32C), so every payload
   * reaches the record decoder and the store's contract checks; a last line starting with {@code #} is written
   * raw, as a torn tail.
   */
  @BoundedFuzzTest
  void open_journalHoldsFramedRecords(byte[] lines) throws IOException {
    open(Map.of("journal.0", frame(lines)));
  }

  /** {@code snapshot.1} holds well-framed records, one per input line, and {@code journal.1} is empty. */
  @BoundedFuzzTest
  void open_snapshotHoldsFramedRecords(byte[] lines) throws IOException {
    open(Map.of("snapshot.1", frame(lines), "journal.1", new byte[0]));
  }

  /** {@code audit.jsonl}, the hash-chained audit trail, holds the bytes. */
  @BoundedFuzzTest
  void open_auditTrailHoldsBytes(byte[] audit) throws IOException {
    open(Map.of("audit.jsonl", audit));
  }

  private static void open(Map<String, byte[]> files) throws IOException {
    if (base == null) {
      base = Files.createTempDirectory("ringfence-journal-fuzz");
    }
    Path dir = Files.createTempDirectory(base, "j");
    try {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Files.write(dir.resolve(file.getKey()), file.getValue());
      }
      List<String> before;
      boolean probed;
      try (FileRolloutStore store = RolloutStores.file(dir)) {
        before = store.rolloutIds();
        probed = !before.contains(PROBE);
        if (probed) {
          store.append(new JournalEntry.Created(PROBE, Instant.parse("2026-11-23T10:00:00Z"),
              Fixtures.spec(PROBE, Fixtures.fourRings()), List.of()));
        }
      } catch (StoreException e) {
        assertThat(e.getMessage()).isNotBlank();
        return;
      }
      List<String> expected = new ArrayList<>(before);
      if (probed) {
        expected.add(PROBE);
      }
      try (FileRolloutStore again = RolloutStores.file(dir)) {
        assertThat(again.rolloutIds()).containsExactlyElementsOf(expected);
        assertThat(again.recoveryReport()).isEmpty();
        if (!files.containsKey("audit.jsonl")) {
          // A fuzzed trail may be a broken chain to begin with, which verify() rightly reports.
          assertThat(AuditTrail.verify(again.auditFile())).as("audit trail written by the store").isEmpty();
        }
      }
    } finally {
      delete(dir);
    }
  }

  /** Frames each line as a journal record with a valid checksum; a last line starting with '#' stays raw. */
  static byte[] frame(byte[] lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int start = 0;
    for (int i = 0; i <= lines.length; i++) {
      if (i < lines.length && lines[i] != '\n') {
        continue;
      }
      int length = i - start;
      if (i == lines.length && length > 0 && lines[start] == '#') {
        out.write(lines, start + 1, length - 1);
      } else if (length > 0) {
        CRC32C crc = new CRC32C();
        crc.update(lines, start, length);
        out.writeBytes(ByteBuffer.allocate(8).putInt(length).putInt((int) crc.getValue()).array());
        out.write(lines, start, length);
      }
      start = i + 1;
    }
    return out.toByteArray();
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
