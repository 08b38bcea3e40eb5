package dev.ringfence.core;

import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableMap;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.gate.TimeAndSampleGate;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Immutable configuration of a {@link RolloutEngine}. Build with {@link #custom()}; every setter
 * checks its argument at once.
 *
 * <p>Defaults: the UTC system clock, listeners called on the thread that caused the event, an
 * in-memory store, and both built-in gates registered: {@value HealthGate#TYPE} (the health judge, the one
 * a plan should use) and {@value GateSpec#TIME_AND_SAMPLE} (opens the next ring once the bake time has passed
 * and the minimum sample has reported; it never fails, so it only suits rings whose health is judged
 * elsewhere). More gate types are registered with {@link Builder#gate}.
 */
public final class RolloutEngineConfig {

  private final Clock clock;
  private final Executor eventExecutor;
  private final RolloutStore store;
  private final Map<String, GateFactory> gateFactories;
  private final Duration heartbeatInterval;
  private final Duration silenceDeadline;
  private final Duration inconclusiveLimit;
  private final Duration stalenessBound;
  private final int controlHoldback;

  private RolloutEngineConfig(Builder builder) {
    this.clock = builder.clock;
    this.eventExecutor = builder.eventExecutor;
    this.store = builder.store;
    this.gateFactories = ImmutableMap.copyOf(builder.gateFactories);
    this.heartbeatInterval = builder.heartbeatInterval;
    this.silenceDeadline = builder.silenceDeadline == null
        ? builder.heartbeatInterval.multipliedBy(DEFAULT_SILENCE_INTERVALS) : builder.silenceDeadline;
    this.inconclusiveLimit = builder.inconclusiveLimit;
    this.stalenessBound = builder.stalenessBound;
    this.controlHoldback = builder.controlHoldback;
  }

  /** Default of {@link #stalenessBound()}. */
  public static final Duration DEFAULT_STALENESS_BOUND = Duration.ofSeconds(5);

  /** Default heartbeat interval of the agents. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMinutes(1);
  /** Default silence deadline, in heartbeat intervals. */
  public static final int DEFAULT_SILENCE_INTERVALS = 3;
  /** Default of {@link #controlHoldback()}: 100 of the 10,000 cohort buckets, 1% of the fleet. */
  public static final int DEFAULT_CONTROL_HOLDBACK = 100;
  /** Default of {@link #inconclusiveLimit()}. */
  public static final Duration DEFAULT_INCONCLUSIVE_LIMIT = Duration.ofHours(2);

  /** @return a configuration with every default */
  public static RolloutEngineConfig ofDefaults() {
    return custom().build();
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
  public static Builder from(RolloutEngineConfig other) {
    Builder builder = new Builder();
    builder.clock = other.clock;
    builder.eventExecutor = other.eventExecutor;
    builder.store = other.store;
    builder.gateFactories.putAll(other.gateFactories);
    builder.heartbeatInterval = other.heartbeatInterval;
    builder.silenceDeadline = other.silenceDeadline;
    builder.inconclusiveLimit = other.inconclusiveLimit;
    builder.stalenessBound = other.stalenessBound;
    builder.controlHoldback = other.controlHoldback;
    return builder;
  }

  /** @return the clock every decision reads */
  public Clock clock() {
    return clock;
  }

  /** @return the executor listeners run on */
  public Executor eventExecutor() {
    return eventExecutor;
  }

  /** @return the store */
  public RolloutStore store() {
    return store;
  }

  /** @return gate factories by type */
  public Map<String, GateFactory> gateFactories() {
    return gateFactories;
  }

  /** @return how often agents send heartbeats */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /**
   * How long an endpoint offered the candidate has to report a successful activation or a heartbeat
   * on it; past this it counts as a silent failure of the candidate.
   *
   * @return the deadline, by default 3 heartbeat intervals
   */
  public Duration silenceDeadline() {
    return silenceDeadline;
  }

  /**
   * How long a ring may stay INCONCLUSIVE after its bake time before the rollout pauses and says why; after an
   * operator's resume, how long from the resume.
   *
   * @return the limit
   */
  public Duration inconclusiveLimit() {
    return inconclusiveLimit;
  }

  /**
   * With a shared store: how old this replica's view of the rollouts may be (time since its last
   * successful refresh) before it answers HOLD instead of OFFER. Tick at least this often.
   *
   * @return the bound
   */
  public Duration stalenessBound() {
    return stalenessBound;
  }

  /**
   * The holdback: the top cohort buckets, {@code [10,000 - holdback, 10,000)}, that no ring admits while a
   * rollout runs. They stay on the baseline as the control arm of the last ring (which admits everyone
   * else, so without them it would have no control) and of any ring whose share reaches them; they get
   * the candidate once the rollout completes. 0 turns the holdback off (the last ring is then judged
   * against what remains of the control, usually nothing).
   *
   * @return cohort buckets held back, 0..1,000
   */
  public int controlHoldback() {
    return controlHoldback;
  }

  /** Builds a {@link RolloutEngineConfig}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Executor eventExecutor = Runnable::run;
    private RolloutStore store;
    private final Map<String, GateFactory> gateFactories = new LinkedHashMap<>();
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration silenceDeadline;
    private Duration inconclusiveLimit = DEFAULT_INCONCLUSIVE_LIMIT;
    private Duration stalenessBound = DEFAULT_STALENESS_BOUND;
    private int controlHoldback = DEFAULT_CONTROL_HOLDBACK;

    private Builder() {
      gateFactories.put(GateSpec.TIME_AND_SAMPLE, TimeAndSampleGate.FACTORY);
      gateFactories.put(HealthGate.TYPE, HealthGate.FACTORY);
    }

    /**
     * @param interval how often agents send heartbeats; positive
     * @return this builder
     */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /**
     * @param deadline silence deadline after an offer; positive
     * @return this builder
     */
    public Builder silenceDeadline(Duration deadline) {
      this.silenceDeadline = positive("silenceDeadline", deadline);
      return this;
    }

    /**
     * @param limit how long a ring may stay INCONCLUSIVE past its bake time; positive
     * @return this builder
     */
    public Builder inconclusiveLimit(Duration limit) {
      this.inconclusiveLimit = positive("inconclusiveLimit", limit);
      return this;
    }

    /**
     * @param bound how stale a replica's view may be before it holds; positive
     * @return this builder
     */
    public Builder stalenessBound(Duration bound) {
      this.stalenessBound = positive("stalenessBound", bound);
      return this;
    }

    /**
     * @param buckets cohort buckets (of 10,000) held back on the baseline until the rollout completes, 0..1,000
     * @return this builder
     * @see RolloutEngineConfig#controlHoldback()
     */
    public Builder controlHoldback(int buckets) {
      Preconditions.checkArgument(buckets >= 0 && buckets <= 1_000, "controlHoldback: %s is outside 0..1000 cohort"
          + " buckets (0..10%)", buckets);
      this.controlHoldback = buckets;
      return this;
    }

    private static Duration positive(String field, Duration value) {
      Preconditions.checkNotNull(value, "%s: is null", field);
      Preconditions.checkArgument(!value.isNegative() && !value.isZero(), "%s: %s must be a positive duration", field,
          value);
      return value;
    }

    /**
     * @param clock the clock every decision reads
     * @return this builder
     */
    public Builder clock(Clock clock) {
      Preconditions.checkNotNull(clock, "clock: is null");
      this.clock = clock;
      return this;
    }

    /**
     * @param executor where listeners run
     * @return this builder
     */
    public Builder eventExecutor(Executor executor) {
      Preconditions.checkNotNull(executor, "eventExecutor: is null");
      this.eventExecutor = executor;
      return this;
    }

    /**
     * Where the journal lives. The engine never closes it: whoever opened the store closes it once the engine is
     * no longer used. With a store whose {@link RolloutStore#shared()} is present, the engine catches up with
     * the other replicas on every tick.
     *
     * @param store where the journal lives
     * @return this builder
     */
    public Builder store(RolloutStore store) {
      Preconditions.checkNotNull(store, "store: is null");
      this.store = store;
      return this;
    }

    /**
     * Registers a gate type that plans can name.
     *
     * @param type the type, as written in plans
     * @param factory makes the gate from the ring's spec
     * @return this builder
     */
    public Builder gate(String type, GateFactory factory) {
      Preconditions.checkNotNull(type, "type: is null");
      Preconditions.checkArgument(!type.isBlank(), "type: is blank; name the gate type as plans write it");
      Preconditions.checkNotNull(factory, "factory: is null");
      gateFactories.put(type, factory);
      return this;
    }

    /** @return the configuration */
    public RolloutEngineConfig build() {
      if (store == null) {
        store = RolloutStores.inMemory();
      }
      return new RolloutEngineConfig(this);
    }
  }
}
