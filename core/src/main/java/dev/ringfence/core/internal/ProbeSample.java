package dev.ringfence.core.internal;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One probe metric's sample in one arm: one value per endpoint, its second reading on the arm's version
 * (the first after a restart is often a start-up transient that the other arm, which did not restart,
 * does not have), with the time window it came in so that the judge compares windows with themselves.
 * Bounded: at most {@code capacity} values, and for the control at most {@code perWindow} a window (the
 * control is large; capping it per window keeps every window's comparison, and the cost, bounded). Once
 * full it takes nothing more, so recording costs one volatile read. Thread-safe.
 */
final class ProbeSample {

  private final int capacity;
  private final int perWindow;
  private final long windowMillis;
  /** Endpoints that sent their first reading (false) or whose value is in the sample (true). */
  private final ConcurrentHashMap<Track, Boolean> readings = new ConcurrentHashMap<>();
  private volatile boolean full;
  // Guarded by this.
  private double[] values = new double[64];
  private int[] windows = new int[64];
  private int size;
  private int currentWindow = Integer.MIN_VALUE;
  private int inCurrentWindow;

  /**
   * @param capacity the most values kept
   * @param perWindow the most values kept from one window
   * @param windowMillis the width of a window on the rollout's timeline
   */
  ProbeSample(int capacity, int perWindow, long windowMillis) {
    this.capacity = capacity;
    this.perWindow = perWindow;
    this.windowMillis = Math.max(1, windowMillis);
  }

  void record(Track endpoint, double value, long nowMillis) {
    if (full || !Double.isFinite(value)) {
      return;
    }
    Boolean before = readings.putIfAbsent(endpoint, Boolean.FALSE);
    if (before == null || before) {
      if (readings.size() > 4L * capacity) {
        full = true; // endpoints that never send a second reading may not grow the map without bound
      }
      return; // its first reading, or it already has its value
    }
    synchronized (this) {
      int window = (int) Math.max(currentWindow, Math.floorDiv(nowMillis, windowMillis));
      if (window != currentWindow) {
        currentWindow = window;
        inCurrentWindow = 0;
      }
      if (size >= capacity || inCurrentWindow >= perWindow || !readings.replace(endpoint, false, true)) {
        return; // this window has enough; a later reading of the endpoint may come in a later one
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, Math.min(capacity, size * 2));
        windows = Arrays.copyOf(windows, values.length);
      }
      values[size] = value;
      windows[size] = window;
      size++;
      inCurrentWindow++;
      if (size >= capacity) {
        full = true;
      }
    }
  }

  /** The values and their windows, taken together. */
  record Snapshot(double[] values, int[] windows) {}

  synchronized Snapshot snapshot() {
    return new Snapshot(Arrays.copyOf(values, size), Arrays.copyOf(windows, size));
  }
}
