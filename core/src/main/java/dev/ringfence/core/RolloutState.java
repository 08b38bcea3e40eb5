package dev.ringfence.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The states of a rollout and the one table of transitions allowed between them.
 *
 * <pre>
 * PLANNED ──START──▶ RUNNING ──COMPLETE (last ring passed)──▶ COMPLETED
 * RUNNING ──ADVANCE / PROMOTE / SKIP_GATE──▶ RUNNING (next ring),  PAUSED ──SKIP_GATE──▶ RUNNING (next ring)
 * RUNNING ──AWAIT_APPROVAL / APPROVE──▶ RUNNING (same ring)
 * RUNNING ──PAUSE / GATE_ERROR / GATE_FAIL_PAUSE / INCONCLUSIVE_LIMIT / TELEMETRY_PAUSE──▶ PAUSED ──RESUME / TELEMETRY_RESUME──▶ RUNNING
 * RUNNING | PAUSED ──HALT / ABORT / GATE_FAIL──▶ HALTED ──BEGIN_ROLLBACK──▶ ROLLING_BACK
 * ROLLING_BACK ──FINISH_ROLLBACK──▶ ROLLED_BACK
 * PLANNED ──ABORT──▶ ABORTED,  PLANNED ──HALT──▶ HALTED
 * </pre>
 *
 * <p>Anything not in the table is refused with {@link IllegalStateTransitionException}.
 */
public enum RolloutState {
  /** Created, nothing exposed yet. */
  PLANNED,
  /** A ring is open: endpoints in its cohort are admitted, its gate is judged. */
  RUNNING,
  /** No new admissions; exposed endpoints keep the candidate; a FAIL still halts. */
  PAUSED,
  /** Stopped for good. Never offers the candidate again. */
  HALTED,
  /** Every exposed endpoint is told to REVERT to the baseline. */
  ROLLING_BACK,
  /** Terminal: the rollback is over; stragglers, if any, were recorded. */
  ROLLED_BACK,
  /** Terminal: the last ring passed; the candidate is released to every eligible endpoint. */
  COMPLETED,
  /** Terminal: withdrawn before it started. */
  ABORTED;

  private static final Map<RolloutState, Map<Trigger, RolloutState>> TABLE = buildTable();

  private static Map<RolloutState, Map<Trigger, RolloutState>> buildTable() {
    Map<RolloutState, Map<Trigger, RolloutState>> table = new EnumMap<>(RolloutState.class);
    for (RolloutState state : values()) {
      table.put(state, new EnumMap<>(Trigger.class));
    }
    table.get(PLANNED).put(Trigger.START, RUNNING);
    table.get(PLANNED).put(Trigger.ABORT, ABORTED);
    table.get(PLANNED).put(Trigger.HALT, HALTED);

    table.get(RUNNING).put(Trigger.ADVANCE, RUNNING);
    table.get(RUNNING).put(Trigger.COMPLETE, COMPLETED);
    table.get(RUNNING).put(Trigger.AWAIT_APPROVAL, RUNNING);
    table.get(RUNNING).put(Trigger.APPROVE, RUNNING);
    table.get(RUNNING).put(Trigger.PROMOTE, RUNNING);
    table.get(RUNNING).put(Trigger.SKIP_GATE, RUNNING);
    table.get(RUNNING).put(Trigger.PAUSE, PAUSED);
    table.get(RUNNING).put(Trigger.GATE_ERROR, PAUSED);
    table.get(RUNNING).put(Trigger.GATE_FAIL_PAUSE, PAUSED);
    table.get(RUNNING).put(Trigger.INCONCLUSIVE_LIMIT, PAUSED);
    table.get(RUNNING).put(Trigger.TELEMETRY_PAUSE, PAUSED);
    table.get(RUNNING).put(Trigger.HALT, HALTED);
    table.get(RUNNING).put(Trigger.ABORT, HALTED);
    table.get(RUNNING).put(Trigger.GATE_FAIL, HALTED);

    table.get(PAUSED).put(Trigger.RESUME, RUNNING);
    table.get(PAUSED).put(Trigger.TELEMETRY_RESUME, RUNNING);
    table.get(PAUSED).put(Trigger.HALT, HALTED);
    table.get(PAUSED).put(Trigger.ABORT, HALTED);
    table.get(PAUSED).put(Trigger.GATE_FAIL, HALTED);
    table.get(PAUSED).put(Trigger.SKIP_GATE, RUNNING);

    table.get(HALTED).put(Trigger.BEGIN_ROLLBACK, ROLLING_BACK);
    table.get(ROLLING_BACK).put(Trigger.FINISH_ROLLBACK, ROLLED_BACK);

    Map<RolloutState, Map<Trigger, RolloutState>> frozen = new EnumMap<>(RolloutState.class);
    table.forEach((state, row) -> frozen.put(state, Collections.unmodifiableMap(row)));
    return Collections.unmodifiableMap(frozen);
  }

  /**
   * The state a trigger leads to from this state, if the table allows it.
   *
   * @param trigger the trigger
   * @return the target state, or empty if the transition is not allowed
   */
  public Optional<RolloutState> next(Trigger trigger) {
    return Optional.ofNullable(TABLE.get(this).get(trigger));
  }

  /**
   * The triggers this state accepts.
   *
   * @return an unmodifiable set, empty for terminal states
   */
  public Set<Trigger> allowedTriggers() {
    return Collections.unmodifiableSet(TABLE.get(this).keySet());
  }

  /**
   * Whether no trigger leaves this state.
   *
   * @return true for ROLLED_BACK, COMPLETED and ABORTED
   */
  public boolean isTerminal() {
    return TABLE.get(this).isEmpty();
  }

  /**
   * Whether the candidate has been stopped for good in this state (HALTED, ROLLING_BACK or
   * ROLLED_BACK): no decision may offer the candidate again.
   *
   * @return true when the rollout is halted or rolling back or rolled back
   */
  public boolean isHalted() {
    return this == HALTED || this == ROLLING_BACK || this == ROLLED_BACK;
  }
}
