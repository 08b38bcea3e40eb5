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

  /**
   * Whether other processes append to this store too (several update-server replicas sharing one
   * database). The engine then pulls their transitions on every {@code tick()}, and answers HOLD
   * instead of OFFER while its view is older than its staleness bound.
   *
   * @return false for a store one process owns
   */
  default boolean isShared() {
    return false;
  }

  /**
   * Publishes this replica's health of its rollouts and returns every other replica's latest: how replicas
   * sharing a store judge with the whole fleet's numbers. The engine calls it once per {@code tick()}, only
   * when {@link #isShared()}, outside every rollout's lock. A store keeps one share per (rollout, replica),
   * each replacing the one before, and keeps the shares of replicas that stopped (the engine expires them by
   * their {@link HealthShare#publishedAt()}: their failures stay counted, their endpoints at risk do not).
   * A store one process owns has no one to exchange with: it stores nothing and returns no share.
   *
   * @param replicaId the calling replica
   * @param own its shares, one per rollout it ticks
   * @return the latest share of every other replica, for every rollout, in no particular order
   * @throws dev.ringfence.core.StoreException if the store cannot be reached; the engine keeps the shares it
   *     read last
   */
  default List<HealthShare> exchangeHealth(String replicaId, List<HealthShare> own) {
    return List.of();
  }

  /**
   * Admits an endpoint if its ring has room and the rollout is not halted, across every process
   * sharing the store: both are checked and the admission stored atomically. An endpoint admitted
   * before (by any process) is admitted again at no cost. A store one process owns appends, and leaves
   * caps and halts to the engine.
   *
   * @param entry the admission
   * @param cap the most endpoints the ring may ever admit
   * @return true if the endpoint is admitted (now or before), false if the ring is full or the rollout
   *     was halted
   * @throws dev.ringfence.core.StoreException if it cannot be stored; nothing was stored
   */
  default boolean admit(JournalEntry.Admitted entry, long cap) {
    append(entry);
    return true;
  }

  /**
   * Waits until another process may have committed a transition, or the timeout passes: lets a host
   * tick at once when another replica halts, and on its own schedule otherwise.
   *
   * <pre>{@code
   * while (running) {
   *   store.awaitChange(Duration.ofSeconds(1)); // the PostgreSQL store wakes on NOTIFY
   *   engine.tick();
   * }
   * }</pre>
   *
   * A store one process owns has no one else to wait for: it waits the whole timeout.
   *
   * @param timeout the longest wait
   * @return true if woken by a change, false on timeout
   * @throws InterruptedException if the waiting thread is interrupted
   */
  default boolean awaitChange(java.time.Duration timeout) throws InterruptedException {
    Thread.sleep(timeout.toMillis());
    return false;
  }

  /**
   * A rollout's transitions with a sequence number above {@code sequence}, in order: how a replica
   * catches up with the others.
   *
   * @param rolloutId the rollout
   * @param sequence the last transition the caller knows
   * @return the newer transitions, empty if none
   */
  default List<JournalEntry.Transitioned> transitionsAfter(String rolloutId, long sequence) {
    List<JournalEntry.Transitioned> newer = new java.util.ArrayList<>();
    for (JournalEntry entry : read(rolloutId)) {
      if (entry instanceof JournalEntry.Transitioned && ((JournalEntry.Transitioned) entry).sequence() > sequence) {
        newer.add((JournalEntry.Transitioned) entry);
      }
    }
    return newer;
  }
}
