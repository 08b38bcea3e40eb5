package dev.ringfence.gates.test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/**
 * An executor that runs its tasks on the test's thread when the test says so: the order of queries and ticks is
 * the test's, and a task that is never run is a query that hangs.
 */
public final class ManualExecutor implements Executor {
  private final Deque<Runnable> pending = new ArrayDeque<>();
  private int started;

  @Override
  public synchronized void execute(Runnable task) {
    started++;
    pending.add(task);
  }

  /** @return how many tasks were handed to this executor */
  public synchronized int started() {
    return started;
  }

  /** Runs every pending task, in order. */
  public void runAll() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = pending.poll();
      }
      if (next == null) {
        return;
      }
      next.run();
    }
  }
}
