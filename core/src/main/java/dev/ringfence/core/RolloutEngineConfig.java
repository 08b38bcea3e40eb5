package dev.ringfence.core;

import com.google.common.collect.ImmutableMap;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.gate.TimeAndSampleGate;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Immutable configuration of a {@link RolloutEngine}. Build with {@link #custom()}; every setter
 * checks its argument at once.
 *
 * <p>Defaults: the UTC system clock, listeners called on the thread that caused the event, an
 * in-memory store, and the built-in {@value GateSpec#TIME_AND_SAMPLE} gate.
 */
public final class RolloutEngineConfig {

  private final Clock clock;
  private final Executor eventExecutor;
  private final RolloutStore store;
  private final Map<String, GateFactory> gateFactories;

  private RolloutEngineConfig(Builder builder) {
    this.clock = builder.clock;
    this.eventExecutor = builder.eventExecutor;
    this.store = builder.store;
    this.gateFactories = ImmutableMap.copyOf(builder.gateFactories);
  }

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

  /** Builds a {@link RolloutEngineConfig}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Executor eventExecutor = Runnable::run;
    private RolloutStore store;
    private final Map<String, GateFactory> gateFactories = new LinkedHashMap<>();

    private Builder() {
      gateFactories.put(GateSpec.TIME_AND_SAMPLE, TimeAndSampleGate.FACTORY);
    }

    /** @param clock the clock every decision reads @return this builder */
    public Builder clock(Clock clock) {
      if (clock == null) {
        throw new InvalidInputException("clock", "is null");
      }
      this.clock = clock;
      return this;
    }

    /** @param executor where listeners run @return this builder */
    public Builder eventExecutor(Executor executor) {
      if (executor == null) {
        throw new InvalidInputException("eventExecutor", "is null");
      }
      this.eventExecutor = executor;
      return this;
    }

    /** @param store where the journal lives @return this builder */
    public Builder store(RolloutStore store) {
      if (store == null) {
        throw new InvalidInputException("store", "is null");
      }
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
      if (type == null || type.isBlank()) {
        throw new InvalidInputException("type", "is blank; name the gate type as plans write it");
      }
      if (factory == null) {
        throw new InvalidInputException("factory", "is null");
      }
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
