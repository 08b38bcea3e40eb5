package dev.ringfence.core.store;

import java.util.List;

/**
 * Where a rollout's {@link JournalEntry journal} lives: everything needed to rebuild the engine after a
 * restart. The SPI behind the in-memory store, the file journal and the JDBC store.
 *
 * <p>Contract, proved for every implementation by the store conformance tests:
 *
 * <ul>
 *   <li>{@link #append} returns only once the entry is durable (as durable as the store promises);
 *       if it throws, the entry was not stored and the engine does not act on it.
 *   <li>The first entry of a rollout is {@link JournalEntry.Created}; a second one for the same id
 *       is refused.
 *   <li>{@link JournalEntry.Transitioned} entries carry sequence numbers 1, 2, 3, ...; an entry whose
 *       sequence is not exactly one above the last stored one is refused (another replica won).
 *   <li>{@link #read} returns a rollout's entries in append order.
 * </ul>
 *
 * Implementations must be safe for concurrent use.
 */
public interface RolloutStore {

  /**
   * Durably appends one entry.
   *
   * @param entry the entry
   * @throws dev.ringfence.core.StoreException if it cannot be stored; nothing was stored
   */
  void append(JournalEntry entry);

  /**
   * Every rollout the store holds, in creation order.
   *
   * @return rollout ids
   */
  List<String> rolloutIds();

  /**
   * A rollout's entries in append order.
   *
   * @param rolloutId the rollout
   * @return its entries, empty if unknown
   */
  List<JournalEntry> read(String rolloutId);
}
