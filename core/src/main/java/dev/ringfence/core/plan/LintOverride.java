package dev.ringfence.core.plan;

/**
 * Permission, written into the plan, to break one lint rule for one ring. The reason is recorded with
 * the rollout so that the decision can be traced later.
 *
 * @param rule the rule overridden
 * @param ring the name of the ring it applies to
 * @param reason why, at least 10 characters
 */
public record LintOverride(LintRule rule, String ring, String reason) {

  /**
   * Validates.
   *
   * @param rule the rule overridden
   * @param ring the name of the ring it applies to
   * @param reason why, at least 10 characters
   * @throws InvalidPlanException if a part is missing or the reason too short
   */
  public LintOverride {
    var problems = PlanChecks.override("", rule, ring, reason);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
  }
}
