package dev.ringfence.core.internal;

import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditRecord;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Compares where an audit trail ends with the heads its journal recorded. The chain alone cannot see a missing
 * tail; the heads can. A store forces each audited entry's journal record and trail line before the next audited
 * entry is written, so a crash leaves the two at most one line apart: the trail one line short of a journal
 * record that holds the line's entry (rebuilt from it), or one line past the journal's last head (an append
 * whose journal record never became durable). Anything else is a damaged trail.
 */
final class AuditTail {

  /** What the comparison found. */
  enum Kind { MATCHES, NO_HEAD, LAGS_ONE, LEADS_ONE, BROKEN }

  /**
   * The heads a journal recorded.
   *
   * @param heads every head recorded, in journal order (the snapshot's, then one per audited journal record)
   * @param lastEntryJson the entry of the record that recorded the last head, when that record is a journal
   *     record of an audited entry (not a snapshot's): a trail one line short can be completed from it
   */
  record Recorded(List<AuditHead> heads, @Nullable String lastEntryJson) {
    static final Recorded NONE = new Recorded(List.of(), null);

    @Nullable AuditHead last() {
      return heads.isEmpty() ? null : heads.get(heads.size() - 1);
    }
  }

  /**
   * @param kind what was found
   * @param message why, for BROKEN; what a crash left and what opening the store does, for LAGS_ONE and LEADS_ONE
   * @param missing for LAGS_ONE, the line to append
   */
  record Result(Kind kind, @Nullable String message, @Nullable AuditRecord missing) {}

  private AuditTail() {}

  /**
   * @param hashes the hash of every line of the trail, in order (line i + 1 at index i)
   * @param recorded the heads the journal recorded
   * @param crashTolerant whether the trail and the heads were written by two separate writes (a file journal),
   *     so a crash may leave them one line apart; false where they commit together (PostgreSQL) or for an export
   *     checked against its head
   */
  static Result compare(List<String> hashes, Recorded recorded, boolean crashTolerant) {
    AuditHead last = recorded.last();
    if (last == null) {
      return new Result(Kind.NO_HEAD, "the journal records no audit head (it was written before heads were"
          + " recorded): a cut-off tail or an emptied trail cannot be seen until the next audited entry", null);
    }
    int n = hashes.size();
    for (AuditHead head : recorded.heads()) {
      if (head.lines() >= 1 && head.lines() <= n && !hashes.get((int) head.lines() - 1).equals(head.hash())) {
        return broken("line " + head.lines() + " has hash " + shortHash(hashes.get((int) head.lines() - 1))
            + " but the journal recorded " + head.shortHash() + " for it: the trail was rewritten or replaced");
      }
    }
    String trailHash = n == 0 ? AuditRecord.GENESIS : hashes.get(n - 1);
    if (n == last.lines()) {
      return new Result(Kind.MATCHES, null, null);
    }
    if (crashTolerant && n == last.lines() - 1 && recorded.lastEntryJson() != null) {
      AuditRecord missing = AuditRecord.next(new AuditHead(n, trailHash), recorded.lastEntryJson());
      if (missing.hash().equals(last.hash())) {
        return new Result(Kind.LAGS_ONE, "the trail lacks its last line " + last.lines() + ", whose entry the"
            + " journal holds (a crash between the journal's write and the trail's, or an append in flight);"
            + " opening the store writes it", missing);
      }
    }
    if (crashTolerant && n == last.lines() + 1) {
      return new Result(Kind.LEADS_ONE, "line " + n + " is past the head the journal recorded (an append whose"
          + " journal record a crash cut off, or one in flight); opening the store removes it", null);
    }
    String recordedText = last.lines() + (last.lines() == 1 ? " line" : " lines") + " ending in hash "
        + last.shortHash();
    if (n == 0) {
      return broken("the trail is empty but the journal recorded " + recordedText);
    }
    if (n < last.lines()) {
      long cut = last.lines() - n;
      return broken("the trail ends at line " + n + " but the journal recorded " + recordedText + ": the last "
          + (cut == 1 ? "line was" : cut + " lines were") + " cut off");
    }
    return broken("the trail has " + n + " lines but the journal recorded " + recordedText + ": " + (n - last.lines())
        + " lines were added that the journal never recorded");
  }

  private static Result broken(String message) {
    return new Result(Kind.BROKEN, message, null);
  }

  static String shortHash(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) + "..." : hash;
  }
}
