package dev.ringfence.agent;

import dev.ringfence.agent.internal.HttpSignalSink;
import dev.ringfence.protocol.InvalidInputException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;

/**
 * The agent's {@link dev.ringfence.protocol.SignalSink}s: signals POSTed to the update server, buffered
 * while it is unreachable. Any lambda is a sink too ({@code signals::offer} for an application that forwards
 * them itself, {@code rollout::ingest} with the engine in the same process).
 */
public final class SignalSinks {

  private SignalSinks() {}

  /**
   * A sink that POSTs signals as JSON to the update server, buffered while it is unreachable.
   *
   * @param signalsUri where to POST, e.g. {@code https://updates.example.com/v1/channels/channel-291/signals}
   *     ({@link dev.ringfence.protocol.UpdateProtocol} has the server's paths)
   * @param capacity how many signals to buffer; when full, the oldest is dropped and counted
   * @param client the HTTP client to use (its executor and timeouts are yours)
   * @return the sink; call {@link BufferedSignalSink#flush()} to deliver
   */
  public static BufferedSignalSink http(URI signalsUri, int capacity, HttpClient client) {
    return new HttpSignalSink(signalsUri, capacity, client);
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
  public static BufferedSignalSink http(URI signalsUri, int capacity, HttpClient client,
      EndpointCredentials credentials) {
    if (credentials == null) {
      throw new InvalidInputException("credentials", "is null; use http(uri, capacity, client)"
          + " for a server that needs none");
    }
    return new HttpSignalSink(signalsUri, capacity, client, credentials, Clock.systemUTC());
  }
}
