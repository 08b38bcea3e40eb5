package dev.ringfence.core.store;

import dev.ringfence.core.internal.JournalCodec;

/**
 * The one serialized form of a {@link JournalEntry}, for every durable {@link RolloutStore}: the file
 * journal, the PostgreSQL store, and stores written outside this project. All of them keep entries in this
 * form so that an audit trail's hashes, an export and a replay mean the same bytes whatever the store. A
 * UTF-8 JSON object on one line with a format version {@code v}, a {@code type} and the entry's fields;
 * reference: {@code docs/journal.md}.
 */
public final class JournalFormat {

  /** The format version written; entries of this version and every older one are read. */
  public static final int VERSION = JournalCodec.FORMAT;

  private JournalFormat() {}

  /**
   * Encodes an entry.
   *
   * @param entry the entry
   * @return UTF-8 JSON on one line; {@link #decode} gives back an equal entry
   */
  public static byte[] encode(JournalEntry entry) {
    return JournalCodec.encode(entry);
  }

  /**
   * Decodes an entry.
   *
   * @param bytes UTF-8 JSON written by {@link #encode}, by this version or an older one
   * @return the entry
   * @throws dev.ringfence.core.StoreException if the bytes are not a journal entry, or come from a newer
   *     format
   */
  public static JournalEntry decode(byte[] bytes) {
    return JournalCodec.decode(bytes);
  }
}
