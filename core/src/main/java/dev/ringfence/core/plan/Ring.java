package dev.ringfence.core.plan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One stage of a {@link Plan}.
 *
 * <p>An endpoint is in a ring's cohort when it matches the ring's selector and its cohort bucket is
 * below the ring's cumulative share. While the ring is open, at most {@code cap} distinct endpoints
 * are ever admitted to it. The next ring opens only after the bake time has passed, at least
 * {@code minSample} endpoints are exposed, and the ring's gate returned PASS.
 *
 * @param name unique name within the plan, e.g. {@code canary}
 * @param selector which endpoints the ring may draw from
 * @param share cumulative share of the eligible fleet in basis points, 0..10000 (100 = 1%)
 * @param cap the most distinct endpoints ever admitted while this ring is open, or {@link #NO_CAP}
 * @param bakeTime the least time the ring stays open before the next one may open
 * @param minSample the least number of exposed endpoints before the ring may pass
 * @param gate the gate that must pass, or null for none (the plan lint refuses that unless overridden)
 */
public record Ring(String name, Selector selector, int share, long cap, Duration bakeTime, int minSample,
    @Nullable GateSpec gate) {

  /** Value of {@link #cap()} when the ring has no absolute cap. */
  public static final long NO_CAP = Long.MAX_VALUE;

  /**
   * Validates.
   *
   * @param name unique name within the plan, e.g. {@code canary}
   * @param selector which endpoints the ring may draw from
   * @param share cumulative share of the eligible fleet in basis points, 0..10000 (100 = 1%)
   * @param cap the most distinct endpoints ever admitted while this ring is open, or {@link #NO_CAP}
   * @param bakeTime the least time the ring stays open before the next one may open
   * @param minSample the least number of exposed endpoints before the ring may pass
   * @param gate the gate that must pass, or null for none (the plan lint refuses that unless overridden)
   * @throws InvalidPlanException listing every problem of this ring
   */
  public Ring {
    var problems = PlanChecks.ring("", name, selector, share, cap, bakeTime, minSample);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
  }

  /**
   * A builder for a ring.
   *
   * @param name the ring's name
   * @return a builder with every endpoint selected, no cap, no bake time, no minimum sample and the health
   *     judge as its gate (gate type {@code health} with its defaults), so that a plan built in code halts a
   *     bad candidate unless it says otherwise; {@code gate(GateSpec.timeAndSample())} opens rings on time
   *     and sample alone
   */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /** @return whether the ring has an absolute cap */
  public boolean hasCap() {
    return cap != NO_CAP;
  }

  /** @return the gate, if the ring has one */
  public Optional<GateSpec> gateSpec() {
    return Optional.ofNullable(gate);
  }

  /** Builds a {@link Ring}. */
  public static final class Builder {
    private final String name;
    private Selector selector = Selector.ALL;
    private int share;
    private long cap = NO_CAP;
    private Duration bakeTime = Duration.ZERO;
    private int minSample;
    private GateSpec gate = GateSpec.of("health");

    private Builder(String name) {
      this.name = name;
    }

    /**
     * @param selector which endpoints the ring draws from
     * @return this builder
     */
    public Builder selector(Selector selector) {
      this.selector = selector;
      return this;
    }

    /**
     * @param basisPoints cumulative share, 0..10000
     * @return this builder
     */
    public Builder share(int basisPoints) {
      this.share = basisPoints;
      return this;
    }

    /**
     * @param percent cumulative share in percent, 0 to 100, e.g. 0.5
     * @return this builder
     * @throws InvalidPlanException if it is not a number from 0 to 100
     */
    public Builder percent(double percent) {
      if (!(percent >= 0 && percent <= 100)) { // NaN too; never rounded into a share that wraps around
        throw new InvalidPlanException(List.of("ring '" + name + "': share: " + percent + "% is not a percentage from 0"
            + " to 100"));
      }
      this.share = (int) Math.round(percent * 100);
      return this;
    }

    /**
     * @param cap the most endpoints ever admitted to this ring
     * @return this builder
     */
    public Builder cap(long cap) {
      this.cap = cap;
      return this;
    }

    /**
     * @param bakeTime least time open
     * @return this builder
     */
    public Builder bakeTime(Duration bakeTime) {
      this.bakeTime = bakeTime;
      return this;
    }

    /**
     * @param minSample least number of exposed endpoints
     * @return this builder
     */
    public Builder minSample(int minSample) {
      this.minSample = minSample;
      return this;
    }

    /**
     * @param gate the gate, or null for none
     * @return this builder
     */
    public Builder gate(GateSpec gate) {
      this.gate = gate;
      return this;
    }

    /**
     * @return the ring
     * @throws InvalidPlanException listing every problem
     */
    public Ring build() {
      return new Ring(name, selector, share, cap, bakeTime, minSample, gate);
    }
  }
}
