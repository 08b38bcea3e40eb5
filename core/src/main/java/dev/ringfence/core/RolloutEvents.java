package dev.ringfence.core;

import dev.ringfence.core.store.JournalEntry;
import java.util.function.Consumer;

/**
 * Typed subscriptions to what the engine does. Events are the journal entries themselves, delivered
 * after they were stored, on the engine's event executor. A listener that throws is logged and
 * isolated: it never breaks the engine or other listeners.
 */
public interface RolloutEvents {

  /**
   * Every state transition, including ring advances.
   *
   * @param listener the listener
   * @return a handle that unsubscribes
   */
  Registration onTransition(Consumer<JournalEntry.Transitioned> listener);

  /**
   * Every journaled verdict.
   *
   * @param listener the listener
   * @return a handle that unsubscribes
   */
  Registration onVerdict(Consumer<JournalEntry.VerdictRecorded> listener);

  /**
   * Every admission of an endpoint to a ring.
   *
   * @param listener the listener
   * @return a handle that unsubscribes
   */
  Registration onExposure(Consumer<JournalEntry.Admitted> listener);

  /** Ends a subscription. */
  @FunctionalInterface
  interface Registration extends AutoCloseable {
    /** Unsubscribes; idempotent. */
    @Override
    void close();
  }
}
