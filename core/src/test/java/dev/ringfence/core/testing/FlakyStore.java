package dev.ringfence.core.testing;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.store.SharedRolloutStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Wraps a store and refuses the entries a test chooses, as a full disk or a lost database would. */
public final class FlakyStore implements RolloutStore {

  private final RolloutStore delegate;
  private volatile Predicate<JournalEntry> refuse = e -> false;

  /** @param delegate a store one process owns: a shared one's capabilities would go around the injected failures */
  public FlakyStore(RolloutStore delegate) {
    com.google.common.base.Preconditions.checkArgument(delegate.shared().isEmpty(), "delegate %s is shared", delegate);
    this.delegate = delegate;
  }

  public static FlakyStore inMemory() {
    return new FlakyStore(RolloutStores.inMemory());
  }

  public void refuse(Predicate<JournalEntry> which) {
    this.refuse = which;
  }

  public void heal() {
    this.refuse = e -> false;
  }

  @Override
  public void append(JournalEntry entry) {
    if (refuse.test(entry)) {
      throw new StoreException("injected failure for " + entry.getClass().getSimpleName());
    }
    delegate.append(entry);
  }

  @Override
  public List<String> rolloutIds() {
    return delegate.rolloutIds();
  }

  @Override
  public List<JournalEntry> read(String rolloutId) {
    return delegate.read(rolloutId);
  }

  @Override
  public Optional<SharedRolloutStore> shared() {
    return Optional.empty();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
