package dev.ringfence.agent;

import dev.ringfence.agent.internal.MemorySignalSink;
import dev.ringfence.core.health.Signal;

/**
 * Where the agent sends its heartbeats and apply results. Implementations must not block for long and
 * must not throw: a sink that cannot deliver buffers (bounded) or drops, and counts what it dropped.
 */
@FunctionalInterface
public interface SignalSink {

  /**
   * Hands over one signal.
   *
   * @param signal a heartbeat or an apply result
   */
  void send(Signal signal);

  /**
   * A sink that keeps signals in memory, for tests and for embedding applications that forward them
   * themselves.
   *
   * @param capacity how many signals to keep; when full, the oldest is dropped and counted
   * @return the sink
   */
  static RecordingSignalSink inMemory(int capacity) {
    return new MemorySignalSink(capacity);
  }

  /** A sink that discards every signal. */
  SignalSink DISCARD = signal -> { };
}
