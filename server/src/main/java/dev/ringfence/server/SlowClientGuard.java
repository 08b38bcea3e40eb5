package dev.ringfence.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadline for a request's headers, which Jetty leaves to the application (its idle timeout restarts on
 * every byte, and its minimum data rate covers bodies only). Jetty parses headers without holding a worker,
 * so a client that trickles them costs a connection, not a thread; this guard frees the connection too. A
 * connection that has received bytes but not started a request within {@code timeout} of being opened, or of
 * its last answer, is closed and counted ({@code ringfence_server_connections_closed_total{reason="slow_header"}});
 * a connection that is merely idle (no byte) is left to the idle timeout. The closings are logged once per
 * check, as one line, not once per connection.
 */
final class SlowClientGuard implements Connection.Listener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SlowClientGuard.class);

  /** What the guard last saw of one connection. */
  private static final class Seen {
    long messagesIn;
    long messagesOut;
    long bytesIn;
    long quietSinceNanos;

    Seen(Connection c, long now) {
      reset(c, now);
    }

    void reset(Connection c, long now) {
      messagesIn = c.getMessagesIn();
      messagesOut = c.getMessagesOut();
      bytesIn = c.getBytesIn();
      quietSinceNanos = now;
    }
  }

  private final Map<Connection, Seen> open = new ConcurrentHashMap<>();
  private final long timeoutNanos;
  private final LongSupplier nanoTime;
  private final Runnable onClosed;
  private final AtomicLong closed = new AtomicLong();
  private final ScheduledFuture<?> task;

  /**
   * @param scheduler runs the check, a few times per {@code timeout}
   * @param timeout how long a connection may take to send a complete request header
   * @param nanoTime the time source of the deadline
   * @param onClosed counts one connection closed for a slow header
   */
  SlowClientGuard(ScheduledExecutorService scheduler, Duration timeout, LongSupplier nanoTime, Runnable onClosed) {
    this.timeoutNanos = timeout.toNanos();
    this.nanoTime = nanoTime;
    this.onClosed = onClosed;
    long every = Math.max(50_000_000L, timeoutNanos / 4);
    this.task = scheduler.scheduleWithFixedDelay(this::check, every, every, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onOpened(Connection connection) {
    open.put(connection, new Seen(connection, nanoTime.getAsLong()));
  }

  @Override
  public void onClosed(Connection connection) {
    open.remove(connection);
  }

  /** @return connections closed for a slow header so far */
  long closedCount() {
    return closed.get();
  }

  /** Closes the connections past their header deadline; runs on the scheduler. */
  void check() {
    long now = nanoTime.getAsLong();
    int closedNow = 0;
    for (Map.Entry<Connection, Seen> e : open.entrySet()) {
      Connection c = e.getKey();
      Seen seen = e.getValue();
      long in = c.getMessagesIn();
      long out = c.getMessagesOut();
      if (in != seen.messagesIn || out != seen.messagesOut || in > out) {
        // A request began or was answered since the last look, or one is in progress (its body and handler
        // are under the request deadline): the header clock starts again.
        seen.reset(c, now);
        continue;
      }
      if (now - seen.quietSinceNanos >= timeoutNanos && c.getBytesIn() > seen.bytesIn) {
        open.remove(c);
        c.getEndPoint().close();
        closed.incrementAndGet();
        onClosed.run();
        closedNow++;
      }
    }
    if (closedNow > 0) {
      LOG.warn("closed {} connection(s) that sent part of a request but no complete header within {} ms ({} so far)",
          closedNow, TimeUnit.NANOSECONDS.toMillis(timeoutNanos), closed.get());
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
