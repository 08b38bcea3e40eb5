package dev.ringfence.core.internal;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditVerification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The exported face of {@link AuditChain}'s verification, for {@link dev.ringfence.core.store.AuditTrail}. */
public final class AuditChains {

  /** Reads of a live directory that may race with its appends (see {@link #verifyDirectory}). */
  private static final int LIVE_READS = 3;

  private AuditChains() {}

  /**
   * @param lines a trail's lines
   * @return null if the chain holds, else the first bad line and why
   */
  public static String verify(List<String> lines) {
    return AuditChain.verify(lines);
  }

  /**
   * @param lines a trail's lines
   * @param expected the head its store recorded, read together with the lines
   * @return the chain checked, then its end against {@code expected}
   */
  public static AuditVerification verify(List<String> lines, AuditHead expected) {
    return AuditChain.verify(lines, new AuditTail.Recorded(List.of(expected), null), false);
  }

  /**
   * Checks a file journal directory's {@code audit.jsonl} against the heads its journal recorded. The journal is
   * read first, then the trail, so a store appending meanwhile leaves the trail ahead of the heads read: when the
   * trail is then more than one line ahead, both are read again (at most {@value #LIVE_READS} times).
   *
   * @param directory the journal directory
   * @return what was found
   * @throws StoreException if the journal or the trail cannot be read
   */
  public static AuditVerification verifyDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new StoreException("journal directory " + directory + " does not exist or is not a directory");
    }
    AuditVerification result = null;
    for (int read = 0; read < LIVE_READS; read++) {
      AuditTail.Recorded recorded;
      List<String> lines;
      try {
        recorded = FileJournalStore.recordedHeads(directory);
        Path trail = directory.resolve("audit.jsonl");
        lines = Files.exists(trail) ? Files.readAllLines(trail, StandardCharsets.UTF_8) : List.of();
      } catch (NoSuchFileException e) {
        continue; // a compaction replaced the file between listing and reading it: read again
      } catch (IOException e) {
        throw new StoreException("cannot read journal directory " + directory + ": " + e.getMessage(), e);
      }
      result = AuditChain.verify(lines, recorded, true);
      AuditHead last = recorded.last();
      if (result.intact() || last == null || lines.size() <= last.lines() + 1) {
        return result;
      }
    }
    if (result == null) {
      throw new StoreException("cannot read journal directory " + directory + ": its files kept changing");
    }
    return result;
  }
}
