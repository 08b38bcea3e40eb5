package dev.ringfence.server;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds how long one request may hold a worker before its answer is ready. A handler reads the body with
 * blocking reads; Jetty's idle timeout ends a read that gets no byte at all, but a client that trickles its
 * body a byte at a time would keep a worker for as long as it likes, and a few such clients would take
 * every worker. Each request is armed with a deadline on a scheduler thread; when it passes, the request's
 * connection is closed, which ends the blocked read with an {@code IOException}.
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
   * @param abort closes the request's connection
   * @return the armed deadline; disarm it before the answer is sent
   */
  Deadline arm(Runnable abort) {
    Deadline deadline = new Deadline();
    deadline.task = scheduler.schedule(() -> {
      if (deadline.state.compareAndSet(Deadline.ARMED, Deadline.FIRED)) {
        abort.run();
      }
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    return deadline;
  }

  /** @return the timeout */
  Duration timeout() {
    return timeout;
  }
}
