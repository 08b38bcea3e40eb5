package dev.ringfence.server;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real HTTP webhook receiver on 127.0.0.1 (Jetty): records every request's headers and body, and answers each
 * with the next scripted status (200 once the script is used up), or holds it until {@link #release()} when told to
 * hang.
 */
final class WebhookReceiver implements AutoCloseable {

  /** One request as received. */
  record Delivery(Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Server jetty = new Server();
  private final ServerConnector connector = new ServerConnector(jetty);
  private final List<Delivery> received = new ArrayList<>();
  private final Deque<Integer> script = new ArrayDeque<>();
  private volatile boolean hang;
  private final CountDownLatch released = new CountDownLatch(1);

  WebhookReceiver() throws Exception {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    jetty.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Map<String, String> headers = new TreeMap<>();
        request.getHeaders().forEach(f -> headers.put(f.getLowerCaseName(), f.getValue()));
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
          body = in.readAllBytes();
        }
        int status;
        synchronized (WebhookReceiver.this) {
          received.add(new Delivery(headers, body));
          Integer next = script.poll();
          status = next == null ? 200 : next;
        }
        if (hang) {
          released.await(60, TimeUnit.SECONDS); // bounded: the test releases it, or the test is long over
        }
        response.setStatus(status);
        response.write(true, null, callback);
        return true;
      }
    });
    jetty.start();
  }

  /** Answers the next requests with these statuses, in order. */
  synchronized WebhookReceiver answer(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  /** Holds every request from now on until {@link #release()}. */
  WebhookReceiver hang() {
    hang = true;
    return this;
  }

  void release() {
    hang = false;
    released.countDown();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
  }

  synchronized List<Delivery> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    release();
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the receiver", e);
    }
  }
}
