package dev.ringfence.testing;

import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.SignalSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link SignalSink} that keeps what it is sent, for tests of an agent or of anything else that emits
 * signals: {@link #signals()} in the order sent, {@link #signals(Class)} of one kind. Bounded: when full,
 * the oldest signal is dropped and counted in {@link #dropped()}, as a real sink's buffer would. Thread
 * safe.
 */
public final class RecordingSignalSink implements SignalSink {

  private final int capacity;
  private final Deque<Signal> signals = new ArrayDeque<>();
  private long dropped;

  /**
   * A sink that keeps up to {@code capacity} signals.
   *
   * @param capacity how many signals to keep, at least 1
   * @throws InvalidInputException naming {@code capacity} if it is below 1
   */
  public RecordingSignalSink(int capacity) {
    if (capacity < 1) {
      throw new InvalidInputException("capacity", capacity + " must be at least 1");
    }
    this.capacity = capacity;
  }

  @Override
  public synchronized void send(Signal signal) {
    if (signals.size() == capacity) {
      signals.removeFirst();
      dropped++;
    }
    signals.addLast(signal);
  }

  /** @return the signals kept, oldest first; a copy */
  public synchronized List<Signal> signals() {
    return new ArrayList<>(signals);
  }

  /**
   * The signals of one kind.
   *
   * @param <T> the kind
   * @param kind e.g. {@code Heartbeat.class}
   * @return those kept, oldest first; a copy
   */
  public synchronized <T extends Signal> List<T> signals(Class<T> kind) {
    List<T> out = new ArrayList<>();
    for (Signal signal : signals) {
      if (kind.isInstance(signal)) {
        out.add(kind.cast(signal));
      }
    }
    return out;
  }

  /** @return how many signals were dropped because the sink was full */
  public synchronized long dropped() {
    return dropped;
  }

  /** Forgets every signal kept and the drop count. */
  public synchronized void clear() {
    signals.clear();
    dropped = 0;
  }
}
