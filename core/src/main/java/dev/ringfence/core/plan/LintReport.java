package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * What the plan lint found.
 *
 * @param planName the plan's name
 * @param findings every finding, overridden or not, in ring order
 * @param unusedOverrides overrides that match no finding (stale permissions worth removing)
 */
public record LintReport(String planName, List<LintFinding> findings, List<LintOverride> unusedOverrides) {

  /**
   * Copies the lists.
   *
   * @param planName the plan's name
   * @param findings every finding, overridden or not, in ring order
   * @param unusedOverrides overrides that match no finding (stale permissions worth removing)
   */
  public LintReport {
    findings = ImmutableList.copyOf(findings);
    unusedOverrides = ImmutableList.copyOf(unusedOverrides);
  }

  /** @return the findings the plan does not override */
  public List<LintFinding> blocking() {
    return findings.stream().filter(f -> !f.isOverridden()).collect(ImmutableList.toImmutableList());
  }

  /** @return the findings the plan overrides, with their reasons */
  public List<LintFinding> overridden() {
    return findings.stream().filter(LintFinding::isOverridden).collect(ImmutableList.toImmutableList());
  }

  /** @return whether no finding blocks the plan */
  public boolean passes() {
    return blocking().isEmpty();
  }

  /**
   * Throws if a finding blocks the plan.
   *
   * @return this report, when it passes
   * @throws PlanLintException listing the blocking findings
   */
  public LintReport requirePass() {
    List<LintFinding> blocking = blocking();
    if (!blocking.isEmpty()) {
      throw new PlanLintException(planName, blocking);
    }
    return this;
  }
}
