package dev.ringfence.core.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a held tier is canaried: the settings of the small ring that gives a tier listed in {@link Plan#heldTiers()}
 * the candidate first, once the plan's last ring has passed, before the ring that gives it to the rest of the tier.
 *
 * <p>The canary draws from the tier's endpoints that the plan's rings would admit, whose cohort bucket is below
 * {@code share}, and admits at most {@code cap} of them. A setting left null is taken from the plan's first ring
 * (its cap, bake time and gate), the ring the plan already trusts as a canary; {@link #ofDefaults()} leaves all
 * three to the first ring and draws 1% of the tier.
 *
 * @param share share of the tier's cohort buckets the canary draws from, in basis points, 1..10000 (100 = 1%)
 * @param cap the most endpoints of the tier admitted while the canary is open, or null for the first ring's cap
 * @param bakeTime the least time the canary stays open, or null for the first ring's bake time
 * @param minSample the least number of the tier's endpoints admitted before the canary may pass
 * @param gate the gate the canary must pass, or null for the first ring's gate
 */
public record HeldTierCanary(int share, @Nullable Long cap, @Nullable Duration bakeTime, int minSample,
    @Nullable GateSpec gate) {

  /** Default of {@link #share()}: 1% of the tier, the most the lint lets a first ring take. */
  public static final int DEFAULT_SHARE = 100;

  private static final HeldTierCanary DEFAULTS = new HeldTierCanary(DEFAULT_SHARE, null, null, 0, null);

  /**
   * Validates.
   *
   * @param share share of the tier's cohort buckets the canary draws from, in basis points, 1..10000 (100 = 1%)
   * @param cap the most endpoints of the tier admitted while the canary is open, or null for the first ring's cap
   * @param bakeTime the least time the canary stays open, or null for the first ring's bake time
   * @param minSample the least number of the tier's endpoints admitted before the canary may pass
   * @param gate the gate the canary must pass, or null for the first ring's gate
   * @throws InvalidPlanException listing every problem
   */
  public HeldTierCanary {
    List<String> problems = check("", share, cap, bakeTime, minSample);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
  }

  /**
   * The default canary: 1% of the tier, with the first ring's cap, bake time and gate and no minimum sample.
   *
   * @return the defaults
   */
  public static HeldTierCanary ofDefaults() {
    return DEFAULTS;
  }

  /**
   * @param basisPoints share of the tier's cohort buckets, 1..10000
   * @return a copy with this share
   */
  public HeldTierCanary withShare(int basisPoints) {
    return new HeldTierCanary(basisPoints, cap, bakeTime, minSample, gate);
  }

  /**
   * @param limit the most endpoints admitted while the canary is open, at least 1
   * @return a copy with this cap
   */
  public HeldTierCanary withCap(long limit) {
    return new HeldTierCanary(share, limit, bakeTime, minSample, gate);
  }

  /**
   * @param duration the least time the canary stays open, zero or positive
   * @return a copy with this bake time
   */
  public HeldTierCanary withBakeTime(Duration duration) {
    return new HeldTierCanary(share, cap, duration, minSample, gate);
  }

  /**
   * @param endpoints the least number of admitted endpoints before the canary may pass
   * @return a copy with this minimum sample
   */
  public HeldTierCanary withMinSample(int endpoints) {
    return new HeldTierCanary(share, cap, bakeTime, endpoints, gate);
  }

  /**
   * @param spec the canary's gate
   * @return a copy with this gate
   */
  public HeldTierCanary withGate(GateSpec spec) {
    return new HeldTierCanary(share, cap, bakeTime, minSample, spec);
  }

  /** The rules of one held tier's canary, each problem prefixed with {@code path}. */
  static List<String> check(String path, int share, @Nullable Long cap, @Nullable Duration bakeTime, int minSample) {
    List<String> problems = new ArrayList<>();
    if (share < 1 || share > PlanChecks.MAX_SHARE) {
      problems.add(PlanChecks.at(path, "share") + ": " + share + " is outside 1..10000; a canary of no endpoints"
          + " would give the rest of the tier the candidate untested");
    }
    if (cap != null && (cap < 1 || cap == Ring.NO_CAP)) {
      problems.add(PlanChecks.at(path, "cap") + ": " + cap + " is outside 1..9223372036854775806");
    }
    if (bakeTime != null && bakeTime.isNegative()) {
      problems.add(PlanChecks.at(path, "bakeTime") + ": " + bakeTime + " is negative");
    }
    if (minSample < 0) {
      problems.add(PlanChecks.at(path, "minSample") + ": " + minSample + " is negative");
    } else if (cap != null && cap >= 1 && minSample > cap) {
      problems.add(PlanChecks.minSampleAboveCap(path, minSample, cap));
    }
    return problems;
  }
}
