package dev.ringfence.core.gate;

import com.google.common.base.Preconditions;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Immutable configuration of a polling {@link AsyncGate}: where its measurements run and how their answers are
 * counted. Build with {@link #custom()}; every setter checks its argument at once.
 *
 * <p>Defaults: a {@link #timeout()} of {@value #DEFAULT_TIMEOUT_SECONDS} seconds, a {@link
 * #consecutiveErrorLimit()} of {@value #DEFAULT_CONSECUTIVE_ERROR_LIMIT}, {@link #minSamples()} 1 and an {@link
 * #interval()} of zero (a measurement on every tick, when the previous one has finished). There is no default
 * executor: the host gives one, and it must run tasks on threads other than the one that ticks.
 */
public final class AsyncGateConfig {

  /** Default of {@link #timeout()}, in seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 30;
  /** Default of {@link #consecutiveErrorLimit()}. */
  public static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 3;
  /** The largest {@link #consecutiveErrorLimit()} and {@link #minSamples()}. */
  public static final int MAX_COUNT = 1_000;
  /** The longest {@link #timeout()} and {@link #interval()}. */
  public static final Duration MAX_DURATION = Duration.ofHours(1);

  private final Executor executor;
  private final Duration timeout;
  private final int consecutiveErrorLimit;
  private final int minSamples;
  private final Duration interval;

  private AsyncGateConfig(Builder builder) {
    this.executor = builder.executor;
    this.timeout = builder.timeout;
    this.consecutiveErrorLimit = builder.consecutiveErrorLimit;
    this.minSamples = builder.minSamples;
    this.interval = builder.interval;
  }

  /** @return a builder starting from the defaults */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * A builder starting from another configuration.
   *
   * @param other the configuration to copy
   * @return a builder
   */
  public static Builder from(AsyncGateConfig other) {
    Builder builder = new Builder();
    builder.executor = other.executor;
    builder.timeout = other.timeout;
    builder.consecutiveErrorLimit = other.consecutiveErrorLimit;
    builder.minSamples = other.minSamples;
    builder.interval = other.interval;
    return builder;
  }

  /** @return where measurements run; never the tick thread */
  public Executor executor() {
    return executor;
  }

  /**
   * How long a measurement may take, from the instant it was asked for to the tick that finds it unfinished,
   * on the engine's clock; past it the measurement is abandoned and counts as an error.
   *
   * @return the timeout, positive
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * How many failed or timed-out measurements in a row are tolerated: up to this many the verdict is
   * INCONCLUSIVE, one more is ERROR (the rollout pauses). 0 makes the first error an ERROR.
   *
   * @return the limit, 0..{@value #MAX_COUNT}
   */
  public int consecutiveErrorLimit() {
    return consecutiveErrorLimit;
  }

  /**
   * How many measurements in a row must pass before the gate says PASS.
   *
   * @return the count, 1..{@value #MAX_COUNT}
   */
  public int minSamples() {
    return minSamples;
  }

  /**
   * The least time between the starts of two measurements, on the engine's clock; zero measures on every tick
   * (never two at once).
   *
   * @return the interval, zero or positive
   */
  public Duration interval() {
    return interval;
  }

  @Override
  public String toString() {
    return "AsyncGateConfig[timeout=" + timeout + ", consecutiveErrorLimit=" + consecutiveErrorLimit
        + ", minSamples=" + minSamples + ", interval=" + interval + "]";
  }

  /** Builds an {@link AsyncGateConfig}. */
  public static final class Builder {
    private Executor executor;
    private Duration timeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    private int consecutiveErrorLimit = DEFAULT_CONSECUTIVE_ERROR_LIMIT;
    private int minSamples = 1;
    private Duration interval = Duration.ZERO;

    private Builder() {}

    /**
     * @param executor where measurements run; must not run them on the calling thread
     * @return this builder
     */
    public Builder executor(Executor executor) {
      Preconditions.checkNotNull(executor, "executor: is null; give an executor whose threads may wait on the network");
      this.executor = executor;
      return this;
    }

    /**
     * @param timeout how long a measurement may take on the engine's clock; positive, at most one hour
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Preconditions.checkNotNull(timeout, "timeout: is null");
      Preconditions.checkArgument(!timeout.isNegative() && !timeout.isZero() && timeout.compareTo(MAX_DURATION) <= 0,
          "timeout: %s must be positive and at most %s", timeout, MAX_DURATION);
      this.timeout = timeout;
      return this;
    }

    /**
     * @param limit failed measurements in a row tolerated before ERROR, 0..{@value #MAX_COUNT}
     * @return this builder
     */
    public Builder consecutiveErrorLimit(int limit) {
      Preconditions.checkArgument(limit >= 0 && limit <= MAX_COUNT, "consecutiveErrorLimit: %s is outside 0..%s", limit,
          MAX_COUNT);
      this.consecutiveErrorLimit = limit;
      return this;
    }

    /**
     * @param count passing measurements in a row needed for PASS, 1..{@value #MAX_COUNT}
     * @return this builder
     */
    public Builder minSamples(int count) {
      Preconditions.checkArgument(count >= 1 && count <= MAX_COUNT, "minSamples: %s is outside 1..%s", count, MAX_COUNT);
      this.minSamples = count;
      return this;
    }

    /**
     * @param interval least time between two measurements' starts; zero or positive, at most one hour
     * @return this builder
     */
    public Builder interval(Duration interval) {
      Preconditions.checkNotNull(interval, "interval: is null");
      Preconditions.checkArgument(!interval.isNegative() && interval.compareTo(MAX_DURATION) <= 0,
          "interval: %s must be zero or positive and at most %s", interval, MAX_DURATION);
      this.interval = interval;
      return this;
    }

    /**
     * @return the configuration
     * @throws IllegalStateException if no executor was given
     */
    public AsyncGateConfig build() {
      Preconditions.checkState(executor != null, "executor: is required; measurements never run on the tick thread");
      return new AsyncGateConfig(this);
    }
  }
}
