package dev.ringfence.core.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.core.store.StoreClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An in-memory store that behaves like a database shared by replicas, as the PostgreSQL store does: caps and
 * halts checked across every handle under one lock (PostgreSQL: the rollout's row lock), and {@link #awaitChange}
 * woken by a {@link Condition} that every committed transition signals (PostgreSQL: NOTIFY). {@link #handle()}
 * opens another process's handle on the same data. It passes the conformance kit ({@code SharedStoreTest}).
 */
public final class SharedStore implements SharedRolloutStore {

  /** What every handle shares: the database. */
  private static final class Database {
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every committed transition, and when a handle closes. */
    final Condition changed = lock.newCondition();
    final RolloutStore journal = RolloutStores.inMemory();
    final Map<String, Set<String>> admitted = new HashMap<>();
    final Map<String, Integer> perRing = new HashMap<>();
    final Set<String> halted = new HashSet<>();
    final Map<String, HealthShare> health = new LinkedHashMap<>();
    /** Transitions committed so far, by every handle. */
    long transitions;
    volatile boolean down;
  }

  private static final AtomicInteger HANDLES = new AtomicInteger();

  private final Database db;
  private final String name;
  // Guarded by db.lock.
  private boolean closed;
  /** Transitions committed when awaitChange last looked; -1 before its first call (not listening yet). */
  private long seen = -1;

  /** A new, empty database and a first handle on it. */
  public SharedStore() {
    this(new Database(), "shared in-memory store, handle #" + HANDLES.incrementAndGet());
  }

  private SharedStore(Database db, String name) {
    this.db = db;
    this.name = name;
  }

  /** @return another process's handle on the same data */
  public SharedStore handle() {
    return new SharedStore(db, "shared in-memory store, handle #" + HANDLES.incrementAndGet());
  }

  /** Makes every handle fail as a database that cannot be reached does, or work again. */
  public void down(boolean down) {
    db.down = down;
  }

  private <T> T locked(Supplier<T> work) {
    db.lock.lock();
    try {
      if (closed) {
        throw new StoreClosedException(name);
      }
      if (db.down) {
        throw new StoreException("shared store is down (test)");
      }
      return work.get();
    } finally {
      db.lock.unlock();
    }
  }

  @Override
  public void append(JournalEntry entry) {
    requireNonNull(entry, "entry");
    locked(() -> {
      db.journal.append(entry);
      if (entry instanceof JournalEntry.Transitioned t) {
        if (t.to().isHalted()) {
          db.halted.add(t.rolloutId());
        }
        db.transitions++;
        db.changed.signalAll();
      }
      return null;
    });
  }

  @Override
  public boolean admit(JournalEntry.Admitted entry, long cap) {
    requireNonNull(entry, "entry");
    checkArgument(cap >= 0, "cap %s is below 0", cap);
    return locked(() -> {
      if (db.journal.read(entry.rolloutId()).isEmpty()) {
        throw new StoreException("rollout '" + entry.rolloutId() + "' has no Created entry in this store");
      }
      if (db.halted.contains(entry.rolloutId())) {
        return false;
      }
      Set<String> set = db.admitted.computeIfAbsent(entry.rolloutId(), k -> new HashSet<>());
      if (set.contains(entry.endpointId())) {
        return true;
      }
      String key = entry.rolloutId() + "/" + entry.ringIndex();
      int count = db.perRing.getOrDefault(key, 0);
      if (count >= cap) {
        return false;
      }
      db.journal.append(entry);
      set.add(entry.endpointId());
      db.perRing.put(key, count + 1);
      return true;
    });
  }

  @Override
  public List<String> rolloutIds() {
    return locked(db.journal::rolloutIds);
  }

  @Override
  public List<JournalEntry> read(String rolloutId) {
    requireNonNull(rolloutId, "rolloutId");
    return locked(() -> db.journal.read(rolloutId));
  }

  @Override
  public List<JournalEntry.Transitioned> transitionsAfter(String rolloutId, long sequence) {
    requireNonNull(rolloutId, "rolloutId");
    checkArgument(sequence >= 0, "sequence %s is below 0", sequence);
    return locked(() -> db.journal.read(rolloutId).stream().filter(JournalEntry.Transitioned.class::isInstance)
        .map(JournalEntry.Transitioned.class::cast).filter(t -> t.sequence() > sequence).toList());
  }

  @Override
  public boolean awaitChange(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    checkArgument(!timeout.isNegative(), "timeout %s is negative", timeout);
    long nanos = timeout.toNanos();
    db.lock.lockInterruptibly();
    try {
      long since = seen < 0 ? db.transitions : seen; // the first call starts listening
      seen = Math.max(seen, since);
      while (!closed && db.transitions == since) {
        if (nanos <= 0) {
          return false;
        }
        nanos = db.changed.awaitNanos(nanos);
      }
      if (closed) {
        throw new StoreClosedException(name);
      }
      seen = Math.max(seen, db.transitions);
      return true;
    } finally {
      db.lock.unlock();
    }
  }

  /** Keeps one share per (rollout, replica), the latest; returns the other replicas' shares. */
  @Override
  public List<HealthShare> exchangeHealth(String replicaId, List<HealthShare> own) {
    requireNonNull(replicaId, "replicaId");
    requireNonNull(own, "own");
    checkArgument(!replicaId.isBlank(), "replicaId '%s' is blank", replicaId);
    return locked(() -> {
      for (HealthShare share : own) {
        db.health.put(share.rolloutId() + "\u0000" + share.replicaId(), share);
      }
      List<HealthShare> others = new ArrayList<>();
      for (HealthShare share : db.health.values()) {
        if (!share.replicaId().equals(replicaId)) {
          others.add(share);
        }
      }
      return others;
    });
  }

  /** Closes this handle, and wakes its waiters; the other handles keep working. */
  @Override
  public void close() {
    db.lock.lock();
    try {
      closed = true;
      db.changed.signalAll();
    } finally {
      db.lock.unlock();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
