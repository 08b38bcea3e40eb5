package dev.ringfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  private final StringWriter err = new StringWriter();
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void drawsAfterTwoSeconds_withTheVirtualTimeTheRunReached() {
    ProgressBar bar = new ProgressBar(new PrintWriter(err), true, nanos::get);
    bar.progress(60, 21_600, "with Ringfence");
    assertThat(err.toString()).as("not before two seconds of wall time").isEmpty();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(3));
    bar.progress(560, 21_600, "with Ringfence");
    assertThat(err.toString()).contains("virtual 9m 20s").contains("  2%");
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
    bar.progress(560, 560, "with Ringfence"); // the run ended at 9m 20s of a 6-hour limit
    assertThat(err.toString()).endsWith("100%  with Ringfence       virtual 9m 20s");
    bar.done();
    assertThat(err.toString()).endsWith("\r");
  }

  @Test
  void disabled_writesNothing() {
    ProgressBar bar = new ProgressBar(new PrintWriter(err), false, nanos::get);
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));
    bar.progress(560, 21_600, "with Ringfence");
    bar.done();
    assertThat(err.toString()).isEmpty();
  }
}
