package dev.ringfence.core.internal;

import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.health.ArmStats;
import dev.ringfence.core.health.HazardComparison;
import dev.ringfence.core.health.ProbeSamples;
import java.time.Instant;
import java.util.Set;

/**
 * The {@link GateContext} of one evaluation: the components answer the interface's accessors of the same name; the
 * arms, the hazard test and the probes are read from the rollout's health tracker.
 *
 * @param rolloutId the rollout's id
 * @param channel its channel
 * @param baselineVersion the version the fleet runs
 * @param candidateVersion the version rolled out
 * @param plan the rollout's plan
 * @param ring the ring from the runtime's list, built once per rollout: a held tier's rings are never rebuilt per tick
 * @param ringIndex the open ring
 * @param ringOpenedAt when it opened
 * @param now the engine's clock at this evaluation
 * @param exposedInRing endpoints admitted to the ring
 * @param exposedTotal endpoints admitted to any ring
 * @param health the rollout's health tracker
 */
record RuntimeGateContext(String rolloutId, String channel, long baselineVersion, long candidateVersion, Plan plan,
    Ring ring, int ringIndex, Instant ringOpenedAt, Instant now, long exposedInRing, long exposedTotal,
    HealthTracker health) implements GateContext {

  RuntimeGateContext(RolloutSpec spec, Ring ring, int ringIndex, Instant ringOpenedAt, Instant now, long exposedInRing,
      long exposedTotal, HealthTracker health) {
    this(spec.id(), spec.channel(), spec.baselineVersion(), spec.candidateVersion(), spec.plan(), ring, ringIndex,
        ringOpenedAt, now, exposedInRing, exposedTotal, health);
  }

  @Override
  public ArmStats candidate() {
    return health.arm(HealthTracker.ARM_CANDIDATE);
  }

  @Override
  public ArmStats candidateInRing() {
    return health.candidateInRing(ringIndex);
  }

  @Override
  public ArmStats control() {
    return health.arm(HealthTracker.ARM_CONTROL);
  }

  @Override
  public HazardComparison hazard(double margin, double alpha) {
    return health.hazard(margin, alpha);
  }

  @Override
  public Set<String> probeMetrics() {
    return health.probeMetrics();
  }

  @Override
  public ProbeSamples probeSamples(String metric) {
    return health.probeSamples(metric);
  }
}
