package dev.ringfence.core.store;

import java.util.List;
import java.util.Optional;

/**
 * Where a rollout's {@link JournalEntry journal} lives: everything needed to rebuild the engine after a
 * restart. The SPI behind the in-memory store, the file journal and the PostgreSQL store.
 *
 * <p>Contract, proved for every implementation by the store conformance kit ({@code
 * RolloutStoreConformanceKit} in {@code ringfence-testing}):
 *
 * <ul>
 *   <li>{@link #append} returns only once the entry is durable (as durable as the store promises);
 *       if it throws, the entry was not stored and the engine does not act on it.
 *   <li>The first entry of a rollout is {@link JournalEntry.Created}; a second one for the same id
 *       is refused.
 *   <li>{@link JournalEntry.Transitioned} entries carry sequence numbers 1, 2, 3, ...; an entry whose
 *       sequence is not exactly one above the last stored one is refused (another replica won).
 *   <li>{@link #read} returns a rollout's entries in append order.
 *   <li>{@link #shared()} answers, the same way every time, whether other processes write to the store too;
 *       only then does the store have the capabilities of a {@link SharedRolloutStore}.
 *   <li>{@link #close()} is idempotent. A store that holds something (a directory, connections) refuses every
 *       later call with {@link StoreClosedException}, which names the store as its {@code toString()} does; a store that holds nothing
 *       (the in-memory store) may keep working, as {@link java.io.ByteArrayOutputStream#close()} does.
 * </ul>
 *
 * Implementations must be safe for concurrent use. A null argument is a programmer error: {@link
 * NullPointerException} naming it. A refusal of the store or the contract is a {@link
 * dev.ringfence.core.StoreException}.
 */
public interface RolloutStore extends AutoCloseable {

  /**
   * Durably appends one entry.
   *
   * @param entry the entry
   * @throws NullPointerException if {@code entry} is null
   * @throws dev.ringfence.core.StoreException if it cannot be stored; nothing was stored
   * @throws StoreClosedException if the store was closed; nothing was stored
   */
  void append(JournalEntry entry);

  /**
   * Every rollout the store holds, in creation order.
   *
   * @return rollout ids
   * @throws dev.ringfence.core.StoreException if the store cannot be read
   * @throws StoreClosedException if the store was closed
   */
  List<String> rolloutIds();

  /**
   * A rollout's entries in append order.
   *
   * @param rolloutId the rollout
   * @return its entries, empty if unknown
   * @throws NullPointerException if {@code rolloutId} is null
   * @throws dev.ringfence.core.StoreException if the store cannot be read
   * @throws StoreClosedException if the store was closed
   */
  List<JournalEntry> read(String rolloutId);

  /**
   * The capabilities only a store that several processes write to has (several update-server replicas on one
   * database): admissions that check caps and halts across them, catching up with their transitions, waiting
   * for them, and exchanging health. The engine asks once, when it is created: with a shared store it pulls the
   * other replicas' transitions on every {@code tick()} and answers HOLD instead of OFFER while its view is
   * older than its staleness bound.
   *
   * <p>Every store answers this itself rather than inheriting an answer, so that a store wrapping another (one
   * that counts or injects failures, say) decides whether it shares the wrapped store's capabilities instead of
   * hiding them by accident: the engine would then leave caps and halts across replicas unchecked. The answer
   * works on the same journal as this store; Ringfence's shared stores return themselves.
   *
   * @return the store's shared capabilities, or empty for a store one process owns
   */
  Optional<SharedRolloutStore> shared();

  /**
   * Releases what the store holds (a directory's lock and files, a listening connection). Idempotent: closing
   * a closed store does nothing. Afterwards every method but this one and {@link #shared()} throws {@link
   * StoreClosedException} (so do the shared capabilities'), and
   * a thread waiting in {@link SharedRolloutStore#awaitChange} returns with it at once; a store that holds
   * nothing may keep working instead, as the in-memory store does.
   *
   * @throws dev.ringfence.core.StoreException if what the store holds cannot be released cleanly; the store
   *     is closed all the same
   */
  @Override
  void close();
}
