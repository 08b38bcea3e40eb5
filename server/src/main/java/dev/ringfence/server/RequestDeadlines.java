package dev.ringfence.server;

import com.sun.net.httpserver.HttpExchange;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds how long one request may hold a worker before its answer is ready. The JDK's {@code HttpServer} has
 * no per-request read timeout (its {@code sun.net.httpserver.maxReqTime} is a JVM-wide system property, read
 * once), so a client that sends its headers and then stalls or trickles its body would keep a worker blocked in
 * a read for as long as it likes; a few such clients would take every worker. Each request is armed with a
 * deadline on a scheduler thread; when it passes, the exchange is closed. Before the answer's headers are sent,
 * closing an exchange closes its connection, which ends the blocked read with an {@code IOException}.
 */
final class RequestDeadlines {

  private final ScheduledExecutorService scheduler;
  private final Duration timeout;

  RequestDeadlines(ScheduledExecutorService scheduler, Duration timeout) {
    this.scheduler = scheduler;
    this.timeout = timeout;
  }

  /** One armed deadline: it either fires (and closes the exchange) or is disarmed, never both. */
  static final class Deadline {
    private static final int ARMED = 0;
    private static final int FIRED = 1;
    private static final int DISARMED = 2;

    private final AtomicInteger state = new AtomicInteger(ARMED);
    private volatile ScheduledFuture<?> task;

    /** @return true if the deadline passed (the connection is closed), false if it was disarmed in time */
    boolean disarm() {
      if (state.compareAndSet(ARMED, DISARMED)) {
        task.cancel(false);
        return false;
      }
      return state.get() == FIRED;
    }

    /** @return whether the deadline passed */
    boolean fired() {
      return state.get() == FIRED;
    }
  }

  /**
   * @param exchange the request
   * @return the armed deadline; disarm it before the answer is sent
   */
  Deadline arm(HttpExchange exchange) {
    Deadline deadline = new Deadline();
    deadline.task = scheduler.schedule(() -> {
      if (deadline.state.compareAndSet(Deadline.ARMED, Deadline.FIRED)) {
        exchange.close();
      }
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    return deadline;
  }

  /** @return the timeout */
  Duration timeout() {
    return timeout;
  }
}
