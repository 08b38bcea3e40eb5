package dev.ringfence.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The latest readings of one metric in one arm: a fixed ring buffer written with one atomic
 * increment and one store, so recording never locks or allocates.
 */
final class ProbeWindow {

  private final AtomicLongArray values;
  private final AtomicLong written = new AtomicLong();

  ProbeWindow(int capacity) {
    this.values = new AtomicLongArray(capacity);
  }

  void record(double value) {
    long index = written.getAndIncrement();
    values.set((int) (index % values.length()), Double.doubleToRawLongBits(value));
  }

  /** @return a copy of the readings held, oldest first once the buffer has wrapped */
  double[] snapshot() {
    long count = written.get();
    int n = (int) Math.min(count, values.length());
    double[] out = new double[n];
    long start = count - n;
    for (int i = 0; i < n; i++) {
      out[i] = Double.longBitsToDouble(values.get((int) ((start + i) % values.length())));
    }
    return out;
  }
}
