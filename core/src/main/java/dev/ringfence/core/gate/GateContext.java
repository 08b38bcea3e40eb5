package dev.ringfence.core.gate;

import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import dev.ringfence.core.health.ArmStats;
import dev.ringfence.core.health.HazardComparison;
import dev.ringfence.core.health.ProbeSamples;

/** What a {@link Gate} may read when it judges the open ring. Valid only during the call. */
public interface GateContext {

  /** @return the rollout's id */
  String rolloutId();

  /** @return the channel being rolled out */
  String channel();

  /** @return the baseline version */
  long baselineVersion();

  /** @return the candidate version */
  long candidateVersion();

  /** @return the plan */
  Plan plan();

  /** @return index of the ring being judged */
  int ringIndex();

  /** @return the ring being judged, one of {@link Plan#allRings()} (a held tier's ring comes after the plan's) */
  default Ring ring() {
    return plan().allRings().get(ringIndex());
  }

  /** @return when the ring opened, from the engine's clock */
  Instant ringOpenedAt();

  /** @return now, from the engine's clock */
  Instant now();

  /** @return how long the ring has been open (zero if the clock went backwards) */
  default Duration openFor() {
    Duration open = Duration.between(ringOpenedAt(), now());
    return open.isNegative() ? Duration.ZERO : open;
  }

  /** @return endpoints admitted while this ring was open */
  long exposedInRing();

  /** @return endpoints admitted over the whole rollout, all rings */
  long exposedTotal();

  /** @return outcomes of every exposed endpoint (all rings so far), silence counted as failure */
  ArmStats candidate();

  /** @return outcomes of the endpoints admitted while the judged ring was open */
  ArmStats candidateInRing();

  /** @return outcomes of the endpoints not admitted that report the baseline, over the same window */
  ArmStats control();

  /**
   * The failure rates per host-hour at risk in both arms over the whole rollout so far, and the
   * always-valid test of their ratio against a margin. Both arms are observed by the same rules: a
   * crash, a refused validation, an agent's revert or going silent is a failure in either arm. See
   * {@link HazardComparison}.
   *
   * @param margin the ratio of rates the candidate may reach, at least 1
   * @param alpha the level of the interval, in (0, 1)
   * @return the comparison
   */
  HazardComparison hazard(double margin, double alpha);

  /** @return names of the probe metrics seen so far, sorted */
  Set<String> probeMetrics();

  /**
   * The latest readings of one metric in each arm.
   *
   * @param metric the metric
   * @return the readings, empty arrays if none
   */
  ProbeSamples probeSamples(String metric);
}
