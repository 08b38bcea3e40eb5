package dev.ringfence.core.internal;

import dev.ringfence.core.RolloutEvents;
import dev.ringfence.core.store.JournalEntry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers journal entries to listeners on the configured executor, isolating listener failures. */
final class EventBus implements RolloutEvents {

  private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

  private final Executor executor;
  private final List<Consumer<JournalEntry.Transitioned>> transitions = new CopyOnWriteArrayList<>();
  private final List<Consumer<JournalEntry.VerdictRecorded>> verdicts = new CopyOnWriteArrayList<>();
  private final List<Consumer<JournalEntry.Admitted>> exposures = new CopyOnWriteArrayList<>();

  EventBus(Executor executor) {
    this.executor = executor;
  }

  @Override
  public Registration onTransition(Consumer<JournalEntry.Transitioned> listener) {
    return subscribe(transitions, listener);
  }

  @Override
  public Registration onVerdict(Consumer<JournalEntry.VerdictRecorded> listener) {
    return subscribe(verdicts, listener);
  }

  @Override
  public Registration onExposure(Consumer<JournalEntry.Admitted> listener) {
    return subscribe(exposures, listener);
  }

  private static <T> Registration subscribe(List<Consumer<T>> listeners, Consumer<T> listener) {
    if (listener == null) {
      throw new dev.ringfence.protocol.InvalidInputException("listener", "is null");
    }
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  void publish(JournalEntry entry) {
    if (entry instanceof JournalEntry.Transitioned) {
      deliver(transitions, (JournalEntry.Transitioned) entry);
    } else if (entry instanceof JournalEntry.VerdictRecorded) {
      deliver(verdicts, (JournalEntry.VerdictRecorded) entry);
    } else if (entry instanceof JournalEntry.Admitted) {
      deliver(exposures, (JournalEntry.Admitted) entry);
    }
  }

  private <T> void deliver(List<Consumer<T>> listeners, T event) {
    if (listeners.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> {
        for (Consumer<T> listener : listeners) {
          try {
            listener.accept(event);
          } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
              throw e;
            }
            LOG.warn("rollout event listener {} threw on {}; the engine carries on", listener, event, e);
          }
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("event executor refused to deliver {}; the engine carries on", event, e);
    }
  }
}
