package dev.ringfence.protocol;

/**
 * Where an endpoint's health signals go: the agent sends heartbeats, apply results and probe readings
 * into one. The agent's HTTP sink delivers them to an update server; an application that runs the engine
 * in the same process can hand them over directly ({@code SignalSink sink = rollout::ingest}); the test kit
 * records them. Implementations must not block for long and must not throw: a sink that cannot deliver
 * buffers (bounded) or drops, and counts what it dropped.
 */
@FunctionalInterface
public interface SignalSink {

  /** A sink that discards every signal. */
  SignalSink DISCARD = signal -> { };

  /**
   * Hands over one signal.
   *
   * @param signal a heartbeat, an apply result or a probe reading
   */
  void send(Signal signal);
}
