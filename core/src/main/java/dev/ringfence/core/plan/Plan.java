package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A rollout plan: ordered {@link Ring}s plus plan-wide limits. Immutable; load one from JSON with
 * {@link Plans#fromJson(String)} or build one with {@link #builder(String)}.
 *
 * @param schemaVersion version of the plan format, currently 1
 * @param name the plan's name
 * @param rings the rings, in order; cumulative shares never shrink
 * @param maxNewExposuresPerHour velocity limit on new admissions across all rings, 0 for none
 * @param freezeWindows intervals in which no ring opens
 * @param heldTiers tiers admitted only once the last ring is open, e.g. {@code critical}
 * @param rollbackTimeout how long a rollback waits for exposed endpoints before listing stragglers
 * @param overrides lint rules this plan breaks on purpose, with reasons
 */
public record Plan(int schemaVersion, String name, List<Ring> rings, long maxNewExposuresPerHour,
    List<FreezeWindow> freezeWindows, Set<String> heldTiers, Duration rollbackTimeout,
    List<LintOverride> overrides) {

  /** The plan format version this library writes and reads. */
  public static final int SCHEMA_VERSION = PlanChecks.SCHEMA_VERSION;

  /** Default of {@link #rollbackTimeout()}. */
  public static final Duration DEFAULT_ROLLBACK_TIMEOUT = Duration.ofHours(1);

  /**
   * Validates and copies.
   *
   * @param schemaVersion version of the plan format, currently 1
   * @param name the plan's name
   * @param rings the rings, in order; cumulative shares never shrink
   * @param maxNewExposuresPerHour velocity limit on new admissions across all rings, 0 for none
   * @param freezeWindows intervals in which no ring opens
   * @param heldTiers tiers admitted only once the last ring is open, e.g. {@code critical}
   * @param rollbackTimeout how long a rollback waits for exposed endpoints before listing stragglers
   * @param overrides lint rules this plan breaks on purpose, with reasons
   * @throws InvalidPlanException listing every problem
   */
  public Plan {
    List<String> problems = PlanChecks.plan(schemaVersion, name, rings, maxNewExposuresPerHour, freezeWindows,
        heldTiers, rollbackTimeout, overrides);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    rings = ImmutableList.copyOf(rings);
    freezeWindows = ImmutableList.copyOf(freezeWindows);
    heldTiers = ImmutableSet.copyOf(heldTiers);
    overrides = ImmutableList.copyOf(overrides);
  }

  /**
   * A builder for a plan.
   *
   * @param name the plan's name
   * @return a builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * The freeze window in force at an instant.
   *
   * @param instant the instant
   * @return the first window that contains it, if any
   */
  public Optional<FreezeWindow> freezeAt(Instant instant) {
    for (FreezeWindow window : freezeWindows) {
      if (window.contains(instant)) {
        return Optional.of(window);
      }
    }
    return Optional.empty();
  }

  /** @return whether the plan limits new exposures per hour */
  public boolean hasVelocityLimit() {
    return maxNewExposuresPerHour > 0;
  }

  /** Builds a {@link Plan}. */
  public static final class Builder {
    private final String name;
    private final List<Ring> rings = new ArrayList<>();
    private long maxNewExposuresPerHour;
    private final List<FreezeWindow> freezeWindows = new ArrayList<>();
    private final ImmutableSet.Builder<String> heldTiers = ImmutableSet.builder();
    private Duration rollbackTimeout = DEFAULT_ROLLBACK_TIMEOUT;
    private final List<LintOverride> overrides = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * @param ring the next ring
     * @return this builder
     */
    public Builder ring(Ring ring) {
      rings.add(ring);
      return this;
    }

    /**
     * @param perHour the most new admissions per hour, 0 for none
     * @return this builder
     */
    public Builder maxNewExposuresPerHour(long perHour) {
      this.maxNewExposuresPerHour = perHour;
      return this;
    }

    /**
     * @param window a freeze window
     * @return this builder
     */
    public Builder freezeWindow(FreezeWindow window) {
      freezeWindows.add(window);
      return this;
    }

    /**
     * @param tiers tiers held to the last ring
     * @return this builder
     */
    public Builder heldTiers(String... tiers) {
      heldTiers.add(tiers);
      return this;
    }

    /**
     * @param timeout rollback deadline
     * @return this builder
     */
    public Builder rollbackTimeout(Duration timeout) {
      this.rollbackTimeout = timeout;
      return this;
    }

    /**
     * @param override a lint override
     * @return this builder
     */
    public Builder override(LintOverride override) {
      overrides.add(override);
      return this;
    }

    /**
     * @return the plan
     * @throws InvalidPlanException listing every problem
     */
    public Plan build() {
      return new Plan(SCHEMA_VERSION, name, rings, maxNewExposuresPerHour, freezeWindows, heldTiers.build(),
          rollbackTimeout, overrides);
    }
  }
}
