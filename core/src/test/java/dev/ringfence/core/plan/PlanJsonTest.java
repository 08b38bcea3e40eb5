package dev.ringfence.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanJsonTest {

  /** A small valid plan; tests splice one defect into it. */
  private static final String MINIMAL = """
      {
        "schemaVersion": 1,
        "name": "minimal",
        "rings": [
          { "name": "only", "share": 10000, "bakeTime": "PT0S" }
        ]
      }
      """;

  private static InvalidPlanException refused(String json) {
    return assertThrows(InvalidPlanException.class, () -> Plans.fromJson(json));
  }

  // ------------------------------------------------------------------ the example plan

  @Test
  void fromJson_examplePlan_roundTripsToEqualPlanAndStableJson() {
    Plan original = Plans.fromJson(ExamplePlan.json());

    String json = Plans.toJson(original);
    Plan reread = Plans.fromJson(json);

    assertThat(reread).isEqualTo(original);
    assertThat(Plans.toJson(reread)).isEqualTo(json);
    assertThat(Plans.fromFile(ExamplePlan.path())).isEqualTo(original);
    assertThat(Plans.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(original);
  }

  @Test
  void fromJson_examplePlan_readsEveryField() {
    Plan plan = ExamplePlan.plan();

    assertThat(plan.schemaVersion()).isEqualTo(1);
    assertThat(plan.name()).isEqualTo("content-channel-weekly");
    assertThat(plan.rings()).extracting(Ring::name).containsExactly("canary", "early", "broad", "everyone");
    assertThat(plan.rings()).extracting(Ring::share).containsExactly(10, 100, 1000, 10000);
    assertThat(plan.rings()).extracting(Ring::cap).containsExactly(500L, 5000L, Ring.NO_CAP, Ring.NO_CAP);
    assertThat(plan.rings()).extracting(Ring::bakeTime)
        .containsExactly(Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(6), Duration.ZERO);
    assertThat(plan.rings()).extracting(Ring::minSample).containsExactly(200, 2000, 20000, 0);
    assertThat(plan.rings()).extracting(Ring::gate).containsOnly(GateSpec.timeAndSample());
    assertThat(plan.rings().get(0).selector())
        .isEqualTo(Selector.allOf(Condition.in(Attribute.TIER, "internal", "lab")));
    assertThat(plan.rings().get(1).selector())
        .isEqualTo(Selector.allOf(Condition.notIn(Attribute.TAG, "kiosk", "hospital")));
    assertThat(plan.rings().get(2).selector()).isEqualTo(Selector.ALL);
    assertThat(plan.maxNewExposuresPerHour()).isEqualTo(50_000);
    assertThat(plan.freezeWindows()).containsExactly(new FreezeWindow(Instant.parse("2026-12-24T00:00:00Z"),
        Instant.parse("2026-12-27T00:00:00Z"), "holiday change freeze"));
    assertThat(plan.heldTiers()).containsExactly("critical");
    assertThat(plan.rollbackTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(plan.overrides()).isEmpty();
  }

  @Test
  void fromJson_optionalFieldsLeftOut_takeTheirDefaults() {
    Plan plan = Plans.fromJson(MINIMAL);

    Ring ring = plan.rings().get(0);
    assertThat(ring.selector()).isEqualTo(Selector.ALL);
    assertThat(ring.cap()).isEqualTo(Ring.NO_CAP);
    assertThat(ring.hasCap()).isFalse();
    assertThat(ring.minSample()).isZero();
    assertThat(ring.gate()).as("a ring without a gate field has no gate").isNull();
    assertThat(plan.maxNewExposuresPerHour()).isZero();
    assertThat(plan.hasVelocityLimit()).isFalse();
    assertThat(plan.freezeWindows()).isEmpty();
    assertThat(plan.heldTiers()).isEmpty();
    assertThat(plan.rollbackTimeout()).isEqualTo(Plan.DEFAULT_ROLLBACK_TIMEOUT).isEqualTo(Duration.ofHours(1));
    assertThat(plan.overrides()).isEmpty();
  }

  @Test
  void toJson_planWithoutOptionalValues_omitsCapVelocityAndGateAndReadsBack() {
    Plan plan = Plans.fromJson(MINIMAL);

    String json = Plans.toJson(plan);

    assertThat(json).doesNotContain("\"cap\"", "maxNewExposuresPerHour", "\"gate\"");
    assertThat(Plans.fromJson(json)).isEqualTo(plan);
  }

  // ------------------------------------------------------------------ every problem at once

  @Test
  void fromJson_documentWithManyErrors_reportsEveryProblemWithItsPathInOneException() {
    String json = """
        {
          "name": " ",
          "colour": "blue",
          "rings": [
            { "name": "canary", "share": 100, "cap": 500, "bakeTime": "PT30M", "minSample": 10, "weight": 3,
              "selector": [ { "attribute": "tier", "op": "between", "values": ["lab"] } ] },
            { "name": "early", "share": 50, "bakeTime": "PT1H", "minSample": "lots",
              "selector": [ { "attribute": "os", "op": "equals", "values": ["windows", "linux"] } ] },
            { "name": "broad", "share": 15000, "bakeTime": "PT6H" },
            { "name": "canary", "share": 1000, "bakeTime": "PT6H" },
            { "name": "  ", "share": 2000, "bakeTime": "PT6H" },
            { "name": "late", "share": 3000, "bakeTime": "1 hour" }
          ],
          "freezeWindows": [
            { "from": "2026-12-27T00:00:00Z", "to": "2026-12-24T00:00:00Z", "reason": "holidays" }
          ],
          "heldTiers": "critical",
          "overrides": [ { "rule": "STEP_TOO_LARGE", "ring": "early", "reason": "because" } ]
        }
        """;

    InvalidPlanException e = refused(json);

    List<String> expected = List.of(
        "colour: unknown field",
        "schemaVersion: is missing",
        "name: is blank",
        "rings[0].weight: unknown field",
        "rings[0].selector[0].op: 'between' is not an operator",
        "rings[1].selector[0].values: 'equals' takes exactly one value, got 2",
        "rings[1].minSample: must be a whole number, found a string",
        "rings[2].share: 15000 is above 10000",
        "rings[4].name: is blank",
        "rings[5].bakeTime: '1 hour' is not a duration; write one such as 90s, 5m, 2h or PT5M",
        "freezeWindows[0].to: 2026-12-24T00:00:00Z is not after from 2026-12-27T00:00:00Z",
        "heldTiers: must be an array, found a string",
        "overrides[0].reason: must be a written reason of at least 10 characters",
        "rings[1].share: 50 is below rings[0].share 100; shares are cumulative and may not shrink",
        "rings[3].name: 'canary' is already used by rings[0]");
    for (String prefix : expected) {
      assertThat(e.problems()).as("problems hold '%s'", prefix).anyMatch(p -> p.startsWith(prefix));
    }
    assertThat(e.problems()).hasSize(expected.size());
    assertThat(e.getMessage()).startsWith("invalid plan, " + expected.size() + " problems:");
  }

  @Test
  void fromJson_durations_shortFormAndIso_readAlike() {
    String json = """
        {
          "schemaVersion": 1,
          "name": "p",
          "rings": [
            { "name": "a", "share": 100, "bakeTime": "30m", "gate": { "type": "time-and-sample" } },
            { "name": "b", "share": 10000, "bakeTime": "PT2H", "gate": { "type": "time-and-sample" } }
          ],
          "rollbackTimeout": "1d",
          "overrides": [ { "rule": "STEP_TOO_LARGE", "ring": "b", "reason": "a test of durations" } ]
        }
        """;
    Plan plan = Plans.fromJson(json);
    assertThat(plan.rings().get(0).bakeTime()).isEqualTo(Duration.ofMinutes(30));
    assertThat(plan.rings().get(1).bakeTime()).isEqualTo(Duration.ofHours(2));
    assertThat(plan.rollbackTimeout()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void fromJson_fieldProblemAndShrinkingShares_reportsBothTogether() {
    String json = """
        {
          "schemaVersion": 1,
          "name": "p",
          "rings": [
            { "name": "a", "share": 100, "bakeTime": "PT1H", "typo": true },
            { "name": "b", "share": 10, "bakeTime": "PT1H" },
            { "name": "a", "share": 1000, "bakeTime": "PT0S" }
          ]
        }
        """;

    InvalidPlanException e = refused(json);

    assertThat(e.problems()).hasSize(3);
    assertThat(e.problems().get(0)).startsWith("rings[0].typo: unknown field");
    assertThat(e.problems()).contains(
        "rings[1].share: 10 is below rings[0].share 100; shares are cumulative and may not shrink",
        "rings[2].name: 'a' is already used by rings[0]");
  }

  @Test
  void fromJson_onlyShrinkingShares_reportedByThePlanRules() {
    String json = """
        {
          "schemaVersion": 1,
          "name": "p",
          "rings": [
            { "name": "a", "share": 100, "bakeTime": "PT1H" },
            { "name": "b", "share": 99, "bakeTime": "PT0S" }
          ]
        }
        """;

    assertThat(refused(json).problems()).containsExactly(
        "rings[1].share: 99 is below rings[0].share 100; shares are cumulative and may not shrink");
  }

  @Test
  void fromJson_overrideForUnknownRing_refused() {
    String json = MINIMAL.replace("\"rings\"",
        "\"overrides\": [ { \"rule\": \"NO_GATE\", \"ring\": \"nope\", \"reason\": \"a long enough reason\" } ],"
            + " \"rings\"");

    assertThat(refused(json).problems()).containsExactly("overrides[0].ring: 'nope' is not a ring of this plan");
  }

  @Test
  void fromJson_overrideForUnknownRingAndFieldProblem_reportsBothTogether() {
    String json = MINIMAL.replace("\"rings\"",
        "\"typo\": 1, \"overrides\": [ { \"rule\": \"NO_GATE\", \"ring\": \"nope\","
            + " \"reason\": \"a long enough reason\" } ], \"rings\"");

    InvalidPlanException e = refused(json);

    assertThat(e.problems()).anyMatch(p -> p.startsWith("typo: unknown field"));
    assertThat(e.problems()).contains("overrides[0].ring: 'nope' is not a ring of this plan");
  }

  // ------------------------------------------------------------------ strictness

  @Test
  void fromJson_unknownTopLevelField_refusedWithItsPath() {
    String json = MINIMAL.replace("\"name\": \"minimal\"",
        "\"maxNewExposuresPerHours\": 10, \"name\": \"minimal\"");

    assertThat(refused(json).problems()).containsExactly("maxNewExposuresPerHours: unknown field; known fields are"
        + " [freezeWindows, heldTierCanaries, heldTiers, maxNewExposuresPerHour, name, overrides, rings,"
        + " rollbackTimeout, schemaVersion]");
  }

  @Test
  void fromJson_unknownNestedFields_refusedWithTheirPaths() {
    String json = """
        {
          "schemaVersion": 1,
          "name": "p",
          "rings": [
            { "name": "a", "share": 100, "cap": 10, "bakeTime": "PT1H", "bake": "PT2H",
              "selector": [ { "attribute": "os", "op": "in", "values": ["linux"], "negate": true } ],
              "gate": { "type": "time-and-sample", "timeout": "PT1M" } },
            { "name": "b", "share": 1000, "bakeTime": "PT0S" }
          ],
          "freezeWindows": [
            { "from": "2026-12-24T00:00:00Z", "to": "2026-12-27T00:00:00Z", "reason": "holidays", "tz": "UTC" }
          ],
          "overrides": [ { "rule": "NO_GATE", "ring": "b", "reason": "b has no gate on purpose", "by": "me" } ]
        }
        """;

    InvalidPlanException e = refused(json);

    assertThat(e.problems()).extracting(p -> p.substring(0, p.indexOf(": "))).containsExactly(
        "rings[0].bake", "rings[0].selector[0].negate", "rings[0].gate.timeout", "freezeWindows[0].tz",
        "overrides[0].by");
    assertThat(e.problems()).allMatch(p -> p.contains(": unknown field; known fields are ["));
  }

  @Test
  void fromJson_duplicateTopLevelKey_refused() {
    String json = MINIMAL.replace("\"name\": \"minimal\"", "\"name\": \"minimal\", \"name\": \"other\"");

    InvalidPlanException e = refused(json);

    assertThat(e.problems()).singleElement().asString()
        .startsWith("$: not valid JSON at line ").contains("Duplicate field 'name'");
  }

  @Test
  void fromJson_duplicateNestedKey_refused() {
    String json = MINIMAL.replace("\"share\": 10000", "\"share\": 10, \"share\": 10000");

    assertThat(refused(json).problems()).singleElement().asString().contains("Duplicate field 'share'");
  }

  @Test
  void fromJson_malformedJson_refusedWithLineAndColumn() {
    String json = "{\n  \"schemaVersion\": 1\n  \"name\": \"p\"\n}\n";

    InvalidPlanException e = refused(json);

    assertThat(e.problems()).singleElement().asString().startsWith("$: not valid JSON at line 3, column ");
  }

  @Test
  void fromJson_trailingTokens_refused() {
    InvalidPlanException e = refused(MINIMAL + " {}");

    assertThat(e.problems()).singleElement().asString().startsWith("$: not valid JSON at line ")
        .endsWith(": content after the plan object; a file holds one plan");
  }

  @Test
  void malformedJson_isDescribedInPlainWords_withoutTheParsersClassOrFeatureNames() {
    List<String> problems = new ArrayList<>();
    for (String json : List.of("{\"name\": \"p\", \"rings\": [}", "{\"name\": ", MINIMAL + " {}", "{\"name\" 1}",
        MINIMAL.replace("\"name\": \"minimal\"", "\"name\": \"minimal\", \"name\": \"other\""))) {
      problems.addAll(refused(json).problems());
    }
    assertThat(problems).hasSize(5).allSatisfy(problem -> assertThat(problem).startsWith("$: not valid JSON at line ")
        .doesNotContain("`").doesNotContain("Source").doesNotContain("Feature").doesNotContain("jackson"));
    assertThat(problems.get(0)).endsWith(": Unexpected close marker '}': expected ']'");
    assertThat(problems.get(1)).endsWith(": the document ends inside a value: a closing brace, bracket or quote is"
        + " missing");
  }

  @Test
  void fromJson_emptyOrNonObjectDocument_refused() {
    assertThat(refused("").problems()).containsExactly("$: the plan document is empty");
    assertThat(refused("   \n").problems()).containsExactly("$: the plan document is empty");
    assertThat(refused("[]").problems()).containsExactly("$: must be a JSON object, found an array");
    assertThat(refused("null").problems()).containsExactly("$: must be a JSON object, found null");
    assertThat(assertThrows(InvalidPlanException.class, () -> Plans.fromJson((String) null)).problems())
        .containsExactly("$: the plan document is null");
  }

  @Test
  void fromJson_schemaVersion2_refused() {
    String json = MINIMAL.replace("\"schemaVersion\": 1", "\"schemaVersion\": 2");

    assertThat(refused(json).problems())
        .containsExactly("schemaVersion: 2 is not supported; this library reads version 1");
  }

  @Test
  void fromJson_documentAboveMaxBytes_refused() {
    String json = pad(MINIMAL, Plans.MAX_DOCUMENT_BYTES + 1);

    assertThat(refused(json).problems())
        .containsExactly("$: the plan document is larger than " + Plans.MAX_DOCUMENT_BYTES + " bytes");
    InvalidPlanException fromStream = assertThrows(InvalidPlanException.class,
        () -> Plans.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
    assertThat(fromStream.problems()).singleElement().asString().contains("larger than");
  }

  @Test
  void fromJson_documentOfExactlyMaxBytes_accepted() {
    String json = pad(MINIMAL, Plans.MAX_DOCUMENT_BYTES);

    assertThat(Plans.fromJson(json).name()).isEqualTo("minimal");
    assertThat(Plans.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).name())
        .isEqualTo("minimal");
  }

  private static String pad(String json, int bytes) {
    int length = json.getBytes(StandardCharsets.UTF_8).length;
    String padded = json + " ".repeat(bytes - length);
    assertThat(padded.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
    return padded;
  }

  // ------------------------------------------------------------------ ranges and types

  @Test
  void fromJson_minSampleAboveCap_refused() {
    String json = MINIMAL.replace("\"share\": 10000", "\"share\": 10000, \"cap\": 500, \"minSample\": 501");

    assertThat(refused(json).problems()).containsExactly(
        "rings[0].minSample: 501 is above the ring's cap 500; the ring could never pass");
  }

  @Test
  void fromJson_minSampleEqualToCap_accepted() {
    String json = MINIMAL.replace("\"share\": 10000", "\"share\": 10000, \"cap\": 500, \"minSample\": 500");

    Ring ring = Plans.fromJson(json).rings().get(0);

    assertThat(ring.cap()).isEqualTo(500);
    assertThat(ring.minSample()).isEqualTo(500);
  }

  @Test
  void fromJson_outOfRangeAndWrongTypedValues_refusedWithPaths() {
    String json = """
        {
          "schemaVersion": "1",
          "name": 7,
          "rings": [
            { "name": "a", "share": -1, "cap": 0, "bakeTime": "-PT5M", "minSample": -2 },
            { "name": "b", "share": 2.5, "bakeTime": 30 }
          ],
          "maxNewExposuresPerHour": 1000000000001,
          "heldTiers": ["critical", "critical", ""],
          "rollbackTimeout": "PT0S"
        }
        """;

    assertThat(refused(json).problems()).containsExactly(
        "schemaVersion: must be a whole number, found a string",
        "name: must be a string, found the number 7",
        "rings[0].share: -1 is negative; shares are basis points 0..10000",
        "rings[0].cap: 0 is below 1",
        "rings[0].bakeTime: PT-5M is negative",
        "rings[0].minSample: -2 is below 0",
        "rings[1].share: must be a whole number, found the number 2.5",
        "rings[1].bakeTime: must be a string, found the number 30",
        "maxNewExposuresPerHour: 1000000000001 is above 1000000000000",
        "heldTiers[1]: 'critical' is listed twice",
        "heldTiers[2]: must be a non-blank string, found a string",
        "rollbackTimeout: PT0S must be a positive duration such as PT1H");
  }

  @Test
  void fromJson_nullOptionalFields_countAsLeftOut() {
    String json = """
        {
          "schemaVersion": 1, "name": "p",
          "rings": [ { "name": "a", "share": 10, "bakeTime": "PT0S", "selector": null, "cap": null,
                       "minSample": null } ],
          "maxNewExposuresPerHour": null, "freezeWindows": null, "heldTiers": null,
          "rollbackTimeout": null, "overrides": null
        }
        """;

    Plan plan = Plans.fromJson(json);

    assertThat(plan).isEqualTo(Plan.builder("p").ring(Ring.named("a").share(10).gate(null).build()).build());
  }

  @Test
  void fromJson_nullRequiredFieldsAndNullGate_refused() {
    String json = """
        { "schemaVersion": null, "name": "p",
          "rings": [ { "name": null, "share": null, "bakeTime": null, "gate": null } ] }
        """;

    assertThat(refused(json).problems()).containsExactly(
        "schemaVersion: is missing",
        "rings[0].name: is missing",
        "rings[0].share: is missing",
        "rings[0].bakeTime: is missing",
        "rings[0].gate: must be an object such as {\"type\": \"time-and-sample\"}, found null");
  }

  @Test
  void fromJson_wholeNumberWrittenWithFraction_refused() {
    assertThat(refused(MINIMAL.replace("\"share\": 10000", "\"share\": 100.0")).problems())
        .containsExactly("rings[0].share: must be a whole number, found the number 100.0");
  }

  @Test
  void toJson_durationInDays_writtenInHours() {
    Plan plan = Plans.fromJson(MINIMAL.replace("\"PT0S\"", "\"P1D\""));

    assertThat(plan.rings().get(0).bakeTime()).isEqualTo(Duration.ofDays(1));
    assertThat(Plans.toJson(plan)).contains("\"bakeTime\" : \"PT24H\"");
  }

  @Test
  void fromJson_emptyRings_refused() {
    String json = "{ \"schemaVersion\": 1, \"name\": \"p\", \"rings\": [] }";

    assertThat(refused(json).problems()).containsExactly("rings: is empty; a plan needs at least one ring");
  }

  @Test
  void fromJson_unknownAttributeOperatorAndRule_refused() {
    String json = """
        {
          "schemaVersion": 1,
          "name": "p",
          "rings": [
            { "name": "a", "share": 100, "bakeTime": "PT0S",
              "selector": [ { "attribute": "os_build", "op": "IN", "values": ["1", 2] } ] }
          ],
          "overrides": [ { "rule": "no_gate", "ring": "a", "reason": "lower case is not a rule" } ]
        }
        """;

    List<String> problems = refused(json).problems();

    assertThat(problems).hasSize(4);
    assertThat(problems.get(0)).startsWith("rings[0].selector[0].attribute: 'os_build' is not an attribute");
    assertThat(problems.get(1)).startsWith("rings[0].selector[0].op: 'IN' is not an operator");
    assertThat(problems.get(2)).isEqualTo("rings[0].selector[0].values[1]: must be a string, found the number 2");
    assertThat(problems.get(3)).startsWith("overrides[0].rule: 'no_gate' is not a lint rule");
  }

  @Test
  void fromJson_blankFreezeReasonAndBadInstant_refused() {
    String json = MINIMAL.replace("\"rings\"", """
        "freezeWindows": [
          { "from": "2026-12-24", "to": "2026-12-27T00:00:00Z", "reason": "x" },
          { "from": "2026-12-24T00:00:00Z", "to": "2026-12-24T00:00:00Z", "reason": " " }
        ],
        "rings\"""");

    assertThat(refused(json).problems()).containsExactly(
        "freezeWindows[0].from: '2026-12-24' is not an ISO-8601 instant such as 2026-12-24T00:00:00Z",
        "freezeWindows[1].to: 2026-12-24T00:00:00Z is not after from 2026-12-24T00:00:00Z",
        "freezeWindows[1].reason: is blank; say why the window is frozen");
  }

  // ------------------------------------------------------------------ gates

  @Test
  void fromJson_gateParams_roundTripWithTheirTypes() {
    String json = MINIMAL.replace("\"bakeTime\": \"PT0S\"", """
        "bakeTime": "PT0S",
        "gate": { "type": "error-rate", "params": {
          "maxErrorRate": 0.02, "window": 300, "budget": 10000000000, "metric": "crash_rate",
          "strict": true, "regions": ["eu", "us"], "thresholds": { "p95": 1.5, "label": "x" } } }""");

    Plan plan = Plans.fromJson(json);
    GateSpec gate = plan.rings().get(0).gate();

    assertThat(gate).isNotNull();
    assertThat(gate.type()).isEqualTo("error-rate");
    assertThat(gate.params()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "maxErrorRate", 0.02, "window", 300, "budget", 10_000_000_000L, "metric", "crash_rate",
        "strict", true, "regions", List.of("eu", "us"), "thresholds", Map.of("p95", 1.5, "label", "x")));
    String written = Plans.toJson(plan);
    assertThat(Plans.fromJson(written)).isEqualTo(plan);
    assertThat(Plans.toJson(Plans.fromJson(written))).isEqualTo(written);
  }

  @Test
  void fromJson_gateWithBlankTypeOrNullParam_refused() {
    String json = """
        {
          "schemaVersion": 1,
          "name": "p",
          "rings": [
            { "name": "a", "share": 100, "bakeTime": "PT1H", "gate": { "type": " " } },
            { "name": "b", "share": 200, "bakeTime": "PT1H", "gate": { "type": "g", "params": { "x": [1, null] } } },
            { "name": "c", "share": 300, "bakeTime": "PT1H", "gate": "time-and-sample" },
            { "name": "d", "share": 400, "bakeTime": "PT0S", "gate": {} }
          ]
        }
        """;

    assertThat(refused(json).problems()).containsExactly(
        "rings[0].gate.type: is blank; name a registered gate type",
        "rings[1].gate.params: holds a null; leave the parameter out instead",
        "rings[2].gate: must be an object such as {\"type\": \"time-and-sample\"}, found a string",
        "rings[3].gate.type: is missing");
  }

  @Test
  void toJson_planBuiltInCode_readsBackEqual() {
    Plan plan = Plan.builder("built")
        .ring(Ring.named("first").selector(Selector.allOf(Condition.equalTo(Attribute.OS, "windows"),
            Condition.notIn(Attribute.REGION, "cn"))).share(50).cap(100).bakeTime(Duration.ofMinutes(90))
            .minSample(20).build())
        .ring(Ring.named("rest").share(500).bakeTime(Duration.ofMillis(1500)).gate(null).build())
        .maxNewExposuresPerHour(1)
        .freezeWindow(new FreezeWindow(Instant.parse("2027-01-01T00:00:00Z"),
            Instant.parse("2027-01-01T00:00:00.5Z"), "new year"))
        .heldTiers("critical", "vip")
        .rollbackTimeout(Duration.ofDays(2))
        .override(new LintOverride(LintRule.NO_GATE, "rest", "rest is judged by humans"))
        .build();

    String json = Plans.toJson(plan);

    assertThat(Plans.fromJson(json)).isEqualTo(plan);
    assertThat(json).contains("\"bakeTime\" : \"PT1.5S\"", "\"rollbackTimeout\" : \"PT48H\"");
  }

  @Test
  void fromJson_shareAtBounds_acceptedAndJustAbove_refused() {
    assertThat(Plans.fromJson(MINIMAL).rings().get(0).share()).isEqualTo(10000);
    assertThat(Plans.fromJson(MINIMAL.replace("\"share\": 10000", "\"share\": 0")).rings().get(0).share())
        .isZero();
    assertThat(refused(MINIMAL.replace("\"share\": 10000", "\"share\": 10001")).problems())
        .containsExactly("rings[0].share: 10001 is above 10000");
  }
}
