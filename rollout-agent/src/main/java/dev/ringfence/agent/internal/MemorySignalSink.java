package dev.ringfence.agent.internal;

import dev.ringfence.agent.RecordingSignalSink;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.Signal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Bounded in-memory sink: when full, the oldest signal is dropped and counted. */
public final class MemorySignalSink implements RecordingSignalSink {

  private final int capacity;
  private final Deque<Signal> signals = new ArrayDeque<>();
  private long dropped;

  /** @param capacity how many signals to keep, at least 1 */
  public MemorySignalSink(int capacity) {
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

  @Override
  public synchronized List<Signal> signals() {
    return new ArrayList<>(signals);
  }

  @Override
  public synchronized long dropped() {
    return dropped;
  }
}
