package dev.ringfence.core.internal;

import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.plan.Plan;
import java.time.Instant;

/** The {@link GateContext} of one evaluation. */
final class RuntimeGateContext implements GateContext {

  private final RolloutSpec spec;
  private final int ringIndex;
  private final Instant ringOpenedAt;
  private final Instant now;
  private final long exposedInRing;
  private final long exposedTotal;

  RuntimeGateContext(RolloutSpec spec, int ringIndex, Instant ringOpenedAt, Instant now, long exposedInRing,
      long exposedTotal) {
    this.spec = spec;
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
}
