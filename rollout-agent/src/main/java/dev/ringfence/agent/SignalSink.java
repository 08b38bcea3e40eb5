package dev.ringfence.agent;

import dev.ringfence.agent.internal.MemorySignalSink;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.Signal;

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

  /**
   * A sink that POSTs signals as JSON to the update server, buffered while it is unreachable.
   *
   * @param signalsUri where to POST, e.g. {@code https://updates.example.com/v1/channels/channel-291/signals}
   *     ({@link dev.ringfence.protocol.UpdateProtocol} has the server's paths)
   * @param capacity how many signals to buffer; when full, the oldest is dropped and counted
   * @param client the HTTP client to use (its executor and timeouts are yours)
   * @return the sink; call {@link BufferedSignalSink#flush()} to deliver
   */
  static BufferedSignalSink http(java.net.URI signalsUri, int capacity, java.net.http.HttpClient client) {
    return new dev.ringfence.agent.internal.HttpSignalSink(signalsUri, capacity, client);
  }

  /**
   * A sink that POSTs signals as JSON to the update server, each request signed with the endpoint's
   * enrollment credentials (bearer token, timestamp, nonce, HMAC-SHA256 of the body), buffered while the
   * server is unreachable.
   *
   * @param signalsUri where to POST, e.g. {@code https://updates.example.com/v1/channels/channel-291/signals}
   * @param capacity how many signals to buffer; when full, the oldest is dropped and counted
   * @param client the HTTP client to use (its executor and timeouts are yours)
   * @param credentials the endpoint's enrollment credentials
   * @return the sink; call {@link BufferedSignalSink#flush()} to deliver
   */
  static BufferedSignalSink http(java.net.URI signalsUri, int capacity, java.net.http.HttpClient client,
      EndpointCredentials credentials) {
    if (credentials == null) {
      throw new dev.ringfence.protocol.InvalidInputException("credentials", "is null; use http(uri, capacity, client)"
          + " for a server that needs none");
    }
    return new dev.ringfence.agent.internal.HttpSignalSink(signalsUri, capacity, client, credentials,
        java.time.Clock.systemUTC());
  }

  /** A sink that discards every signal. */
  SignalSink DISCARD = signal -> { };
}
