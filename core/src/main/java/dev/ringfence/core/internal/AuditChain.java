package dev.ringfence.core.internal;

import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The tamper-evident audit trail: JSON Lines, one decision a line ({@code seq}, {@code prev},
 * {@code hash}, {@code entry}), where {@code hash} is the SHA-256 of the previous line's hash and this
 * line's entry. Changing, deleting, inserting or reordering a line breaks the chain at that line.
 * Holds every rollout creation (with the plan-lint overrides and their reasons), transition (with its
 * cause: who and why for commands) and verdict (with its numbers); not admissions.
 */
final class AuditChain implements AutoCloseable {

  static final String GENESIS = AuditRecord.GENESIS;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final FileChannel channel;
  private AuditHead head;
  private final @Nullable String report;

  private AuditChain(FileChannel channel, AuditHead head, @Nullable String report) {
    this.channel = channel;
    this.head = head;
    this.report = report;
  }

  static boolean audits(JournalEntry entry) {
    return AuditRecord.audits(entry);
  }

  /**
   * Opens the trail for appending, continuing the chain from its last complete line, after comparing its end
   * with the heads the journal recorded: a line a crash left in between (one missing whose entry the journal
   * holds, or one past the journal's last head) is written or removed, and {@link #report()} says so.
   *
   * @throws StoreException if a complete line is not an audit record the chain can continue from, or the trail
   *     does not end where the journal says it does
   */
  static AuditChain open(Path file, FileJournalStore.FileOpener files, AuditTail.Recorded recorded)
      throws IOException {
    List<String> hashes = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    List<Long> ends = new ArrayList<>(); // where each complete line ends, its newline included
    if (Files.exists(file)) {
      byte[] bytes = Files.readAllBytes(file);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          JsonNode line = record(file, hashes.size() + 1, new String(bytes, start, i - start, StandardCharsets.UTF_8));
          hashes.add(line.get("hash").asText());
          seqs.add(line.get("seq").asLong());
          start = i + 1;
          ends.add((long) start);
        }
      }
    }
    AuditTail.Result tail = AuditTail.compare(hashes, recorded, true);
    if (tail.kind() == AuditTail.Kind.BROKEN) {
      throw new StoreException("audit trail " + file + " does not end where the journal says it does: "
          + tail.message() + "; restore the trail from a backup (the journal is intact)");
    }
    int keepLines = tail.kind() == AuditTail.Kind.LEADS_ONE ? hashes.size() - 1 : hashes.size();
    long keep = keepLines == 0 ? 0 : ends.get(keepLines - 1);
    // The chain continues from the last line's own seq and hash; a line that breaks the chain is verify's to name.
    AuditHead head = keepLines == 0 ? AuditHead.EMPTY
        : head(file, keepLines, seqs.get(keepLines - 1), hashes.get(keepLines - 1));
    FileChannel channel = files.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    channel.truncate(keep); // a line without its newline was never acknowledged
    channel.position(keep);
    AuditChain chain = new AuditChain(channel, head, null);
    String report = null;
    if (tail.kind() == AuditTail.Kind.LAGS_ONE || tail.kind() == AuditTail.Kind.LEADS_ONE) {
      if (tail.missing() != null) {
        chain.append(tail.missing());
      }
      channel.force(false);
      report = "audit trail " + file + ": " + tail.message().replace("opening the store writes it", "written from the"
          + " journal").replace("opening the store removes it", "removed");
    }
    return new AuditChain(channel, chain.head, report);
  }

  private static AuditHead head(Path file, int lineNumber, long seq, String hash) {
    try {
      return new AuditHead(seq, hash);
    } catch (InvalidInputException e) {
      throw damaged(file, lineNumber, "has a 'seq' or 'hash' the chain cannot continue from (" + e.getMessage() + ")");
    }
  }

  /** One complete line, with the two fields the chain continues from; anything else is a damaged trail. */
  private static JsonNode record(Path file, int lineNumber, String text) {
    JsonNode line;
    try {
      line = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw damaged(file, lineNumber, "is not JSON (" + e.getOriginalMessage() + ")");
    }
    if (line == null || !line.isObject()) {
      throw damaged(file, lineNumber, "is not a JSON object");
    }
    JsonNode seq = line.get("seq");
    if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong()) {
      throw damaged(file, lineNumber, "field 'seq' is missing or not a whole number");
    }
    JsonNode hash = line.get("hash");
    if (hash == null || !hash.isTextual()) {
      throw damaged(file, lineNumber, "field 'hash' is missing or not a string");
    }
    return line;
  }

  private static StoreException damaged(Path file, int lineNumber, String what) {
    return new StoreException("audit trail " + file + " line " + lineNumber + " " + what + "; the trail cannot be"
        + " continued — restore it from a backup (docs/journal.md, Audit trail)");
  }

  static String hash(String prev, String entryJson) {
    return AuditRecord.hash(prev, entryJson);
  }

  /** @return the line that {@code entry} would add; {@link #append} writes it */
  AuditRecord next(JournalEntry entry) {
    return AuditRecord.next(head, entry);
  }

  /** @return where the trail ends now */
  AuditHead head() {
    return head;
  }

  /** @return what opening found and mended (a line a crash left in between), if anything */
  @Nullable String report() {
    return report;
  }

  /** Writes {@code line}, which {@link #next} made for the current head; the head moves on once it is written. */
  void append(AuditRecord line) throws IOException {
    checkState(line.seq() == head.lines() + 1 && line.prev().equals(head.hash()), "line %s does not follow %s",
        line.seq(), head);
    ByteBuffer bytes = ByteBuffer.wrap((line.toLine() + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    head = line.head();
  }

  /** @return where the next line starts */
  long position() throws IOException {
    return channel.position();
  }

  /**
   * Cuts the trail back to {@code position}, the start of a line whose write failed; the head only moves on
   * after a whole line is written, so it is unchanged.
   */
  void truncate(long position) throws IOException {
    channel.truncate(position);
    channel.position(position);
  }

  void force() throws IOException {
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * Checks a trail against the heads its journal recorded: the chain first, then where it ends.
   *
   * @param lines the trail's lines, in order
   * @param recorded the journal's heads
   * @param crashTolerant see {@link AuditTail#compare}
   * @return what was found
   */
  static AuditVerification verify(List<String> lines, AuditTail.Recorded recorded, boolean crashTolerant) {
    String chain = verify(lines);
    if (chain != null) {
      return new AuditVerification(lines.size(), Optional.ofNullable(recorded.last()), Optional.of(chain),
          Optional.empty());
    }
    List<String> hashes = new ArrayList<>(lines.size());
    for (String line : lines) {
      try {
        hashes.add(MAPPER.readTree(line).get("hash").asText());
      } catch (IOException e) {
        throw new IllegalStateException("a line the chain check read is no longer JSON", e);
      }
    }
    AuditTail.Result tail = AuditTail.compare(hashes, recorded, crashTolerant);
    boolean broken = tail.kind() == AuditTail.Kind.BROKEN;
    return new AuditVerification(lines.size(), Optional.ofNullable(recorded.last()),
        broken ? Optional.ofNullable(tail.message()) : Optional.empty(),
        broken ? Optional.empty() : Optional.ofNullable(tail.message()));
  }

  /**
   * Checks a trail.
   *
   * @param lines the trail's lines, in order
   * @return null if the chain holds, else the first bad line and why
   */
  static String verify(List<String> lines) {
    String prev = GENESIS;
    for (int i = 0; i < lines.size(); i++) {
      int lineNumber = i + 1;
      JsonNode line;
      try {
        line = MAPPER.readTree(lines.get(i));
      } catch (IOException e) {
        return "line " + lineNumber + ": not JSON";
      }
      if (line == null || !line.has("seq") || !line.has("prev") || !line.has("hash") || !line.has("entry")) {
        return "line " + lineNumber + ": not an audit record";
      }
      if (line.get("seq").asLong() != lineNumber) {
        return "line " + lineNumber + ": sequence " + line.get("seq").asLong() + " where " + lineNumber
            + " belongs (a line was deleted, inserted or moved)";
      }
      if (!line.get("prev").asText().equals(prev)) {
        return "line " + lineNumber + ": does not follow the previous line's hash (a line was deleted, inserted or"
            + " moved)";
      }
      String expected = hash(prev, line.get("entry").toString());
      if (!expected.equals(line.get("hash").asText())) {
        return "line " + lineNumber + ": its entry does not match its hash (the line was changed)";
      }
      prev = expected;
    }
    return null;
  }
}
