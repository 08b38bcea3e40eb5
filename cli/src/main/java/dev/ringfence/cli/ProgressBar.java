package dev.ringfence.cli;

import dev.ringfence.simulator.FleetSimulator;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on standard error, shown once a run has taken two seconds, redrawn at most five
 * times a second, and only when the command runs on a terminal: a redirected stream gets no carriage
 * returns. Wall time is used only to decide when to draw, never by the simulation.
 */
final class ProgressBar implements FleetSimulator.ProgressListener {

  private static final long SHOW_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean enabled;
  private final LongSupplier ticker;
  private final long started;
  private long lastDraw;
  private boolean drawn;

  /**
   * @param enabled false for {@code --quiet} or when not on a terminal ({@link #onTerminal()})
   * @param ticker wall time in nanoseconds ({@code System::nanoTime}), for when to draw
   */
  ProgressBar(PrintWriter err, boolean enabled, LongSupplier ticker) {
    this.err = err;
    this.enabled = enabled;
    this.ticker = ticker;
    this.started = ticker.getAsLong();
  }

  /** @return whether the command talks to a terminal (the JVM has a console: no stream redirected) */
  static boolean onTerminal() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }

  @Override
  public void progress(long done, long total, String label) {
    if (!enabled) {
      return;
    }
    long t = ticker.getAsLong();
    if (t - started < SHOW_AFTER_NANOS || (t - lastDraw < REDRAW_NANOS && done < total)) {
      return;
    }
    lastDraw = t;
    drawn = true;
    int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
    err.printf("\r[%s%s] %3d%%  %-20s virtual %s", "#".repeat(filled), " ".repeat(WIDTH - filled),
        total <= 0 ? 100 : done * 100 / total, label, Summary.time((int) Math.min(Integer.MAX_VALUE, done)));
    err.flush();
  }

  void done() {
    if (drawn) {
      err.print("\r" + " ".repeat(WIDTH + 50) + "\r");
      err.flush();
    }
  }
}
