package dev.ringfence.cli;

import dev.ringfence.simulator.FleetSimulator;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/**
 * A one-line progress bar on standard error, shown once a run has taken two seconds, redrawn at most five
 * times a second. Wall time is used only to decide when to draw, never by the simulation.
 */
final class ProgressBar implements FleetSimulator.ProgressListener {

  private static final long SHOW_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  ProgressBar(PrintWriter err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  @Override
  public void progress(long done, long total, String label) {
    if (!enabled) {
      return;
    }
    long t = System.nanoTime();
    if (t - started < SHOW_AFTER_NANOS || (t - lastDraw < REDRAW_NANOS && done < total)) {
      return;
    }
    lastDraw = t;
    drawn = true;
    int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
    err.printf("\r[%s%s] %3d%%  %-20s virtual %dm", "#".repeat(filled), " ".repeat(WIDTH - filled),
        total <= 0 ? 100 : done * 100 / total, label, done / 60);
    err.flush();
  }

  void done() {
    if (drawn) {
      err.print("\r" + " ".repeat(WIDTH + 50) + "\r");
      err.flush();
    }
  }
}
