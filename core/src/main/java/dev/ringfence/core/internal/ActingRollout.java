package dev.ringfence.core.internal;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutMetrics;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Signal;
import java.util.List;

/** A view of a rollout whose commands are recorded as coming from one actor. */
final class ActingRollout implements Rollout {

  private final RolloutRuntime rollout;
  private final String actor;

  ActingRollout(RolloutRuntime rollout, String actor) {
    this.rollout = rollout;
    this.actor = actor;
  }

  @Override
  public String id() {
    return rollout.id();
  }

  @Override
  public RolloutSpec spec() {
    return rollout.spec();
  }

  @Override
  public RolloutState state() {
    return rollout.state();
  }

  @Override
  public RolloutStatus status() {
    return rollout.status();
  }

  @Override
  public LintReport lintReport() {
    return rollout.lintReport();
  }

  @Override
  public Decision decide(String endpointId, EndpointAttributes attributes, long currentVersion) {
    return rollout.decide(endpointId, attributes, currentVersion);
  }

  @Override
  public IngestResult ingest(Signal signal) {
    return rollout.ingest(signal);
  }

  @Override
  public void start() {
    rollout.start(actor);
  }

  @Override
  public void pause(String reason) {
    rollout.pause(actor, reason);
  }

  @Override
  public void resume(String reason) {
    rollout.resume(actor, reason);
  }

  @Override
  public void halt(String reason) {
    rollout.halt(actor, reason);
  }

  @Override
  public void abort(String reason) {
    rollout.abort(actor, reason);
  }

  @Override
  public void approve(String reason) {
    rollout.approve(actor, reason);
  }

  @Override
  public void promote(String reason) {
    rollout.promote(actor, reason);
  }

  @Override
  public void promoteSkippingGate(String reason) {
    rollout.promoteSkippingGate(actor, reason);
  }

  @Override
  public Rollout by(String actor) {
    return rollout.by(actor);
  }

  @Override
  public List<String> stragglers() {
    return rollout.stragglers();
  }

  @Override
  public RolloutMetrics metrics() {
    return rollout.metrics();
  }

  @Override
  public String toString() {
    return rollout + " by " + actor;
  }
}
