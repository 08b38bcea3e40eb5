package dev.ringfence.core.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The plan lint: rules that a well-formed plan can still break and that made past outages larger.
 *
 * <ul>
 *   <li>{@link LintRule#FIRST_RING_TOO_LARGE}: the first ring exposes more than 1% of the eligible fleet.
 *   <li>{@link LintRule#FIRST_RING_UNCAPPED}: the first ring has no absolute cap.
 *   <li>{@link LintRule#SHARE_DOES_NOT_GROW}: a ring's share is not above the previous ring's.
 *   <li>{@link LintRule#STEP_TOO_LARGE}: a ring multiplies exposure by more than 10.
 *   <li>{@link LintRule#ZERO_BAKE_TIME}: a ring before the last has no bake time.
 *   <li>{@link LintRule#NO_GATE}: a ring has no gate.
 *   <li>{@link LintRule#UNREACHABLE_REPORTS}: a health-gated ring's cap is below the reports its judge
 *       needs to pass ({@code minCandidateReports}, 20 by default), so it could only ever pause.
 * </ul>
 *
 * A held tier's canary ring ({@link Plan#allRings()}) is linted as a first ring: too large, uncapped, zero bake
 * time, no gate, unreachable reports.
 *
 * A plan may break a rule on purpose by carrying a {@link LintOverride} for that rule and ring with a
 * written reason; the engine records the reason with the rollout.
 */
public final class PlanLinter {

  /** Most share, in basis points, the first ring may have without an override (1%). */
  public static final int MAX_FIRST_RING_SHARE = 100;
  /** Largest factor by which one ring may multiply the previous ring's share without an override. */
  public static final int MAX_STEP_FACTOR = 10;

  /** The health gate's type and default {@code minCandidateReports} (the linter reads specs, not gates). */
  private static final String HEALTH = "health";
  private static final long DEFAULT_MIN_CANDIDATE_REPORTS = 20;

  private PlanLinter() {}

  /**
   * Lints a plan.
   *
   * @param plan the plan
   * @return every finding, with the plan's overrides applied
   */
  public static LintReport lint(Plan plan) {
    List<LintFinding> findings = new ArrayList<>();
    Set<LintOverride> used = new HashSet<>();
    List<Ring> rings = plan.rings();
    for (int i = 0; i < rings.size(); i++) {
      Ring ring = rings.get(i);
      if (i == 0) {
        if (ring.share() > MAX_FIRST_RING_SHARE) {
          add(plan, findings, used, LintRule.FIRST_RING_TOO_LARGE, i, "share " + ring.share() + " ("
              + percent(ring.share()) + ") is above 1% of the eligible fleet; start smaller");
        }
        if (!ring.hasCap()) {
          add(plan, findings, used, LintRule.FIRST_RING_UNCAPPED, i,
              "has no cap; give the first ring an absolute limit on endpoints");
        }
      } else {
        int previous = rings.get(i - 1).share();
        if (ring.share() <= previous) {
          add(plan, findings, used, LintRule.SHARE_DOES_NOT_GROW, i, "share " + ring.share() + " ("
              + percent(ring.share()) + ") does not grow over the previous ring's " + previous + " ("
              + percent(previous) + ")");
        } else if (previous == 0 || ring.share() > (long) previous * MAX_STEP_FACTOR) {
          String factor = previous == 0 ? "from nothing" : String.format(Locale.ROOT, "%.1f times",
              ring.share() / (double) previous);
          add(plan, findings, used, LintRule.STEP_TOO_LARGE, i, "grows exposure " + factor + " (" + percent(previous)
              + " to " + percent(ring.share()) + "); steps above " + MAX_STEP_FACTOR + " times need a ring between");
        }
      }
      if (i < rings.size() - 1 && ring.bakeTime().isZero()) {
        add(plan, findings, used, LintRule.ZERO_BAKE_TIME, i,
            "has a zero bake time but is not the last ring; failures need time to show");
      }
      if (ring.gate() == null) {
        add(plan, findings, used, LintRule.NO_GATE, i, "has no gate; the next ring would open on time alone");
      } else if (HEALTH.equals(ring.gate().type()) && ring.hasCap()) {
        Object param = ring.gate().params().get("minCandidateReports");
        long needed = Math.max(ring.minSample(), param instanceof Number ? ((Number) param).longValue()
            : DEFAULT_MIN_CANDIDATE_REPORTS);
        if (ring.cap() < needed) {
          add(plan, findings, used, LintRule.UNREACHABLE_REPORTS, i, "cap " + ring.cap() + " is below the " + needed
              + " reports the health judge needs to pass; the ring could only ever pause");
        }
      }
    }
    lintHeldTierCanaries(plan, findings, used);
    List<LintOverride> unused = new ArrayList<>(plan.overrides());
    unused.removeAll(used);
    return new LintReport(plan.name(), findings, unused);
  }

  /**
   * A held tier's canary is the first ring its tier sees, so it is held to the first ring's rules, and to the
   * rules every gated ring follows. A finding that comes only from a setting the canary takes from the plan's
   * first ring (its cap, bake time or gate) is covered by the first ring's override of the same rule: that
   * reason was written for the setting. The ring for the rest of a tier copies the last ring and is not linted
   * again.
   */
  private static void lintHeldTierCanaries(Plan plan, List<LintFinding> findings, Set<LintOverride> used) {
    List<Ring> all = plan.allRings();
    int index = plan.rings().size();
    for (String tier : plan.heldTierOrder()) {
      HeldTierCanary settings = plan.heldTierCanary(tier);
      Ring canary = all.get(index);
      if (canary.share() > MAX_FIRST_RING_SHARE) {
        add(plan, findings, used, LintRule.FIRST_RING_TOO_LARGE, index, "share " + canary.share() + " ("
            + percent(canary.share()) + ") of held tier '" + tier + "' is above 1%; start smaller", false);
      }
      if (!canary.hasCap()) {
        add(plan, findings, used, LintRule.FIRST_RING_UNCAPPED, index, "has no cap; give held tier '" + tier
            + "' an absolute limit on endpoints in its canary (heldTierCanaries." + tier + ".cap)",
            settings.cap() == null);
      }
      if (canary.bakeTime().isZero()) {
        add(plan, findings, used, LintRule.ZERO_BAKE_TIME, index, "held tier '" + tier + "' has a zero bake time"
            + " in its canary; failures need time to show (heldTierCanaries." + tier + ".bakeTime)",
            settings.bakeTime() == null);
      }
      if (canary.gate() == null) {
        add(plan, findings, used, LintRule.NO_GATE, index, "has no gate; the rest of held tier '" + tier
            + "' would get the candidate on time alone", settings.gate() == null);
      } else if (HEALTH.equals(canary.gate().type()) && canary.hasCap()) {
        Object param = canary.gate().params().get("minCandidateReports");
        long needed = Math.max(canary.minSample(), param instanceof Number ? ((Number) param).longValue()
            : DEFAULT_MIN_CANDIDATE_REPORTS);
        if (canary.cap() < needed) {
          add(plan, findings, used, LintRule.UNREACHABLE_REPORTS, index, "cap " + canary.cap() + " is below the "
              + needed + " reports the health judge needs to pass; the canary of held tier '" + tier
              + "' could only ever pause", settings.cap() == null && settings.gate() == null);
        }
      }
      index += 2;
    }
  }

  private static void add(Plan plan, List<LintFinding> findings, Set<LintOverride> used, LintRule rule, int index,
      String message) {
    add(plan, findings, used, rule, index, message, false);
  }

  /**
   * Records a finding, overridden when the plan overrides the rule for that ring, or, when {@code inherited}, for
   * the first ring the setting was taken from.
   */
  private static void add(Plan plan, List<LintFinding> findings, Set<LintOverride> used, LintRule rule, int index,
      String message, boolean inherited) {
    String ringName = plan.allRings().get(index).name();
    String firstRing = plan.rings().get(0).name();
    LintOverride override = null;
    for (LintOverride candidate : plan.overrides()) {
      if (candidate.rule() == rule && candidate.ring().equals(ringName)) {
        override = candidate;
        break;
      }
    }
    for (LintOverride candidate : plan.overrides()) {
      if (override == null && inherited && candidate.rule() == rule && candidate.ring().equals(firstRing)) {
        override = candidate;
      }
    }
    if (override != null) {
      used.add(override);
    }
    findings.add(new LintFinding(rule, index, ringName, message, override == null ? null : override.reason()));
  }

  static String percent(int basisPoints) {
    return String.format(Locale.ROOT, "%s%%", basisPoints % 100 == 0 ? String.valueOf(basisPoints / 100)
        : String.valueOf(basisPoints / 100.0));
  }
}
