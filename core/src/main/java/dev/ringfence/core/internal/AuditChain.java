package dev.ringfence.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.JournalEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The tamper-evident audit trail: JSON Lines, one decision a line ({@code seq}, {@code prev},
 * {@code hash}, {@code entry}), where {@code hash} is the SHA-256 of the previous line's hash and this
 * line's entry. Changing, deleting, inserting or reordering a line breaks the chain at that line.
 * Holds every rollout creation (with the plan-lint overrides and their reasons), transition (with its
 * cause: who and why for commands) and verdict (with its numbers); not admissions.
 */
final class AuditChain implements AutoCloseable {

  static final String GENESIS = "0".repeat(64);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final FileChannel channel;
  private long seq;
  private String prev;

  private AuditChain(FileChannel channel, long seq, String prev) {
    this.channel = channel;
    this.seq = seq;
    this.prev = prev;
  }

  static boolean audits(JournalEntry entry) {
    return entry instanceof JournalEntry.Created || entry instanceof JournalEntry.Transitioned
        || entry instanceof JournalEntry.VerdictRecorded;
  }

  /**
   * Opens the trail for appending, continuing the chain from its last complete line.
   *
   * @throws StoreException if a complete line is not an audit record the chain can continue from
   */
  static AuditChain open(Path file, FileJournalStore.FileOpener files) throws IOException {
    long seq = 0;
    String prev = GENESIS;
    long keep = 0;
    if (Files.exists(file)) {
      byte[] bytes = Files.readAllBytes(file);
      int start = 0;
      int lineNumber = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          lineNumber++;
          JsonNode line = record(file, lineNumber, new String(bytes, start, i - start, StandardCharsets.UTF_8));
          seq = line.get("seq").asLong();
          prev = line.get("hash").asText();
          start = i + 1;
          keep = start;
        }
      }
    }
    FileChannel channel = files.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    channel.truncate(keep); // a line without its newline was never acknowledged
    channel.position(keep);
    return new AuditChain(channel, seq, prev);
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
        + " continued — restore it from a backup, or move it aside to start a new trail");
  }

  static String hash(String prev, String entryJson) {
    return Hashing.sha256().hashString(prev + "\n" + entryJson, StandardCharsets.UTF_8).toString();
  }

  void append(JournalEntry entry) throws IOException {
    String entryJson = JournalCodec.toTree(entry).toString();
    String hash = hash(prev, entryJson);
    ObjectNode line = MAPPER.createObjectNode();
    line.put("seq", seq + 1);
    line.put("prev", prev);
    line.put("hash", hash);
    line.set("entry", MAPPER.readTree(entryJson));
    ByteBuffer bytes = ByteBuffer.wrap((line.toString() + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    seq++;
    prev = hash;
  }

  /** @return where the next line starts */
  long position() throws IOException {
    return channel.position();
  }

  /**
   * Cuts the trail back to {@code position}, the start of a line whose write failed; the chain (sequence and
   * previous hash) only moves on after a whole line is written, so it is unchanged.
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
