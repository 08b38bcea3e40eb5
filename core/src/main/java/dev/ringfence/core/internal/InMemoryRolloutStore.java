package dev.ringfence.core.internal;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The in-memory {@link RolloutStore}: the SPI's contract, checked, with nothing durable. */
public final class InMemoryRolloutStore implements RolloutStore {

  private final Map<String, List<JournalEntry>> journals = new LinkedHashMap<>();
  private final Map<String, Long> lastSequence = new LinkedHashMap<>();

  @Override
  public synchronized void append(JournalEntry entry) {
    if (entry == null) {
      throw new StoreException("entry: is null");
    }
    String id = entry.rolloutId();
    List<JournalEntry> journal = journals.get(id);
    if (entry instanceof JournalEntry.Created) {
      if (journal != null) {
        throw new StoreException("rollout '" + id + "' already exists in this store");
      }
      journal = new ArrayList<>();
      journals.put(id, journal);
      lastSequence.put(id, 0L);
    } else if (journal == null) {
      throw new StoreException("rollout '" + id + "' has no Created entry in this store; create it first");
    }
    if (entry instanceof JournalEntry.Transitioned) {
      long expected = lastSequence.get(id) + 1;
      long sequence = ((JournalEntry.Transitioned) entry).sequence();
      if (sequence != expected) {
        throw new StoreException("rollout '" + id + "': transition " + sequence + " conflicts with the stored"
            + " history, which expects " + expected + "; reload the rollout");
      }
      lastSequence.put(id, sequence);
    }
    journal.add(entry);
  }

  @Override
  public synchronized List<String> rolloutIds() {
    return List.copyOf(journals.keySet());
  }

  @Override
  public synchronized List<JournalEntry> read(String rolloutId) {
    List<JournalEntry> journal = journals.get(rolloutId);
    return journal == null ? List.of() : List.copyOf(journal);
  }
}
