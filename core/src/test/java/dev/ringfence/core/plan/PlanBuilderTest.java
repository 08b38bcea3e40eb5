package dev.ringfence.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.RingfenceException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PlanBuilderTest {

  private static final Instant FROM = Instant.parse("2026-12-24T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-12-27T00:00:00Z");

  private static List<String> problems(Executable build) {
    return assertThrows(InvalidPlanException.class, build).problems();
  }

  private static Ring ring(String name, int share) {
    return Ring.named(name).share(share).cap(1000).bakeTime(Duration.ofHours(1)).build();
  }

  // ------------------------------------------------------------------ rings

  @Test
  void ringBuild_shareAbove10000_throwsNamingShare() {
    InvalidPlanException e = assertThrows(InvalidPlanException.class,
        () -> Ring.named("canary").share(15000).build());

    assertThat(e.problems()).containsExactly("share: 15000 is above 10000");
    assertThat(e).isInstanceOf(RingfenceException.class).hasMessageContaining("share: 15000 is above 10000");
  }

  @Test
  void ringBuild_shareAtBounds_accepted() {
    assertThat(Ring.named("a").share(0).build().share()).isZero();
    assertThat(Ring.named("a").share(10000).build().share()).isEqualTo(10000);
    assertThat(problems(() -> Ring.named("a").share(10001).build())).containsExactly("share: 10001 is above 10000");
    assertThat(problems(() -> Ring.named("a").share(-1).build()))
        .containsExactly("share: -1 is negative; shares are basis points 0..10000");
  }

  @Test
  void ringBuild_severalBadFields_listsEveryProblem() {
    List<String> problems = problems(() -> new Ring(" ", null, 20000, 0, Duration.ofSeconds(-1), -5, null));

    assertThat(problems).containsExactly(
        "name: is blank; every ring needs a name",
        "selector: is null; use Selector.ALL to select every endpoint",
        "share: 20000 is above 10000",
        "cap: 0 is below 1; omit the cap for no limit",
        "bakeTime: PT-1S is negative",
        "minSample: -5 is negative");
  }

  @Test
  void ringBuild_missingBakeTime_throws() {
    assertThat(problems(() -> Ring.named("a").bakeTime(null).build()))
        .containsExactly("bakeTime: is missing; give an ISO-8601 duration such as PT30M");
  }

  @Test
  void ringBuild_minSampleAboveCap_throwsAndEqualToCapIsAccepted() {
    assertThat(problems(() -> Ring.named("a").cap(500).minSample(501).build()))
        .containsExactly("minSample: 501 is above the ring's cap 500; the ring could never pass");
    assertThat(Ring.named("a").cap(500).minSample(500).build().minSample()).isEqualTo(500);
    assertThat(Ring.named("a").minSample(Integer.MAX_VALUE).build().hasCap()).isFalse();
  }

  @Test
  void ringNamed_defaults_selectAllUncappedNoBakeNoSampleHealthGate() {
    Ring ring = Ring.named("a").build();

    assertThat(ring.selector()).isEqualTo(Selector.ALL);
    assertThat(ring.share()).isZero();
    assertThat(ring.cap()).isEqualTo(Ring.NO_CAP);
    assertThat(ring.hasCap()).isFalse();
    assertThat(ring.bakeTime()).isEqualTo(Duration.ZERO);
    assertThat(ring.minSample()).isZero();
    assertThat(ring.gate()).isEqualTo(GateSpec.of("health"));
    assertThat(ring.gateSpec()).contains(new GateSpec("health", Map.of()));
    assertThat(Ring.named("b").gate(null).build().gateSpec()).isEmpty();
  }

  @Test
  void ringPercent_convertsToBasisPoints() {
    assertThat(Ring.named("a").percent(0.1).build().share()).isEqualTo(10);
    assertThat(Ring.named("a").percent(12.5).build().share()).isEqualTo(1250);
    assertThat(Ring.named("a").percent(100).build().share()).isEqualTo(10000);
  }

  // ------------------------------------------------------------------ plans

  @Test
  void planBuild_shrinkingShares_throws() {
    List<String> problems = problems(() -> Plan.builder("p").ring(ring("a", 100)).ring(ring("b", 50)).build());

    assertThat(problems).containsExactly(
        "rings[1].share: 50 is below rings[0].share 100; shares are cumulative and may not shrink");
  }

  @Test
  void planBuild_equalShares_acceptedAsAPlanAndLeftToTheLint() {
    Plan plan = Plan.builder("p").ring(ring("a", 100)).ring(ring("b", 100)).build();

    assertThat(plan.rings()).extracting(Ring::share).containsExactly(100, 100);
  }

  @Test
  void planBuild_duplicateRingNames_throws() {
    assertThat(problems(() -> Plan.builder("p").ring(ring("a", 10)).ring(ring("a", 100)).build()))
        .containsExactly("rings[1].name: 'a' is already used by rings[0]");
  }

  @Test
  void planBuild_withoutRings_throws() {
    assertThat(problems(() -> Plan.builder("p").build()))
        .containsExactly("rings: is empty; a plan needs at least one ring");
  }

  @Test
  void planBuild_overrideForUnknownRing_throws() {
    LintOverride override = new LintOverride(LintRule.NO_GATE, "missing", "this ring has no gate");

    assertThat(problems(() -> Plan.builder("p").ring(ring("a", 10)).override(override).build()))
        .containsExactly("overrides[0].ring: 'missing' is not a ring of this plan");
  }

  @Test
  void planBuild_severalBadFields_listsEveryProblem() {
    List<String> problems = problems(() -> Plan.builder(" ")
        .ring(ring("a", 100)).ring(ring("b", 10)).ring(ring("a", 1000))
        .maxNewExposuresPerHour(-1)
        .heldTiers(" ")
        .rollbackTimeout(Duration.ZERO)
        .build());

    assertThat(problems).containsExactly(
        "name: is blank; every plan needs a name",
        "rings[1].share: 10 is below rings[0].share 100; shares are cumulative and may not shrink",
        "rings[2].name: 'a' is already used by rings[0]",
        "maxNewExposuresPerHour: -1 is negative; use 0 for no limit",
        "heldTiers: holds a blank tier",
        "rollbackTimeout: PT0S must be a positive duration such as PT1H");
  }

  @Test
  void planBuild_velocityLimitBounds() {
    assertThat(Plan.builder("p").ring(ring("a", 10)).maxNewExposuresPerHour(1_000_000_000_000L).build()
        .hasVelocityLimit()).isTrue();
    assertThat(problems(() -> Plan.builder("p").ring(ring("a", 10)).maxNewExposuresPerHour(1_000_000_000_001L)
        .build())).containsExactly("maxNewExposuresPerHour: 1000000000001 is above 1000000000000; use 0 for no limit");
    assertThat(Plan.builder("p").ring(ring("a", 10)).build().hasVelocityLimit()).isFalse();
  }

  @Test
  void planBuild_nullRingOrWindow_reported() {
    assertThat(problems(() -> new Plan(1, "p", Arrays.asList(ring("a", 10), null), 0,
        Arrays.asList((FreezeWindow) null), Set.of(), Duration.ofHours(1), List.of())))
        .containsExactly("rings[1]: is null", "freezeWindows[0]: is null");
  }

  @Test
  void planConstructor_schemaVersion2_throws() {
    assertThat(problems(() -> new Plan(2, "p", List.of(ring("a", 10)), 0, List.of(), Set.of(), Duration.ofHours(1),
        List.of()))).containsExactly("schemaVersion: 2 is not supported; this library reads version 1");
  }

  @Test
  void planBuild_sameRingsAsTheExampleFile_equalsThePlanReadFromIt() {
    Plan built = Plan.builder("content-channel-weekly")
        .ring(Ring.named("canary").selector(Selector.allOf(Condition.in(Attribute.TIER, "internal", "lab")))
            .share(10).cap(500).bakeTime(Duration.ofMinutes(30)).minSample(200).gate(GateSpec.timeAndSample()).build())
        .ring(Ring.named("early").selector(Selector.allOf(Condition.notIn(Attribute.TAG, "kiosk", "hospital")))
            .share(100).cap(5000).bakeTime(Duration.ofHours(2)).minSample(2000).gate(GateSpec.timeAndSample())
            .build())
        .ring(Ring.named("broad").share(1000).bakeTime(Duration.ofHours(6)).minSample(20000)
            .gate(GateSpec.timeAndSample()).build())
        .ring(Ring.named("everyone").percent(100).gate(GateSpec.timeAndSample()).build())
        .maxNewExposuresPerHour(50_000)
        .freezeWindow(new FreezeWindow(FROM, TO, "holiday change freeze"))
        .heldTiers("critical")
        .build();

    assertThat(built).isEqualTo(ExamplePlan.plan());
  }

  @Test
  void planBuild_copiesItsLists_soLaterChangesToTheBuilderDoNotLeakIn() {
    Plan.Builder builder = Plan.builder("p").ring(ring("a", 10));
    Plan plan = builder.build();
    builder.ring(ring("b", 100));

    assertThat(plan.rings()).hasSize(1);
  }

  // ------------------------------------------------------------------ freeze windows

  @Test
  void freezeWindow_toNotAfterFrom_throws() {
    assertThat(problems(() -> new FreezeWindow(TO, FROM, "holidays")))
        .containsExactly("to: 2026-12-24T00:00:00Z is not after from 2026-12-27T00:00:00Z");
    assertThat(problems(() -> new FreezeWindow(FROM, FROM, "holidays")))
        .containsExactly("to: 2026-12-24T00:00:00Z is not after from 2026-12-24T00:00:00Z");
  }

  @Test
  void freezeWindow_missingBoundsAndBlankReason_listsEveryProblem() {
    List<String> problems = problems(() -> new FreezeWindow(null, null, " "));

    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).startsWith("from: is missing");
    assertThat(problems.get(1)).startsWith("to: is missing");
    assertThat(problems.get(2)).isEqualTo("reason: is blank; say why the window is frozen");
  }

  @Test
  void freezeWindowContains_fromInclusiveToExclusive() {
    FreezeWindow window = new FreezeWindow(FROM, TO, "holidays");

    assertThat(window.contains(FROM.minusNanos(1))).isFalse();
    assertThat(window.contains(FROM)).isTrue();
    assertThat(window.contains(TO.minusNanos(1))).isTrue();
    assertThat(window.contains(TO)).isFalse();
  }

  @Test
  void planFreezeAt_returnsTheFirstWindowInForce() {
    FreezeWindow first = new FreezeWindow(FROM, TO, "holidays");
    FreezeWindow overlapping = new FreezeWindow(FROM.plus(Duration.ofDays(1)), TO.plus(Duration.ofDays(5)),
        "year end");
    Plan plan = Plan.builder("p").ring(ring("a", 10)).freezeWindow(first).freezeWindow(overlapping).build();

    assertThat(plan.freezeAt(FROM.minusSeconds(1))).isEmpty();
    assertThat(plan.freezeAt(FROM.plus(Duration.ofDays(2)))).contains(first);
    assertThat(plan.freezeAt(TO)).contains(overlapping);
    assertThat(plan.freezeAt(TO.plus(Duration.ofDays(5)))).isEmpty();
  }

  // ------------------------------------------------------------------ overrides, conditions, gates, selectors

  @Test
  void lintOverride_reasonShorterThan10Characters_throws() {
    assertThat(problems(() -> new LintOverride(LintRule.NO_GATE, "a", "too short")))
        .containsExactly("reason: must be a written reason of at least 10 characters; it is recorded with the rollout");
    assertThat(problems(() -> new LintOverride(LintRule.NO_GATE, "a", "   123456789   ")))
        .as("surrounding blanks do not count").hasSize(1);
    assertThat(new LintOverride(LintRule.NO_GATE, "a", "0123456789").reason()).isEqualTo("0123456789");
  }

  @Test
  void lintOverride_missingRuleAndBlankRing_throws() {
    List<String> problems = problems(() -> new LintOverride(null, " ", null));

    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).startsWith("rule: is missing; name one of [FIRST_RING_TOO_LARGE");
    assertThat(problems.get(1)).isEqualTo("ring: is blank; name the ring the override applies to");
    assertThat(problems.get(2)).startsWith("reason: must be a written reason");
  }

  @Test
  void conditionEquals_twoValues_throws() {
    assertThat(problems(() -> new Condition(Attribute.OS, Operator.EQUALS, Set.of("windows", "linux"))))
        .containsExactly("values: 'equals' takes exactly one value, got 2; use 'in' for several");
  }

  @Test
  void condition_missingPartsOrNullValue_throws() {
    assertThat(problems(() -> new Condition(null, null, Set.of()))).containsExactly(
        "attribute: is missing; use one of os, osBuild, region, tier, tag",
        "op: is missing; use one of equals, in, not-in",
        "values: is empty; a condition needs at least one value");
    Set<String> withNull = new HashSet<>(Arrays.asList("a", null));
    assertThat(problems(() -> new Condition(Attribute.TAG, Operator.IN, withNull)))
        .containsExactly("values: holds a null value");
  }

  @Test
  void gateSpec_blankTypeOrNullParams_throws() {
    assertThat(problems(() -> GateSpec.of(" "))).singleElement().asString().startsWith("gate.type: is blank");
    assertThat(problems(() -> new GateSpec("g", null))).containsExactly("gate.params: is null; use an empty map");
  }

  @Test
  void selector_nullCondition_throws() {
    // The exact wording differs between revisions of Selector; the refusal and its path prefix do not.
    assertThat(problems(() -> new Selector(Arrays.asList(Condition.equalTo(Attribute.OS, "x"), null))))
        .singleElement().asString().startsWith("selector").contains("is null");
    assertThat(problems(() -> new Selector(null)))
        .singleElement().asString().startsWith("selector: is null");
  }

  // ------------------------------------------------------------------ endpoint attributes

  @Test
  void endpointAttributes_nullValue_throwsInvalidInputNamingTheField() {
    Set<String> none = Set.of();
    assertThat(assertThrows(InvalidInputException.class, () -> new EndpointAttributes(null, "", "", "", none))
        .field()).isEqualTo("os");
    assertThat(assertThrows(InvalidInputException.class, () -> new EndpointAttributes("", null, "", "", none))
        .field()).isEqualTo("osBuild");
    assertThat(assertThrows(InvalidInputException.class, () -> new EndpointAttributes("", "", null, "", none))
        .field()).isEqualTo("region");
    assertThat(assertThrows(InvalidInputException.class, () -> new EndpointAttributes("", "", "", null, none))
        .field()).isEqualTo("tier");
    assertThat(assertThrows(InvalidInputException.class, () -> new EndpointAttributes("", "", "", "", null))
        .field()).isEqualTo("tags");
  }

  @Test
  void endpointAttributesBuilder_nullOrBlankValue_throwsInvalidInputNamingTheField() {
    InvalidInputException os = assertThrows(InvalidInputException.class,
        () -> EndpointAttributes.builder().os(null));
    assertThat(os.field()).isEqualTo("os");
    assertThat(os).hasMessageStartingWith("os: is null");
    assertThat(assertThrows(InvalidInputException.class, () -> EndpointAttributes.builder().osBuild(null)).field())
        .isEqualTo("osBuild");
    assertThat(assertThrows(InvalidInputException.class, () -> EndpointAttributes.builder().region(null)).field())
        .isEqualTo("region");
    assertThat(assertThrows(InvalidInputException.class, () -> EndpointAttributes.builder().tier(null)).field())
        .isEqualTo("tier");
    assertThat(assertThrows(InvalidInputException.class, () -> EndpointAttributes.builder().tags("ok", " "))
        .field()).isEqualTo("tags");
    assertThat(assertThrows(InvalidInputException.class,
        () -> new EndpointAttributes("", "", "", "", Set.of("ok", ""))).field()).isEqualTo("tags");
  }

  @Test
  void endpointAttributesBuilder_unsetValues_areEmptyStrings() {
    EndpointAttributes attributes = EndpointAttributes.builder().os("linux").build();

    assertThat(attributes).isEqualTo(new EndpointAttributes("linux", "", "", "", Set.of()));
    assertThat(EndpointAttributes.builder().build()).isEqualTo(EndpointAttributes.UNKNOWN);
  }
}
