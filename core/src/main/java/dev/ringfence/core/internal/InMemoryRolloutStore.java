package dev.ringfence.core.internal;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.SharedRolloutStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The in-memory {@link RolloutStore}: the SPI's contract, checked, with nothing durable. One process owns it, so it
 * has no {@link #shared() shared} capabilities; it holds nothing to release, so {@link #close()} does nothing and
 * it keeps working afterwards, as a {@link java.io.ByteArrayOutputStream} does.
 */
public final class InMemoryRolloutStore implements RolloutStore {

  private final Map<String, List<JournalEntry>> journals = new LinkedHashMap<>();
  private final Map<String, Long> lastSequence = new LinkedHashMap<>();

  @Override
  public synchronized void append(JournalEntry entry) {
    check(entry);
    add(entry);
  }

  /**
   * Checks an entry against the contract without storing it; a durable store calls this before it
   * writes, then {@link #add} once the write succeeded, both under its own write lock.
   *
   * @throws StoreException if the contract refuses the entry
   */
  synchronized void check(JournalEntry entry) {
    Objects.requireNonNull(entry, "entry");
    String id = entry.rolloutId();
    boolean exists = journals.containsKey(id);
    if (entry instanceof JournalEntry.Created) {
      if (exists) {
        throw new StoreException("rollout '" + id + "' already exists in this store");
      }
    } else if (!exists) {
      throw new StoreException("rollout '" + id + "' has no Created entry in this store; create it first");
    }
    if (entry instanceof JournalEntry.Transitioned) {
      long expected = lastSequence.get(id) + 1;
      long sequence = ((JournalEntry.Transitioned) entry).sequence();
      if (sequence != expected) {
        throw new StoreException("rollout '" + id + "': transition " + sequence + " conflicts with the stored"
            + " history, which expects " + expected + "; reload the rollout");
      }
    }
  }

  /** Stores an entry that {@link #check} accepted. */
  synchronized void add(JournalEntry entry) {
    String id = entry.rolloutId();
    if (entry instanceof JournalEntry.Created) {
      journals.put(id, new ArrayList<>());
      lastSequence.put(id, 0L);
    }
    if (entry instanceof JournalEntry.Transitioned) {
      lastSequence.put(id, ((JournalEntry.Transitioned) entry).sequence());
    }
    journals.get(id).add(entry);
  }

  /** Every entry of every rollout, rollouts in creation order. */
  synchronized List<JournalEntry> all() {
    List<JournalEntry> all = new ArrayList<>();
    journals.values().forEach(all::addAll);
    return all;
  }

  @Override
  public synchronized List<String> rolloutIds() {
    return List.copyOf(journals.keySet());
  }

  @Override
  public synchronized List<JournalEntry> read(String rolloutId) {
    Objects.requireNonNull(rolloutId, "rolloutId");
    List<JournalEntry> journal = journals.get(rolloutId);
    return journal == null ? List.of() : List.copyOf(journal);
  }

  /** One process owns it: nothing to share. */
  @Override
  public Optional<SharedRolloutStore> shared() {
    return Optional.empty();
  }

  /** Does nothing: the entries are the process's memory, which the garbage collector releases. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "the in-memory rollout store";
  }
}
