package dev.ringfence.core.plan;

import java.time.Instant;

/**
 * An interval in which no ring opens (holidays, a big event, a change freeze). Half-open:
 * {@code from} inclusive, {@code to} exclusive.
 *
 * @param from start, inclusive
 * @param to end, exclusive
 * @param reason why, recorded with every deferred advance
 */
public record FreezeWindow(Instant from, Instant to, String reason) {

  /**
   * Validates.
   *
   * @param from start, inclusive
   * @param to end, exclusive
   * @param reason why, recorded with every deferred advance
   * @throws InvalidPlanException if a bound is missing, the window is empty or the reason blank
   */
  public FreezeWindow {
    var problems = PlanChecks.freezeWindow("", from, to, reason);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
  }

  /**
   * Whether an instant falls inside the window.
   *
   * @param instant the instant
   * @return true if {@code from <= instant < to}
   */
  public boolean contains(Instant instant) {
    return !instant.isBefore(from) && instant.isBefore(to);
  }
}
