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

/** The {@link GateContext} of one evaluation. */
final class RuntimeGateContext implements GateContext {

  private final RolloutSpec spec;
  private final Ring ring;
  private final int ringIndex;
  private final Instant ringOpenedAt;
  private final Instant now;
  private final long exposedInRing;
  private final long exposedTotal;
  private final HealthTracker health;

  RuntimeGateContext(RolloutSpec spec, Ring ring, int ringIndex, Instant ringOpenedAt, Instant now,
      long exposedInRing, long exposedTotal, HealthTracker health) {
    this.health = health;
    this.spec = spec;
    this.ring = ring;
    this.ringIndex = ringIndex;
    this.ringOpenedAt = ringOpenedAt;
    this.now = now;
    this.exposedInRing = exposedInRing;
    this.exposedTotal = exposedTotal;
  }

  @Override
  public String rolloutId() {
    return spec.id();
  }

  @Override
  public String channel() {
    return spec.channel();
  }

  @Override
  public long baselineVersion() {
    return spec.baselineVersion();
  }

  @Override
  public long candidateVersion() {
    return spec.candidateVersion();
  }

  @Override
  public Plan plan() {
    return spec.plan();
  }

  /** The ring from the runtime's list, built once per rollout: a held tier's rings are never rebuilt per tick. */
  @Override
  public Ring ring() {
    return ring;
  }

  @Override
  public int ringIndex() {
    return ringIndex;
  }

  @Override
  public Instant ringOpenedAt() {
    return ringOpenedAt;
  }

  @Override
  public Instant now() {
    return now;
  }

  @Override
  public long exposedInRing() {
    return exposedInRing;
  }

  @Override
  public long exposedTotal() {
    return exposedTotal;
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
