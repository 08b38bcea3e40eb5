package dev.ringfence.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.BufferedSignalSink;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.UpdateProtocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * POSTs signals to {@code signalsUri} as a JSON array, at most {@value #BATCH} per request, buffered in a
 * bounded queue while the server is unreachable; the oldest is dropped (and counted) when it is full.
 * With credentials, each request carries the endpoint id, the bearer token, a timestamp, a fresh random
 * nonce and the HMAC-SHA256 of the body ({@link EndpointCredentials}).
 */
public final class HttpSignalSink implements BufferedSignalSink {

  static final int BATCH = 100;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private record Entry(long id, Signal signal) {}

  private final URI signalsUri;
  private final int capacity;
  private final HttpClient client;
  private final @Nullable EndpointCredentials credentials;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Deque<Entry> buffer = new ArrayDeque<>();
  private long nextId;
  private long dropped;
  private final Object flushLock = new Object();

  /**
   * @param signalsUri where to POST
   * @param capacity buffer size, at least 1
   * @param client the HTTP client
   */
  public HttpSignalSink(URI signalsUri, int capacity, HttpClient client) {
    this(signalsUri, capacity, client, null, Clock.systemUTC());
  }

  /**
   * @param signalsUri where to POST
   * @param capacity buffer size, at least 1
   * @param client the HTTP client
   * @param credentials sign every request with these; null to send unsigned requests
   * @param clock the signing time's source
   */
  public HttpSignalSink(URI signalsUri, int capacity, HttpClient client, @Nullable EndpointCredentials credentials,
      Clock clock) {
    this.credentials = credentials;
    this.clock = clock;
    if (capacity < 1) {
      throw new InvalidInputException("capacity", capacity + " must be at least 1");
    }
    if (signalsUri == null || !signalsUri.isAbsolute()) {
      throw new InvalidInputException("signalsUri", signalsUri + " must be an absolute URI");
    }
    this.signalsUri = signalsUri;
    this.capacity = capacity;
    this.client = client;
  }

  @Override
  public synchronized void send(Signal signal) {
    if (buffer.size() == capacity) {
      buffer.removeFirst();
      dropped++;
    }
    buffer.addLast(new Entry(nextId++, signal));
  }

  @Override
  public int flush() {
    synchronized (flushLock) {
      int delivered = 0;
      while (true) {
        List<Entry> batch = new ArrayList<>();
        synchronized (this) {
          for (Entry entry : buffer) {
            if (batch.size() == BATCH) {
              break;
            }
            batch.add(entry);
          }
        }
        if (batch.isEmpty() || !post(batch)) {
          return delivered;
        }
        long lastId = batch.get(batch.size() - 1).id();
        synchronized (this) {
          // Entries sent may have been dropped meanwhile; remove by id, never more than was sent.
          while (!buffer.isEmpty() && buffer.peekFirst().id() <= lastId) {
            buffer.removeFirst();
          }
        }
        delivered += batch.size();
      }
    }
  }

  private boolean post(List<Entry> batch) {
    ArrayNode array = MAPPER.createArrayNode();
    for (Entry entry : batch) {
      array.add(toJson(entry.signal()));
    }
    try {
      byte[] body = MAPPER.writeValueAsBytes(array);
      HttpRequest.Builder request = HttpRequest.newBuilder(signalsUri).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .header(UpdateProtocol.PROTOCOL_HEADER, Integer.toString(UpdateProtocol.PROTOCOL_VERSION))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (credentials != null) {
        byte[] nonceBytes = new byte[16];
        random.nextBytes(nonceBytes);
        String nonce = HexFormat.of().formatHex(nonceBytes);
        long now = clock.millis();
        request.header(UpdateProtocol.ENDPOINT_HEADER, credentials.endpointId())
            .header("Authorization", credentials.authorization())
            .header(UpdateProtocol.TIMESTAMP_HEADER, Long.toString(now))
            .header(UpdateProtocol.NONCE_HEADER, nonce)
            .header(UpdateProtocol.SIGNATURE_HEADER, credentials.sign(now, nonce, body));
      }
      int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      return status >= 200 && status < 300;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static ObjectNode toJson(Signal signal) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("endpointId", signal.endpointId());
    node.put("bootId", signal.bootId());
    node.put("sequence", signal.sequence());
    node.put("version", signal.version());
    if (signal instanceof Heartbeat heartbeat) {
      node.put("type", "heartbeat");
      node.put("failedStarts", heartbeat.failedStarts());
    } else if (signal instanceof ApplyResult result) {
      node.put("type", "applyResult");
      node.put("outcome", result.outcome().name());
      node.put("reason", result.reason());
    } else if (signal instanceof ProbeReading probe) {
      node.put("type", "probe");
      node.put("metric", probe.metric());
      node.put("value", probe.value());
    }
    return node;
  }

  @Override
  public synchronized int buffered() {
    return buffer.size();
  }

  @Override
  public synchronized long dropped() {
    return dropped;
  }
}
