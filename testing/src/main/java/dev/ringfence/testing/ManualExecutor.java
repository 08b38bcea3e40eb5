package dev.ringfence.testing;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * An {@link Executor} that runs its tasks on the test's thread when the test says so, for the asynchronous gates'
 * executor: the order of measurements and ticks is the test's, and a task that is never run is a measurement that
 * hangs. Safe to hand tasks to from any thread.
 */
public final class ManualExecutor implements Executor {

  /** The most tasks one {@link #runAll()} runs, so that a task that hands over another forever cannot hang it. */
  public static final int MAX_RUN = 100_000;

  private final List<Runnable> all = new ArrayList<>();
  private final Deque<Runnable> pending = new ArrayDeque<>();

  /** An executor with no tasks yet. */
  public ManualExecutor() {}

  /**
   * Keeps the task until the test runs it.
   *
   * @param task the task
   * @throws NullPointerException if {@code task} is null
   */
  @Override
  public synchronized void execute(Runnable task) {
    requireNonNull(task, "task");
    all.add(task);
    pending.add(task);
  }

  /** @return how many tasks were handed to this executor, run or not */
  public synchronized int started() {
    return all.size();
  }

  /**
   * @param i the task's index, in the order they were handed over, from 0
   * @return that task, run or not (a {@link java.util.concurrent.FutureTask} when it came from {@code submit})
   * @throws IndexOutOfBoundsException if fewer tasks were handed over
   */
  public synchronized Runnable task(int i) {
    return all.get(i);
  }

  /**
   * Runs every pending task in the order they were handed over, on this thread, and those they hand over while
   * running.
   *
   * @return how many ran
   * @throws IllegalStateException after {@value #MAX_RUN} tasks in one call: a task that hands over another
   *     forever
   */
  public int runAll() {
    for (int ran = 0; ran < MAX_RUN; ran++) {
      Runnable next;
      synchronized (this) {
        next = pending.poll();
      }
      if (next == null) {
        return ran;
      }
      next.run();
    }
    throw new IllegalStateException("tasks still pending after " + MAX_RUN + " in one runAll(): a task hands over"
        + " another forever");
  }
}
