package dev.ringfence.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import dev.ringfence.core.StoreException;
import java.nio.charset.StandardCharsets;

/**
 * One line of a hash-chained audit trail, the same in every store: {@code {"seq":n,"prev":...,"hash":...,
 * "entry":{...}}} where {@code hash} is the SHA-256 of {@code prev + "\n" + entry} and {@code entry} is the
 * journal entry in its {@link JournalFormat} form. Public so that every durable store, including stores written
 * outside this project, writes lines that {@link AuditTrail} verifies.
 *
 * @param seq the line number, from 1
 * @param prev the previous line's hash, {@link #GENESIS} for the first
 * @param hash the SHA-256 of {@code prev + "\n" + entryJson}
 * @param entryJson the entry as {@link JournalFormat#encode} writes it
 */
public record AuditRecord(long seq, String prev, String hash, String entryJson) {

  /** The {@code prev} of the first line: 64 zeros. */
  public static final String GENESIS = "0".repeat(64);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * @param entry a journal entry
   * @return whether audit trails hold it: creations, transitions and verdicts, not admissions or reverts
   */
  public static boolean audits(JournalEntry entry) {
    return entry instanceof JournalEntry.Created || entry instanceof JournalEntry.Transitioned
        || entry instanceof JournalEntry.VerdictRecorded;
  }

  /**
   * The line that follows {@code head} for {@code entry}.
   *
   * @param head where the trail ends now
   * @param entry the audited entry
   * @return the next line
   */
  public static AuditRecord next(AuditHead head, JournalEntry entry) {
    return next(head, new String(JournalFormat.encode(entry), StandardCharsets.UTF_8));
  }

  /**
   * The line that follows {@code head} for an entry already encoded (a stored journal row).
   *
   * @param head where the trail ends now
   * @param entryJson the entry as {@link JournalFormat#encode} wrote it
   * @return the next line
   */
  public static AuditRecord next(AuditHead head, String entryJson) {
    return new AuditRecord(head.lines() + 1, head.hash(), hash(head.hash(), entryJson), entryJson);
  }

  /**
   * @param prev the previous line's hash
   * @param entryJson the entry's JSON
   * @return SHA-256 of {@code prev + "\n" + entryJson}, lowercase hex
   */
  public static String hash(String prev, String entryJson) {
    return Hashing.sha256().hashString(prev + "\n" + entryJson, StandardCharsets.UTF_8).toString();
  }

  /** @return the trail's head once this line is its last */
  public AuditHead head() {
    return new AuditHead(seq, hash);
  }

  /**
   * Reads a line as {@link #toLine()} wrote it. The chain is not checked here ({@link AuditTrail#verify}).
   *
   * @param line one line of an audit trail, without its newline
   * @return the record
   * @throws StoreException if the line is not an audit record
   */
  public static AuditRecord fromLine(String line) {
    try {
      JsonNode node = MAPPER.readTree(line);
      if (node == null || !node.has("seq") || !node.has("prev") || !node.has("hash") || !node.has("entry")) {
        throw new StoreException("not an audit record: it needs seq, prev, hash and entry");
      }
      return new AuditRecord(node.get("seq").asLong(), node.get("prev").asText(), node.get("hash").asText(),
          node.get("entry").toString());
    } catch (JsonProcessingException e) {
      throw new StoreException("not an audit record: not JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  /**
   * @return the JSON line, without its newline
   * @throws StoreException if {@code entryJson} is not JSON
   */
  public String toLine() {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("seq", seq);
    line.put("prev", prev);
    line.put("hash", hash);
    try {
      line.set("entry", MAPPER.readTree(entryJson));
    } catch (JsonProcessingException e) {
      throw new StoreException("audit line " + seq + ": its entry is not JSON: " + e.getOriginalMessage(), e);
    }
    return line.toString();
  }
}
