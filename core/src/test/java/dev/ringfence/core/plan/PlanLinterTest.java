package dev.ringfence.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanLinterTest {

  private static final Duration HOUR = Duration.ofHours(1);

  /** A well-behaved ring: capped, baked for an hour, with the default gate. */
  private static Ring.Builder ring(String name, int share) {
    return Ring.named(name).share(share).cap(1000).bakeTime(HOUR);
  }

  private static Plan plan(Ring... rings) {
    Plan.Builder builder = Plan.builder("lint-test");
    for (Ring ring : rings) {
      builder.ring(ring);
    }
    return builder.build();
  }

  private static LintFinding only(LintReport report) {
    assertThat(report.findings()).hasSize(1);
    return report.findings().get(0);
  }

  // ------------------------------------------------------------------ one test per rule

  @Test
  void lint_firstRingAbove1Percent_findsFirstRingTooLarge() {
    LintReport report = PlanLinter.lint(plan(ring("canary", 250).build(), ring("rest", 2500).bakeTime(Duration.ZERO)
        .build()));

    LintFinding finding = only(report);
    assertFinding(finding, LintRule.FIRST_RING_TOO_LARGE, 0, "canary",
        "share 250 (2.5%) is above 1% of the eligible fleet; start smaller");
    assertThat(finding.isOverridden()).isFalse();
    assertThat(report.passes()).isFalse();
  }

  @Test
  void lint_firstRingWithoutCap_findsFirstRingUncapped() {
    LintFinding finding = only(PlanLinter.lint(plan(
        Ring.named("canary").share(50).bakeTime(HOUR).build(), ring("rest", 500).build())));

    assertFinding(finding, LintRule.FIRST_RING_UNCAPPED, 0, "canary",
        "has no cap; give the first ring an absolute limit on endpoints");
  }

  @Test
  void lint_laterRingsWithoutCap_notFlagged() {
    LintReport report = PlanLinter.lint(plan(ring("canary", 50).build(),
        Ring.named("rest").share(500).bakeTime(HOUR).build()));

    assertThat(report.findings()).isEmpty();
  }

  @Test
  void lint_ringWithSameShareAsPrevious_findsShareDoesNotGrow() {
    LintFinding finding = only(PlanLinter.lint(plan(ring("a", 50).build(), ring("b", 50).build(),
        ring("c", 500).build())));

    assertFinding(finding, LintRule.SHARE_DOES_NOT_GROW, 1, "b",
        "share 50 (0.5%) does not grow over the previous ring's 50 (0.5%)");
  }

  @Test
  void lint_stepAbove10Times_findsStepTooLarge() {
    LintFinding finding = only(PlanLinter.lint(plan(ring("a", 100).build(), ring("b", 2500).build())));

    assertFinding(finding, LintRule.STEP_TOO_LARGE, 1, "b",
        "grows exposure 25.0 times (1% to 25%); steps above 10 times need a ring between");
  }

  @Test
  void lint_zeroBakeTimeBeforeTheLastRing_findsZeroBakeTime() {
    LintFinding finding = only(PlanLinter.lint(plan(ring("a", 10).build(), ring("b", 100).bakeTime(Duration.ZERO)
        .build(), ring("c", 1000).build())));

    assertFinding(finding, LintRule.ZERO_BAKE_TIME, 1, "b",
        "has a zero bake time but is not the last ring; failures need time to show");
  }

  @Test
  void lint_ringWithoutGate_findsNoGate() {
    LintFinding finding = only(PlanLinter.lint(plan(ring("a", 10).build(), ring("b", 100).gate(null).build())));

    assertFinding(finding, LintRule.NO_GATE, 1, "b",
        "has no gate; the next ring would open on time alone");
  }

  @Test
  void lint_ringsReadFromJsonWithoutGate_findNoGate() {
    Plan plan = Plans.fromJson("""
        { "schemaVersion": 1, "name": "p",
          "rings": [ { "name": "a", "share": 10, "cap": 10, "bakeTime": "PT1H" } ] }
        """);

    assertThat(only(PlanLinter.lint(plan)).rule()).isEqualTo(LintRule.NO_GATE);
  }

  @Test
  void lint_severalRulesBroken_reportsFindingsInRingOrder() {
    LintReport report = PlanLinter.lint(plan(
        Ring.named("a").share(200).bakeTime(Duration.ZERO).build(),
        ring("b", 200).gate(null).build(),
        ring("c", 10000).build()));

    assertThat(report.findings()).extracting(LintFinding::ringIndex, LintFinding::rule).containsExactly(
        tuple(0, LintRule.FIRST_RING_TOO_LARGE),
        tuple(0, LintRule.FIRST_RING_UNCAPPED),
        tuple(0, LintRule.ZERO_BAKE_TIME),
        tuple(1, LintRule.SHARE_DOES_NOT_GROW),
        tuple(1, LintRule.NO_GATE),
        tuple(2, LintRule.STEP_TOO_LARGE));
    assertThat(report.blocking()).isEqualTo(report.findings());
    assertThat(report.overridden()).isEmpty();
  }

  // ------------------------------------------------------------------ overrides

  @Test
  void lint_overrideWithReason_makesTheReportPassAndRecordsTheReason() {
    String reason = "internal lab fleet is small and watched by hand";
    Plan plan = Plan.builder("p")
        .ring(Ring.named("canary").share(50).bakeTime(HOUR).build())
        .ring(ring("rest", 500).build())
        .override(new LintOverride(LintRule.FIRST_RING_UNCAPPED, "canary", reason))
        .build();

    LintReport report = PlanLinter.lint(plan);

    assertThat(report.passes()).isTrue();
    assertThat(report.blocking()).isEmpty();
    assertThat(report.unusedOverrides()).isEmpty();
    assertThat(report.overridden()).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo(LintRule.FIRST_RING_UNCAPPED);
      assertThat(f.ringName()).isEqualTo("canary");
      assertThat(f.overrideReason()).isEqualTo(reason);
      assertThat(f.isOverridden()).isTrue();
      assertThat(f.toString()).isEqualTo("rings[0] 'canary': FIRST_RING_UNCAPPED: has no cap; give the first ring an"
          + " absolute limit on endpoints (overridden: " + reason + ")");
    });
    assertThat(report.requirePass()).isSameAs(report);
  }

  @Test
  void lint_overrideForAnotherRingOrRule_doesNotApply() {
    Plan plan = Plan.builder("p")
        .ring(Ring.named("canary").share(50).bakeTime(HOUR).build())
        .ring(ring("rest", 500).build())
        .override(new LintOverride(LintRule.FIRST_RING_UNCAPPED, "rest", "wrong ring named here"))
        .override(new LintOverride(LintRule.FIRST_RING_TOO_LARGE, "canary", "wrong rule named here"))
        .build();

    LintReport report = PlanLinter.lint(plan);

    assertThat(report.passes()).isFalse();
    assertThat(report.blocking()).extracting(LintFinding::rule).containsExactly(LintRule.FIRST_RING_UNCAPPED);
    assertThat(report.unusedOverrides()).containsExactlyElementsOf(plan.overrides());
  }

  @Test
  void lint_overrideMatchingNoFinding_reportedAsUnused() {
    LintOverride stale = new LintOverride(LintRule.STEP_TOO_LARGE, "rest", "was a big step once");
    LintOverride used = new LintOverride(LintRule.NO_GATE, "rest", "judged by the on-call by hand");
    Plan plan = Plan.builder("p")
        .ring(ring("canary", 50).build())
        .ring(ring("rest", 500).gate(null).build())
        .override(stale)
        .override(used)
        .build();

    LintReport report = PlanLinter.lint(plan);

    assertThat(report.passes()).isTrue();
    assertThat(report.unusedOverrides()).containsExactly(stale);
    assertThat(report.overridden()).extracting(LintFinding::overrideReason)
        .containsExactly("judged by the on-call by hand");
  }

  @Test
  void requirePass_blockingFindings_throwsListingEachWithRingAndRule() {
    Plan plan = Plan.builder("weekly")
        .ring(Ring.named("canary").share(300).bakeTime(Duration.ZERO).build())
        .ring(ring("rest", 10000).build())
        .override(new LintOverride(LintRule.ZERO_BAKE_TIME, "canary", "content is pre-validated"))
        .build();
    LintReport report = PlanLinter.lint(plan);

    PlanLintException e = assertThrows(PlanLintException.class, report::requirePass);

    assertThat(e.findings()).isEqualTo(report.blocking());
    assertThat(e.findings()).extracting(LintFinding::ringName, LintFinding::rule).containsExactly(
        tuple("canary", LintRule.FIRST_RING_TOO_LARGE),
        tuple("canary", LintRule.FIRST_RING_UNCAPPED),
        tuple("rest", LintRule.STEP_TOO_LARGE));
    assertThat(e.getMessage())
        .startsWith("plan 'weekly' is refused by the lint, 3 findings")
        .contains("rings[0] 'canary': FIRST_RING_TOO_LARGE: share 300 (3%)",
            "rings[0] 'canary': FIRST_RING_UNCAPPED: has no cap",
            "rings[1] 'rest': STEP_TOO_LARGE: grows exposure 33.3 times (3% to 100%)")
        .doesNotContain("ZERO_BAKE_TIME");
  }

  // ------------------------------------------------------------------ the example plan and boundaries

  @Test
  void lint_examplePlan_passesWithNoFindings() {
    LintReport report = PlanLinter.lint(ExamplePlan.plan());

    assertThat(report.planName()).isEqualTo("content-channel-weekly");
    assertThat(report.findings()).isEmpty();
    assertThat(report.unusedOverrides()).isEmpty();
    assertThat(report.passes()).isTrue();
    assertThat(report.requirePass()).isSameAs(report);
  }

  @Test
  void lint_firstRingShareExactly100_passesAnd101_fails() {
    assertThat(PlanLinter.lint(plan(ring("a", 100).build(), ring("b", 1000).build())).findings()).isEmpty();

    LintFinding finding = only(PlanLinter.lint(plan(ring("a", 101).build(), ring("b", 1000).build())));
    assertThat(finding.rule()).isEqualTo(LintRule.FIRST_RING_TOO_LARGE);
    assertThat(finding.message()).startsWith("share 101 (1.01%) is above 1%");
  }

  @Test
  void lint_stepExactly10Times_passesAndAbove_fails() {
    assertThat(PlanLinter.lint(plan(ring("a", 37).build(), ring("b", 370).build())).findings()).isEmpty();

    LintFinding finding = only(PlanLinter.lint(plan(ring("a", 37).build(), ring("b", 371).build())));
    assertThat(finding.rule()).isEqualTo(LintRule.STEP_TOO_LARGE);
    assertThat(finding.ringIndex()).isEqualTo(1);
    assertThat(finding.message()).startsWith("grows exposure 10.0 times (0.37% to 3.71%)");
  }

  @Test
  void lint_stepFromShareZero_flaggedStepTooLarge() {
    LintFinding finding = only(PlanLinter.lint(plan(ring("dark", 0).build(), ring("a", 1).build())));

    assertThat(finding.rule()).isEqualTo(LintRule.STEP_TOO_LARGE);
    assertThat(finding.ringName()).isEqualTo("a");
    assertThat(finding.message())
        .isEqualTo("grows exposure from nothing (0% to 0.01%); steps above 10 times need a ring between");
  }

  @Test
  void lint_zeroBakeTimeOnTheLastRing_allowed() {
    assertThat(PlanLinter.lint(plan(ring("a", 10).build(), ring("b", 100).bakeTime(Duration.ZERO).build()))
        .findings()).isEmpty();
    assertThat(PlanLinter.lint(plan(ring("only", 100).bakeTime(Duration.ZERO).build())).findings())
        .as("a single ring is also the last").isEmpty();
  }

  @Test
  void lint_constants_matchTheDocumentedThresholds() {
    assertThat(PlanLinter.MAX_FIRST_RING_SHARE).isEqualTo(100);
    assertThat(PlanLinter.MAX_STEP_FACTOR).isEqualTo(10);
    assertThat(List.of(LintRule.values())).containsExactly(LintRule.FIRST_RING_TOO_LARGE,
        LintRule.FIRST_RING_UNCAPPED, LintRule.SHARE_DOES_NOT_GROW, LintRule.STEP_TOO_LARGE,
        LintRule.ZERO_BAKE_TIME, LintRule.NO_GATE, LintRule.UNREACHABLE_REPORTS);
  }

  @Test
  void healthGatedRing_whoseCapCannotReachTheJudgesReports_isFlagged() {
    Plan plan = Plan.builder("p")
        .ring(Ring.named("canary").share(10).cap(15).bakeTime(Duration.ofMinutes(30)).build())
        .ring(Ring.named("lab").share(50).cap(30).bakeTime(Duration.ofMinutes(30))
            .gate(new GateSpec("health", Map.of("minCandidateReports", 40))).build())
        .ring(Ring.named("everyone").share(100).cap(50).gate(GateSpec.timeAndSample()).build())
        .build();
    assertThat(PlanLinter.lint(plan).findings()).filteredOn(f -> f.rule() == LintRule.UNREACHABLE_REPORTS)
        .extracting(LintFinding::ringName, LintFinding::message)
        .containsExactly(tuple("canary", "cap 15 is below the 20 reports the health judge needs to pass; the ring"
            + " could only ever pause"), tuple("lab", "cap 30 is below the 40 reports the health judge needs to"
            + " pass; the ring could only ever pause"));
  }

  /** The finding is of {@code rule}, on ring {@code ringIndex} named {@code ringName}, and says {@code message}. */
  private static void assertFinding(LintFinding finding, LintRule rule, int ringIndex, String ringName,
      String message) {
    assertThat(finding.rule()).isEqualTo(rule);
    assertThat(finding.ringIndex()).isEqualTo(ringIndex);
    assertThat(finding.ringName()).isEqualTo(ringName);
    assertThat(finding.message()).isEqualTo(message);
  }
}
