package dev.ringfence.agent;

import dev.ringfence.agent.internal.Args;
import java.time.Duration;

/**
 * Immutable settings of the agent's HTTP fetcher: timeouts, retries with exponential backoff and
 * jitter, the circuit breaker, and the hard payload cap. Build with {@link #custom()}; every setter checks
 * its argument at once.
 */
public final class FetchConfig {

  /**
   * The largest payload the agent takes, 1 GiB, whether fetched or handed to {@code apply}: it holds a payload in
   * memory while it stages and verifies it. A larger signed size is refused as {@code PAYLOAD_TOO_LARGE}.
   */
  public static final long MAX_PAYLOAD_BYTES = 1L << 30;

  private final Duration connectTimeout;
  private final Duration attemptTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double backoffMultiplier;
  private final double jitter;
  private final long maxPayloadBytes;
  private final float breakerFailureRatePercent;
  private final int breakerMinimumCalls;
  private final Duration breakerOpenDuration;

  private FetchConfig(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.attemptTimeout = b.attemptTimeout;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.backoffMultiplier = b.backoffMultiplier;
    this.jitter = b.jitter;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.breakerFailureRatePercent = b.breakerFailureRatePercent;
    this.breakerMinimumCalls = b.breakerMinimumCalls;
    this.breakerOpenDuration = b.breakerOpenDuration;
  }

  /** @return every default */
  public static FetchConfig ofDefaults() {
    return custom().build();
  }

  /** @return a builder starting from the defaults */
  public static Builder custom() {
    return new Builder();
  }

  /** @return time to open a connection; default 5 s */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** @return time one attempt (headers and body) may take before it is cancelled; default 60 s */
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /** @return attempts per request, the first included; default 4 */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** @return wait before the first retry; default 500 ms */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** @return factor between successive waits; default 2 */
  public double backoffMultiplier() {
    return backoffMultiplier;
  }

  /** @return randomization factor of each wait, 0 to 1; default 0.5 */
  public double jitter() {
    return jitter;
  }

  /** @return bytes after which any payload download is cut, whatever its envelope says; default 64 MiB */
  public long maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** @return failure rate, in percent, at which the breaker opens; default 50 */
  public float breakerFailureRatePercent() {
    return breakerFailureRatePercent;
  }

  /** @return calls recorded before the breaker judges the failure rate; default 4 */
  public int breakerMinimumCalls() {
    return breakerMinimumCalls;
  }

  /** @return how long an open breaker refuses calls before it lets a probe through; default 60 s */
  public Duration breakerOpenDuration() {
    return breakerOpenDuration;
  }

  /** Builds a {@link FetchConfig}. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration attemptTimeout = Duration.ofSeconds(60);
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(500);
    private double backoffMultiplier = 2.0;
    private double jitter = 0.5;
    private long maxPayloadBytes = 64L * 1024 * 1024;
    private float breakerFailureRatePercent = 50;
    private int breakerMinimumCalls = 4;
    private Duration breakerOpenDuration = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * @param timeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Args.positive("connectTimeout", timeout);
      return this;
    }

    /**
     * @param timeout positive
     * @return this builder
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = Args.positive("attemptTimeout", timeout);
      return this;
    }

    /**
     * @param attempts 1 to 20
     * @return this builder
     */
    public Builder maxAttempts(int attempts) {
      Args.require(attempts >= 1 && attempts <= 20, "maxAttempts", attempts + " is outside 1..20");
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * @param backoff positive
     * @return this builder
     */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = Args.positive("initialBackoff", backoff);
      return this;
    }

    /**
     * @param multiplier 1 to 10
     * @return this builder
     */
    public Builder backoffMultiplier(double multiplier) {
      Args.require(multiplier >= 1 && multiplier <= 10, "backoffMultiplier", multiplier + " is outside 1..10");
      this.backoffMultiplier = multiplier;
      return this;
    }

    /**
     * @param factor randomization of each wait, 0 (none) to 1
     * @return this builder
     */
    public Builder jitter(double factor) {
      Args.require(factor >= 0 && factor < 1, "jitter", factor + " is outside [0, 1)");
      this.jitter = factor;
      return this;
    }

    /**
     * @param bytes at least 1, at most {@link #MAX_PAYLOAD_BYTES}
     * @return this builder
     */
    public Builder maxPayloadBytes(long bytes) {
      Args.require(bytes >= 1 && bytes <= MAX_PAYLOAD_BYTES, "maxPayloadBytes", bytes + " is outside 1.."
          + MAX_PAYLOAD_BYTES + " (the agent holds a payload in memory while it stages and verifies it)");
      this.maxPayloadBytes = bytes;
      return this;
    }

    /**
     * @param percent above 0, at most 100
     * @return this builder
     */
    public Builder breakerFailureRatePercent(float percent) {
      Args.require(percent > 0 && percent <= 100, "breakerFailureRatePercent", percent + " is outside (0, 100]");
      this.breakerFailureRatePercent = percent;
      return this;
    }

    /**
     * @param calls at least 1
     * @return this builder
     */
    public Builder breakerMinimumCalls(int calls) {
      Args.require(calls >= 1, "breakerMinimumCalls", calls + " must be at least 1");
      this.breakerMinimumCalls = calls;
      return this;
    }

    /**
     * @param duration positive
     * @return this builder
     */
    public Builder breakerOpenDuration(Duration duration) {
      this.breakerOpenDuration = Args.positive("breakerOpenDuration", duration);
      return this;
    }

    /** @return the configuration */
    public FetchConfig build() {
      return new FetchConfig(this);
    }
  }
}
