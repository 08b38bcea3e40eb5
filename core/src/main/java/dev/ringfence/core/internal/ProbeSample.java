package dev.ringfence.core.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One probe metric's sample in one arm: one value per endpoint — the mean of its readings after the first
 * ({@value #READINGS_PER_VALUE} of them; the first after a restart is often a start-up transient that the
 * other arm, which did not restart, does not have) — with the time window in which it was complete, so that
 * the judge compares windows with themselves. An endpoint's value enters once and never changes, so the
 * sample only grows, as a sequential test needs.
 *
 * <p>Bounded: at most {@code capacity} values, at most {@code perWindow} from one window (the control is
 * large; capping it per window keeps a control in every window, and the cost bounded: an endpoint turned
 * away starts again and may give its value in a later window), and at most {@code maxInProgress}
 * endpoints being averaged at once. Once full it takes nothing more, and recording costs one volatile
 * read. Thread-safe: a monitor, which probe readings take only until the sample is full.
 */
final class ProbeSample {

  /** Readings averaged into an endpoint's value, after the first one. */
  static final int READINGS_PER_VALUE = 3;

  private final int capacity;
  private final int perWindow;
  private final int maxInProgress;
  private final long windowMillis;
  private volatile boolean full;
  // Guarded by this. Tracks are compared by identity: one per endpoint and arm.
  /** Per endpoint being averaged: {readings seen, sum of those after the first}. */
  private final Map<Track, double[]> inProgress = new HashMap<>();
  private final Set<Track> done = new HashSet<>();
  private double[] values = new double[64];
  private int[] windows = new int[64];
  private int size;
  private long currentWindow = Long.MIN_VALUE;
  private int inCurrentWindow;

  /**
   * @param capacity the most values kept
   * @param perWindow the most values kept from one window
   * @param maxInProgress the most endpoints averaged at once
   * @param windowMillis the width of a window on the rollout's timeline
   */
  ProbeSample(int capacity, int perWindow, int maxInProgress, long windowMillis) {
    this.capacity = capacity;
    this.perWindow = perWindow;
    this.maxInProgress = maxInProgress;
    this.windowMillis = Math.max(1, windowMillis);
  }

  void record(Track endpoint, double value, long nowMillis) {
    if (full || !Double.isFinite(value)) {
      return;
    }
    synchronized (this) {
      if (full || done.contains(endpoint)) {
        return;
      }
      double[] sum = inProgress.get(endpoint);
      if (sum == null) {
        if (inProgress.size() < maxInProgress) {
          inProgress.put(endpoint, new double[] {1, 0}); // its first reading: left out
        }
        return;
      }
      sum[0]++;
      sum[1] += value;
      if (sum[0] < 1 + READINGS_PER_VALUE) {
        return;
      }
      inProgress.remove(endpoint);
      long window = Math.max(currentWindow, Math.floorDiv(nowMillis, windowMillis));
      if (window != currentWindow) {
        currentWindow = window;
        inCurrentWindow = 0;
      }
      if (inCurrentWindow >= perWindow) {
        return; // this window has enough: the endpoint starts again, and may give its value in a later one
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, Math.min(capacity, size * 2));
        windows = Arrays.copyOf(windows, values.length);
      }
      done.add(endpoint);
      values[size] = sum[1] / READINGS_PER_VALUE;
      windows[size] = (int) window;
      size++;
      inCurrentWindow++;
      if (size >= capacity) {
        full = true;
        inProgress.clear();
      }
    }
  }

  /** The values and their windows, taken together. */
  record Snapshot(double[] values, int[] windows) {}

  synchronized Snapshot snapshot() {
    return new Snapshot(Arrays.copyOf(values, size), Arrays.copyOf(windows, size));
  }
}
