package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param heldTiers tiers kept out of the plan's rings; after the last ring passes each gets its own canary
 *     ring and then a ring for the rest of the tier (see {@link #allRings()}), e.g. {@code critical}
 * @param rollbackTimeout how long a rollback waits for exposed endpoints before listing stragglers
 * @param overrides lint rules this plan breaks on purpose, with reasons
 * @param heldTierCanaries per held tier, how its canary ring differs from {@link HeldTierCanary#ofDefaults()};
 *     a held tier not named here is canaried with the defaults
 */
public record Plan(int schemaVersion, String name, List<Ring> rings, long maxNewExposuresPerHour,
    List<FreezeWindow> freezeWindows, Set<String> heldTiers, Duration rollbackTimeout,
    List<LintOverride> overrides, Map<String, HeldTierCanary> heldTierCanaries) {

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
   * @param heldTiers tiers kept out of the plan's rings and canaried after the last one, e.g. {@code critical}
   * @param rollbackTimeout how long a rollback waits for exposed endpoints before listing stragglers
   * @param overrides lint rules this plan breaks on purpose, with reasons
   * @param heldTierCanaries per held tier, its canary's settings; a held tier not named gets the defaults
   * @throws InvalidPlanException listing every problem
   */
  public Plan {
    List<String> problems = PlanChecks.plan(schemaVersion, name, rings, maxNewExposuresPerHour, freezeWindows,
        heldTiers, rollbackTimeout, overrides, heldTierCanaries);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    rings = ImmutableList.copyOf(rings);
    freezeWindows = ImmutableList.copyOf(freezeWindows);
    heldTiers = ImmutableSet.copyOf(heldTiers);
    overrides = ImmutableList.copyOf(overrides);
    heldTierCanaries = ImmutableSortedMap.copyOf(heldTierCanaries);
  }

  /**
   * Validates and copies a plan whose held tiers, if any, are all canaried with the defaults.
   *
   * @param schemaVersion version of the plan format, currently 1
   * @param name the plan's name
   * @param rings the rings, in order; cumulative shares never shrink
   * @param maxNewExposuresPerHour velocity limit on new admissions across all rings, 0 for none
   * @param freezeWindows intervals in which no ring opens
   * @param heldTiers tiers kept out of the plan's rings and canaried after the last one, e.g. {@code critical}
   * @param rollbackTimeout how long a rollback waits for exposed endpoints before listing stragglers
   * @param overrides lint rules this plan breaks on purpose, with reasons
   * @throws InvalidPlanException listing every problem
   */
  public Plan(int schemaVersion, String name, List<Ring> rings, long maxNewExposuresPerHour,
      List<FreezeWindow> freezeWindows, Set<String> heldTiers, Duration rollbackTimeout,
      List<LintOverride> overrides) {
    this(schemaVersion, name, rings, maxNewExposuresPerHour, freezeWindows, heldTiers, rollbackTimeout, overrides,
        Map.of());
  }

  /**
   * Every ring a rollout of this plan runs through, in order: the plan's {@link #rings()}, then for each held tier,
   * in the alphabetical order of the tier names, its canary ring (named {@code held:<tier>:canary}: the tier's
   * endpoints that the plan's rings would admit and whose bucket is below the canary's share, capped, baked and
   * gated as {@link #heldTierCanary(String)} says) and the ring for the rest of the tier (named
   * {@code held:<tier>}: no cap, no minimum sample, the last ring's bake time and gate). A ring's index in this
   * list is the ring index the engine journals; the plan's own rings keep the indices they had before held tiers
   * were canaried.
   *
   * @return the rings, the plan's own first
   */
  public List<Ring> allRings() {
    return heldTiers.isEmpty() ? rings
        : ImmutableList.copyOf(HeldTierRings.all(rings, heldTiers, heldTierCanaries));
  }

  /**
   * The held tiers in the order their rings run: alphabetical, so that the order does not depend on how the plan
   * was written or read back.
   *
   * @return the held tiers, sorted
   */
  public List<String> heldTierOrder() {
    return HeldTierRings.order(heldTiers);
  }

  /**
   * How a held tier is canaried, as written; a null cap, bake time or gate is the first ring's.
   *
   * @param tier a held tier
   * @return its canary settings, the defaults when the plan does not name the tier
   */
  public HeldTierCanary heldTierCanary(String tier) {
    return heldTierCanaries.getOrDefault(tier, HeldTierCanary.ofDefaults());
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
    private final Map<String, HeldTierCanary> heldTierCanaries = new LinkedHashMap<>();
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
     * @param tiers tiers kept out of the plan's rings, each canaried after the last ring passes
     * @return this builder
     */
    public Builder heldTiers(String... tiers) {
      heldTiers.add(tiers);
      return this;
    }

    /**
     * Sets how a held tier is canaried; a held tier without one is canaried with {@link HeldTierCanary#ofDefaults()}.
     *
     * @param tier a tier also given to {@link #heldTiers(String...)}
     * @param canary its canary's settings
     * @return this builder
     */
    public Builder heldTierCanary(String tier, HeldTierCanary canary) {
      heldTierCanaries.put(tier, canary);
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
          rollbackTimeout, overrides, heldTierCanaries);
    }
  }
}
