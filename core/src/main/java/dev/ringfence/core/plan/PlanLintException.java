package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableList;
import dev.ringfence.protocol.RingfenceException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A plan breaks lint rules without overriding them. Each finding names the ring and the rule; add a
 * {@link LintOverride} with a written reason to accept a finding on purpose.
 */
public final class PlanLintException extends RingfenceException {
  private static final long serialVersionUID = 1L;

  /** The findings that refused the plan, none of them overridden. */
  private final ImmutableList<LintFinding> findings;

  /**
   * Creates the exception.
   *
   * @param planName the plan's name
   * @param findings the findings that are not overridden; at least one
   */
  public PlanLintException(String planName, List<LintFinding> findings) {
    super("plan '" + planName + "' is refused by the lint, " + findings.size()
        + (findings.size() == 1 ? " finding" : " findings") + " (fix the plan, or add an override with a written"
        + " reason for each):\n  " + findings.stream().map(LintFinding::toString).collect(Collectors.joining("\n  ")));
    this.findings = ImmutableList.copyOf(findings);
  }

  /** @return the findings that were not overridden */
  public List<LintFinding> findings() {
    return findings;
  }
}
