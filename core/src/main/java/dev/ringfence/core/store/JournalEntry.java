package dev.ringfence.core.store;

import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.LintFinding;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One durable fact about a rollout. A rollout's entries, replayed in order, rebuild it exactly; the
 * engine appends each entry to the {@link RolloutStore} before the fact takes effect. Listeners
 * receive the same entries as events.
 */
public sealed interface JournalEntry {

  /** @return the rollout the entry belongs to */
  String rolloutId();

  /** @return when it happened, from the engine's clock */
  Instant at();

  /**
   * The rollout was created. Always a rollout's first entry.
   *
   * @param rolloutId the rollout
   * @param at when
   * @param spec what is rolled out and by which plan
   * @param acceptedLintFindings lint findings the plan overrides, each with its written reason
   * @param actor who created the rollout (an API token's name on the update server), or null in journals written
   *     before creations recorded their actor
   */
  record Created(String rolloutId, Instant at, RolloutSpec spec, List<LintFinding> acceptedLintFindings,
      @Nullable String actor) implements JournalEntry {
    /**
     * Copies the list.
     *
     * @param rolloutId the rollout
     * @param at when
     * @param spec what is rolled out and by which plan
     * @param acceptedLintFindings lint findings the plan overrides, each with its written reason
     * @param actor who created the rollout, or null when not recorded
     */
    public Created {
      acceptedLintFindings = List.copyOf(acceptedLintFindings);
    }

    /**
     * An entry that does not say who created the rollout (the form before actors were recorded).
     *
     * @param rolloutId the rollout
     * @param at when
     * @param spec what is rolled out and by which plan
     * @param acceptedLintFindings lint findings the plan overrides, each with its written reason
     */
    public Created(String rolloutId, Instant at, RolloutSpec spec, List<LintFinding> acceptedLintFindings) {
      this(rolloutId, at, spec, acceptedLintFindings, null);
    }
  }

  /**
   * The rollout changed state (or, for ADVANCE, ring).
   *
   * @param rolloutId the rollout
   * @param sequence 1 for the first transition, one more for each after; a store refuses a gap or a repeat
   * @param at when
   * @param from the state before
   * @param to the state after
   * @param trigger what caused it
   * @param ringIndex the open ring after the transition, -1 before START
   * @param cause why, in plain words with the numbers
   * @param verdict the verdict that caused it, or null for an operator's command
   */
  record Transitioned(String rolloutId, long sequence, Instant at, RolloutState from, RolloutState to,
      Trigger trigger, int ringIndex, String cause, @Nullable Verdict verdict) implements JournalEntry {}

  /**
   * An endpoint was admitted to a ring and offered the candidate.
   *
   * @param rolloutId the rollout
   * @param at when
   * @param endpointId the endpoint
   * @param ringIndex the ring whose cap it counts against
   */
  record Admitted(String rolloutId, Instant at, String endpointId, int ringIndex) implements JournalEntry {}

  /**
   * A gate's verdict changed (repeats of the same outcome for the same ring are not journaled).
   *
   * @param rolloutId the rollout
   * @param at when
   * @param ringIndex the ring judged
   * @param verdict the verdict, with its numbers
   */
  record VerdictRecorded(String rolloutId, Instant at, int ringIndex, Verdict verdict) implements JournalEntry {}

  /**
   * An exposed endpoint reported the baseline again during the rollback.
   *
   * @param rolloutId the rollout
   * @param at when
   * @param endpointId the endpoint
   */
  record Reverted(String rolloutId, Instant at, String endpointId) implements JournalEntry {}
}
