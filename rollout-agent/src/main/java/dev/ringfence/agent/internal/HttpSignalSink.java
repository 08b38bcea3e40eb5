package dev.ringfence.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.BufferedSignalSink;
import dev.ringfence.core.InvalidInputException;
import dev.ringfence.core.health.ApplyResult;
import dev.ringfence.core.health.Heartbeat;
import dev.ringfence.core.health.ProbeReading;
import dev.ringfence.core.health.Signal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * POSTs signals to {@code signalsUri} as a JSON array, at most {@value #BATCH} per request, buffered in a
 * bounded queue while the server is unreachable; the oldest is dropped (and counted) when it is full.
 */
public final class HttpSignalSink implements BufferedSignalSink {

  static final int BATCH = 100;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private record Entry(long id, Signal signal) {}

  private final URI signalsUri;
  private final int capacity;
  private final HttpClient client;
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
      HttpRequest request = HttpRequest.newBuilder(signalsUri).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(array))).build();
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
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
