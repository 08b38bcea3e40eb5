package dev.ringfence.core.plan;

import org.jspecify.annotations.Nullable;

/**
 * One finding of the plan lint.
 *
 * @param rule the rule broken
 * @param ringIndex index of the ring that breaks it
 * @param ringName name of that ring
 * @param message what is wrong, with the numbers
 * @param overrideReason the plan's written reason for breaking the rule, or null if not overridden
 */
public record LintFinding(LintRule rule, int ringIndex, String ringName, String message,
    @Nullable String overrideReason) {

  /** @return whether the plan overrides this finding with a written reason */
  public boolean isOverridden() {
    return overrideReason != null;
  }

  @Override
  public String toString() {
    return "rings[" + ringIndex + "] '" + ringName + "': " + rule + ": " + message
        + (isOverridden() ? " (overridden: " + overrideReason + ")" : "");
  }
}
