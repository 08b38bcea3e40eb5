package dev.ringfence.core.plan;

/** The rules of the plan lint. Each can be overridden per ring, with a written reason that is recorded. */
public enum LintRule {
  /** The first ring exposes more than 1% (100 basis points) of the eligible fleet. */
  FIRST_RING_TOO_LARGE,
  /** The first ring has no absolute cap. */
  FIRST_RING_UNCAPPED,
  /** A ring's cumulative share is not larger than the previous ring's. */
  SHARE_DOES_NOT_GROW,
  /** A ring multiplies exposure by more than 10 times the previous ring's. */
  STEP_TOO_LARGE,
  /** A ring before the last has a zero bake time. */
  ZERO_BAKE_TIME,
  /** A ring has no gate. */
  NO_GATE,
  /** A health-gated ring's cap is below the reports its judge needs to pass, so it can never pass. */
  UNREACHABLE_REPORTS
}
