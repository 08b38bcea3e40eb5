package dev.ringfence.core.store;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.internal.AuditChains;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Checks a tamper-evident audit trail (JSON Lines of {@link AuditRecord}s, each line carrying the SHA-256 of the
 * previous one). The chain alone shows a changed, deleted, inserted or reordered line but not a missing tail: a
 * trail cut short, or emptied, is still a valid chain. So every store records the trail's {@link AuditHead} apart
 * from it (the file journal in its journal records, PostgreSQL in a head row committed with each line), and
 * {@link #verifyJournal} and {@link #verify(List, AuditHead)} check the trail's end against it. A file trail is
 * its own export: copy the file, or stream it with {@link #lines(Path)}.
 */
public final class AuditTrail {

  private AuditTrail() {}

  /**
   * Verifies the hash chain of a trail, and nothing else: a trail whose last lines were cut off passes. Prefer
   * {@link #verifyJournal(Path)} for a file journal, or {@link #verify(List, AuditHead)} with the head its store
   * recorded.
   *
   * @param file the trail
   * @return empty if every line is intact and in order; otherwise the first bad line and why
   * @throws StoreException if the file cannot be read
   */
  public static Optional<String> verify(Path file) {
    return Optional.ofNullable(AuditChains.verify(lines(file)));
  }

  /**
   * Verifies a trail's chain and that it ends at the head its store recorded (an export with its head, say).
   *
   * @param lines the trail's lines, in order
   * @param expected the head the store recorded, read in the same transaction as the lines
   * @return what was found; broken, for example, with {@code the trail ends at line 12 but the journal recorded 15
   *     lines ending in hash ab12cd34ef56...: the last 3 lines were cut off}
   */
  public static AuditVerification verify(List<String> lines, AuditHead expected) {
    return AuditChains.verify(List.copyOf(lines), expected);
  }

  /**
   * Verifies a file journal directory's {@code audit.jsonl}: its chain, every head the journal recorded, and its
   * end. A journal written before heads were recorded verifies the chain only, and the result's note says so. A
   * crash between the journal's write and the trail's leaves them one line apart, which the next open of the store
   * mends: that is reported in the note, not as broken.
   *
   * @param directory the journal directory
   * @return what was found
   * @throws StoreException if the journal or the trail cannot be read, or a journal record is corrupt
   */
  public static AuditVerification verifyJournal(Path directory) {
    return AuditChains.verifyDirectory(directory);
  }

  /**
   * The trail's lines, for export.
   *
   * @param file the trail
   * @return every line, in order
   * @throws StoreException if the file cannot be read
   */
  public static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read audit trail " + file + ": " + e.getMessage(), e);
    }
  }
}
