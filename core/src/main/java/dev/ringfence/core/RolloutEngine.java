package dev.ringfence.core;

import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.internal.DefaultRolloutEngine;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Signal;
import java.util.List;

/**
 * The rollout engine an update server embeds: creates rollouts, answers "which version does this
 * endpoint get?", and advances, halts and rolls back rollouts as their gates judge.
 *
 * <p>The engine has no threads of its own: the host calls {@link #tick()} on a schedule of its
 * choosing (every few seconds is typical) to evaluate gates and finish rollbacks. Time comes only
 * from the configured {@link java.time.Clock}.
 *
 * <pre>{@code
 * RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.ofDefaults());
 * Rollout rollout = engine.createRollout(spec);
 * rollout.start();
 * Decision d = rollout.decide("host-42", attributes, 41);
 * }</pre>
 */
public interface RolloutEngine {

  /**
   * Creates an engine and rebuilds every rollout held by the configured store.
   *
   * @param config the configuration
   * @return the engine
   * @throws dev.ringfence.protocol.RingfenceException if the store holds a rollout that cannot be rebuilt
   */
  static RolloutEngine create(RolloutEngineConfig config) {
    return DefaultRolloutEngine.recover(config);
  }

  /**
   * Creates a rollout in state PLANNED after linting its plan and resolving its gates.
   *
   * @param spec what to roll out
   * @return the rollout
   * @throws dev.ringfence.core.plan.PlanLintException if the plan breaks a lint rule it does not override
   * @throws dev.ringfence.core.plan.InvalidPlanException if a gate type is not registered or its
   *     parameters are refused
   * @throws DuplicateRolloutException if the id is taken
   */
  Rollout createRollout(RolloutSpec spec);

  /**
   * Creates a rollout as {@link #createRollout(RolloutSpec)} does, recording who created it in its {@link
   * dev.ringfence.core.store.JournalEntry.Created} entry (and so in the audit trail). {@code createRollout(spec)}
   * records no actor.
   *
   * @param spec what to roll out
   * @param actor who creates it, 1 to 200 characters (the update server passes the calling API token's name)
   * @return the rollout
   * @throws dev.ringfence.protocol.InvalidInputException if the actor is blank or too long
   * @throws dev.ringfence.core.plan.PlanLintException if the plan breaks a lint rule it does not override
   * @throws dev.ringfence.core.plan.InvalidPlanException if a gate type is not registered or its
   *     parameters are refused
   * @throws DuplicateRolloutException if the id is taken
   */
  Rollout createRollout(RolloutSpec spec, String actor);

  /**
   * A rollout by id.
   *
   * @param rolloutId the id
   * @return the rollout
   * @throws UnknownRolloutException if there is none
   */
  Rollout rollout(String rolloutId);

  /** @return every rollout, in creation order */
  List<Rollout> rollouts();

  /**
   * Shorthand for {@code rollout(rolloutId).decide(...)}.
   *
   * @param rolloutId the rollout
   * @param endpointId the endpoint's stable id
   * @param attributes what is known about the endpoint
   * @param currentVersion the version it runs now
   * @return the decision
   * @throws UnknownRolloutException if there is no such rollout
   */
  Decision decide(String rolloutId, String endpointId, EndpointAttributes attributes, long currentVersion);

  /**
   * Shorthand for {@code rollout(rolloutId).ingest(signal)}.
   *
   * @param rolloutId the rollout
   * @param signal the signal
   * @return what was done with it
   * @throws UnknownRolloutException if there is no such rollout
   */
  IngestResult ingest(String rolloutId, Signal signal);

  /**
   * Evaluates the gates of every running or paused rollout and acts on the verdicts; finishes
   * rollbacks whose endpoints are all back or whose deadline passed. Call it periodically.
   */
  void tick();

  /** @return subscriptions to transitions, verdicts and exposures */
  RolloutEvents events();
}
