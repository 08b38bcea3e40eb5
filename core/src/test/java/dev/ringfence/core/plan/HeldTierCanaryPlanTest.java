package dev.ringfence.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan syntax of held-tier canaries: reading, refusals with their paths, writing, the rings and the lint. */
class HeldTierCanaryPlanTest {

  private static final String PLAN = """
      {
        "schemaVersion": 1,
        "name": "held",
        "rings": [
          { "name": "canary", "share": 100, "cap": 500, "bakeTime": "30m", "gate": { "type": "health" } },
          { "name": "all", "share": 1000, "bakeTime": "0s", "gate": { "type": "time-and-sample" } }
        ],
        "heldTiers": ["critical", "airline"]%s
      }
      """;

  private static Plan read(String canaries) {
    return Plans.fromJson(PLAN.formatted(canaries));
  }

  private static List<String> refused(String canaries) {
    return assertThrows(InvalidPlanException.class, () -> read(canaries)).problems();
  }

  @Test
  void fromJson_withoutCanaries_givesEachHeldTierTheDefaults_andWritesNoNewField() {
    Plan plan = read("");

    assertThat(plan.heldTierCanaries()).isEmpty();
    assertThat(plan.heldTierCanary("critical")).isEqualTo(HeldTierCanary.ofDefaults());
    assertThat(Plans.toJson(plan)).doesNotContain("heldTierCanaries");
  }

  @Test
  void allRings_appendsEachHeldTiersCanaryAndRest_inTierOrder_afterThePlansOwnRings() {
    Plan plan = read("");

    assertThat(plan.allRings()).extracting(Ring::name).containsExactly("canary", "all", "held:airline:canary",
        "held:airline", "held:critical:canary", "held:critical");
    assertThat(plan.allRings().subList(0, 2)).isEqualTo(plan.rings());
    Ring canary = plan.allRings().get(4);
    assertThat(canary.share()).isEqualTo(HeldTierCanary.DEFAULT_SHARE);
    assertThat(canary.cap()).isEqualTo(500); // the first ring's
    assertThat(canary.bakeTime()).isEqualTo(Duration.ofMinutes(30));
    assertThat(canary.gate()).isEqualTo(GateSpec.of("health"));
    assertThat(canary.selector().conditions()).containsExactly(Condition.equalTo(Attribute.TIER, "critical"));
    Ring rest = plan.allRings().get(5);
    assertThat(rest.cap()).isEqualTo(Ring.NO_CAP);
    assertThat(rest.bakeTime()).isZero();
    assertThat(rest.gate()).isEqualTo(GateSpec.timeAndSample()); // the last ring's
  }

  @Test
  void fromJson_canarySettings_readOverrideTheDefaults_andRoundTrip() {
    Plan plan = read("""
        , "heldTierCanaries": { "critical": { "share": 50, "cap": 20, "bakeTime": "1h", "minSample": 10,
          "gate": { "type": "time-and-sample" } } }""");

    assertThat(plan.heldTierCanary("critical")).isEqualTo(new HeldTierCanary(50, 20L, Duration.ofHours(1), 10,
        GateSpec.timeAndSample()));
    assertThat(plan.heldTierCanary("airline")).isEqualTo(HeldTierCanary.ofDefaults());
    Ring canary = plan.allRings().get(4);
    assertThat(List.of(canary.share(), canary.cap(), canary.bakeTime(), canary.minSample()))
        .containsExactly(50, 20L, Duration.ofHours(1), 10);
    String json = Plans.toJson(plan);
    assertThat(Plans.fromJson(json)).isEqualTo(plan);
    assertThat(Plans.toJson(Plans.fromJson(json))).isEqualTo(json);
  }

  @Test
  void fromJson_badCanaries_refusedWithEveryPath() {
    assertThat(refused("""
        , "heldTierCanaries": {
          "hospital": { "cap": 5 },
          "critical": { "share": 0, "cap": 0, "bakeTime": "-5m", "minSample": -1, "bake": "1h" },
          "airline": { "cap": 5, "minSample": 6, "gate": { "params": {} } }
        }""")).containsExactly(
        "heldTierCanaries.hospital: 'hospital' is not in heldTiers [airline, critical]; only a held tier has a canary",
        "heldTierCanaries.critical.bake: unknown field; known fields are [bakeTime, cap, gate, minSample, share]",
        "heldTierCanaries.critical.share: 0 is below 1",
        "heldTierCanaries.critical.cap: 0 is below 1",
        "heldTierCanaries.critical.bakeTime: '-5m' is not a duration; write one such as 90s, 5m, 2h or PT5M",
        "heldTierCanaries.critical.minSample: -1 is below 0",
        "heldTierCanaries.airline.gate.type: is missing");
    assertThat(refused(", \"heldTierCanaries\": {\"airline\": {\"cap\": 5, \"minSample\": 6}}"))
        .containsExactly("heldTierCanaries.airline.minSample: 6 is above the ring's cap 5; the ring could never pass");
    assertThat(refused(", \"heldTierCanaries\": [\"critical\"]"))
        .containsExactly("heldTierCanaries: must be an object keyed by held tier, found an array");
    assertThat(refused(", \"heldTierCanaries\": {\"critical\": 20}"))
        .containsExactly("heldTierCanaries.critical: must be an object such as {\"cap\": 20, \"bakeTime\": \"30m\"},"
            + " found the number 20");
  }

  @Test
  void fromJson_minSampleAboveTheInheritedCap_refused() {
    assertThat(refused(", \"heldTierCanaries\": {\"critical\": {\"minSample\": 501}}")).containsExactly(
        "heldTierCanaries.critical.minSample: 501 is above the cap 500 the canary takes from rings[0]; the ring"
            + " could never pass");
  }

  @Test
  void fromJson_ringNamedLikeAHeldTiersRing_refused() {
    String json = PLAN.formatted("").replace("\"name\": \"all\"", "\"name\": \"held:critical\"");

    assertThat(assertThrows(InvalidPlanException.class, () -> Plans.fromJson(json)).problems()).containsExactly(
        "rings[1].name: 'held:critical' is the name of a ring of held tier 'critical'; rename the ring");
  }

  @Test
  void builder_heldTierCanaryOfATierNotHeld_refused() {
    Plan.Builder builder = Plan.builder("held")
        .ring(Ring.named("only").share(100).cap(10).bakeTime(Duration.ofMinutes(5)).build())
        .heldTierCanary("critical", HeldTierCanary.ofDefaults().withCap(3));

    assertThat(assertThrows(InvalidPlanException.class, builder::build).problems()).containsExactly(
        "heldTierCanaries.critical: 'critical' is not in heldTiers []; only a held tier has a canary");
    assertThrows(InvalidPlanException.class, () -> HeldTierCanary.ofDefaults().withShare(10_001));
  }

  @Test
  void lint_canaryIsLintedAsAFirstRing_withItsOwnRingName() {
    Plan plan = read("""
        , "heldTierCanaries": { "critical": { "share": 500, "bakeTime": "0s" } }""");

    LintReport report = PlanLinter.lint(plan);

    assertThat(report.blocking()).extracting(LintFinding::rule, LintFinding::ringIndex, LintFinding::ringName)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LintRule.FIRST_RING_TOO_LARGE, 4, "held:critical:canary"),
            org.assertj.core.groups.Tuple.tuple(LintRule.ZERO_BAKE_TIME, 4, "held:critical:canary"));
    assertThat(report.blocking().get(1).message()).contains("heldTierCanaries.critical.bakeTime");
  }

  @Test
  void lint_overrideNamingTheCanaryRing_isAccepted_andUsed() {
    Plan plan = read("""
        , "heldTierCanaries": { "critical": { "share": 500 } },
        "overrides": [ { "rule": "FIRST_RING_TOO_LARGE", "ring": "held:critical:canary",
          "reason": "the critical tier is 40 hosts; 5% is two of them" } ]""");

    LintReport report = PlanLinter.lint(plan);

    assertThat(report.passes()).isTrue();
    assertThat(report.overridden()).extracting(LintFinding::ringName).containsExactly("held:critical:canary");
    assertThat(report.unusedOverrides()).isEmpty();
  }

  @Test
  void lint_inheritedCap_isCoveredByTheFirstRingsOverride_anExplicitSettingIsNot() {
    String uncapped = PLAN.replace("\"cap\": 500, ", "")
        .replace("\"heldTiers\": [\"critical\", \"airline\"]%s", "\"heldTiers\": [\"critical\"]%s, \"overrides\": ["
            + "{\"rule\": \"FIRST_RING_UNCAPPED\", \"ring\": \"canary\", \"reason\": \"forty lab machines\"}]");

    LintReport inherited = PlanLinter.lint(Plans.fromJson(uncapped.formatted("")));
    assertThat(inherited.passes()).isTrue();
    assertThat(inherited.overridden()).extracting(LintFinding::ringName)
        .containsExactly("canary", "held:critical:canary");

    LintReport zeroBake = PlanLinter.lint(Plans.fromJson(uncapped.formatted(
        ", \"heldTierCanaries\": {\"critical\": {\"bakeTime\": \"0s\"}}")));
    assertThat(zeroBake.blocking()).extracting(LintFinding::rule).containsExactly(LintRule.ZERO_BAKE_TIME);
  }

  @Test
  void fromJson_overrideForAnUnknownHeldRing_refused() {
    assertThat(refused("""
        , "overrides": [ { "rule": "NO_GATE", "ring": "held:hospital:canary", "reason": "no such tier held" } ]"""))
        .containsExactly("overrides[0].ring: 'held:hospital:canary' is not a ring of this plan");
  }
}
