package dev.ringfence.core.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RolloutStore} that several processes write to (several update-server replicas on one database), with
 * what only such a store can do: check caps and halts for all of them as it stores an admission, hand over the
 * transitions the others committed, wake a waiting replica when one is committed, and exchange the replicas'
 * health. Found with {@link RolloutStore#shared()}, as Caffeine's {@code Policy} hands out the optional
 * capabilities of a cache:
 *
 * <pre>{@code
 * store.shared().ifPresent(shared -> {
 *   while (running) {
 *     shared.awaitChange(Duration.ofSeconds(1)); // PostgreSQL: wakes on NOTIFY
 *     engine.tick();
 *   }
 * });
 * }</pre>
 *
 * <p>A store one process owns has none of this: the engine checks caps and halts itself, has no one to catch up
 * with, and no one to wait for. The conformance kit runs its shared cases for every store whose {@code shared()}
 * is present.
 */
public interface SharedRolloutStore extends RolloutStore {

  /**
   * Admits an endpoint if its ring has room and the rollout is not halted, across every process sharing the
   * store: both are checked and the admission stored atomically. An endpoint admitted before (by any process)
   * is admitted again at no cost and nothing is stored.
   *
   * @param entry the admission
   * @param cap the most endpoints the ring may ever admit, 0 or more ({@link dev.ringfence.core.plan.Ring#NO_CAP}
   *     for no cap)
   * @return true if the endpoint is admitted (now or before), false if the ring is full or the rollout was
   *     halted; nothing was stored then
   * @throws NullPointerException if {@code entry} is null
   * @throws IllegalArgumentException if {@code cap} is negative
   * @throws dev.ringfence.core.StoreException if it cannot be stored, or the rollout is unknown; nothing was
   *     stored
   * @throws StoreClosedException if the store was closed
   */
  boolean admit(JournalEntry.Admitted entry, long cap);

  /**
   * A rollout's transitions with a sequence number above {@code sequence}, in order: how a replica catches up
   * with the others.
   *
   * @param rolloutId the rollout
   * @param sequence the last transition the caller knows, 0 or more
   * @return the newer transitions, empty if none or the rollout is unknown
   * @throws NullPointerException if {@code rolloutId} is null
   * @throws IllegalArgumentException if {@code sequence} is negative
   * @throws dev.ringfence.core.StoreException if the store cannot be read
   * @throws StoreClosedException if the store was closed
   */
  List<JournalEntry.Transitioned> transitionsAfter(String rolloutId, long sequence);

  /**
   * Blocks until a transition may have been committed (by any process sharing the store, this one included)
   * since the previous call, or the timeout passes: lets a host tick at once when another replica halts, and on
   * its own schedule otherwise. The store waits on a signal (PostgreSQL: {@code LISTEN}), never by sleeping;
   * it starts listening on the first call, so a host's loop calls it before it needs it. A wake-up may be
   * spurious: the caller ticks, which costs one catch-up.
   *
   * @param timeout the longest wait, zero or more; zero only checks for a signal already received
   * @return true if woken by a change, false on timeout
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws InterruptedException if the waiting thread is interrupted, before or during the wait
   * @throws StoreClosedException if the store was closed, before or during the wait
   */
  boolean awaitChange(Duration timeout) throws InterruptedException;

  /**
   * Publishes this replica's health of its rollouts and returns every other replica's latest: how replicas
   * sharing a store judge with the whole fleet's numbers. The engine calls it once per {@code tick()}, outside
   * every rollout's lock. The store keeps one share per (rollout, replica), each replacing the one before, and
   * keeps the shares of replicas that stopped (the engine expires them by their {@link
   * HealthShare#publishedAt()}: their failures stay counted, their endpoints at risk do not).
   *
   * @param replicaId the calling replica, not blank
   * @param own its shares, one per rollout it ticks; empty to only read
   * @return the latest share of every other replica, for every rollout, in no particular order
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code replicaId} is blank
   * @throws dev.ringfence.core.StoreException if the store cannot be reached; the engine keeps the shares it
   *     read last
   * @throws StoreClosedException if the store was closed
   */
  List<HealthShare> exchangeHealth(String replicaId, List<HealthShare> own);

  /**
   * A shared store is its own shared capability.
   *
   * @return this store
   */
  @Override
  default Optional<SharedRolloutStore> shared() {
    return Optional.of(this);
  }
}
