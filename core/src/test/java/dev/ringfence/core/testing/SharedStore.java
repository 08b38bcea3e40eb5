package dev.ringfence.core.testing;

import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory store that behaves like a database shared by replicas: it says it is shared and
 * enforces caps across every engine using it, as the JDBC store does with row locks.
 */
public final class SharedStore implements RolloutStore {

  private final RolloutStore delegate = RolloutStores.inMemory();
  private final Map<String, Set<String>> admitted = new HashMap<>();
  private final Map<String, Integer> perRing = new HashMap<>();
  private final Map<String, HealthShare> health = new LinkedHashMap<>();
  private volatile boolean down;

  public void down(boolean down) {
    this.down = down;
  }

  private void check() {
    if (down) {
      throw new dev.ringfence.core.StoreException("shared store is down (test)");
    }
  }

  @Override
  public synchronized void append(JournalEntry entry) {
    check();
    delegate.append(entry);
  }

  @Override
  public synchronized boolean admit(JournalEntry.Admitted entry, long cap) {
    check();
    Set<String> set = admitted.computeIfAbsent(entry.rolloutId(), k -> new HashSet<>());
    if (set.contains(entry.endpointId())) {
      return true;
    }
    String key = entry.rolloutId() + "/" + entry.ringIndex();
    int count = perRing.getOrDefault(key, 0);
    if (count >= cap) {
      return false;
    }
    delegate.append(entry);
    set.add(entry.endpointId());
    perRing.put(key, count + 1);
    return true;
  }

  @Override
  public synchronized List<String> rolloutIds() {
    check();
    return delegate.rolloutIds();
  }

  @Override
  public synchronized List<JournalEntry> read(String rolloutId) {
    check();
    return delegate.read(rolloutId);
  }

  /** Keeps one share per (rollout, replica), the latest; returns the other replicas' shares. */
  @Override
  public synchronized List<HealthShare> exchangeHealth(String replicaId, List<HealthShare> own) {
    check();
    for (HealthShare share : own) {
      health.put(share.rolloutId() + "\u0000" + share.replicaId(), share);
    }
    List<HealthShare> others = new ArrayList<>();
    for (HealthShare share : health.values()) {
      if (!share.replicaId().equals(replicaId)) {
        others.add(share);
      }
    }
    return others;
  }

  @Override
  public boolean isShared() {
    return true;
  }
}
