package dev.ringfence.core.plan;

import dev.ringfence.core.Durations;
import dev.ringfence.protocol.InvalidInputException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Reads a plan document into a {@link Plan}, collecting every problem with its JSON path before it
 * gives up, so one run of the reader tells an operator everything that is wrong.
 */
final class PlanJsonReader {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final Set<String> PLAN_FIELDS = Set.of("schemaVersion", "name", "rings", "maxNewExposuresPerHour",
      "freezeWindows", "heldTiers", "heldTierCanaries", "rollbackTimeout", "overrides");
  private static final Set<String> RING_FIELDS = Set.of("name", "selector", "share", "cap", "bakeTime",
      "minSample", "gate");
  private static final Set<String> CONDITION_FIELDS = Set.of("attribute", "op", "values");
  private static final Set<String> GATE_FIELDS = Set.of("type", "params");
  private static final Set<String> WINDOW_FIELDS = Set.of("from", "to", "reason");
  private static final Set<String> CANARY_FIELDS = Set.of("share", "cap", "bakeTime", "minSample", "gate");
  private static final Set<String> OVERRIDE_FIELDS = Set.of("rule", "ring", "reason");

  private final List<String> problems = new ArrayList<>();

  private PlanJsonReader() {}

  static Plan read(byte[] document) {
    if (document.length > Plans.MAX_DOCUMENT_BYTES) {
      throw new InvalidPlanException(List.of("$: the plan document is larger than " + Plans.MAX_DOCUMENT_BYTES
          + " bytes"));
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(document);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new InvalidPlanException(List.of("$: not valid JSON" + where + ": "
          + parserWords(e.getOriginalMessage())));
    } catch (IOException e) {
      throw new InvalidPlanException(List.of("$: cannot be read: " + e.getMessage()));
    }
    if (root == null || root.isMissingNode()) {
      throw new InvalidPlanException(List.of("$: the plan document is empty"));
    }
    return new PlanJsonReader().plan(root);
  }

  private Plan plan(JsonNode root) {
    if (!root.isObject()) {
      throw new InvalidPlanException(List.of("$: must be a JSON object, found " + kind(root)));
    }
    unknownFields(root, "", PLAN_FIELDS);
    Integer schemaVersion = integer(root, "", "schemaVersion", true, 0, Integer.MAX_VALUE);
    if (schemaVersion != null && schemaVersion != Plan.SCHEMA_VERSION) {
      problems.add("schemaVersion: " + schemaVersion + " is not supported; this library reads version "
          + Plan.SCHEMA_VERSION);
    }
    String name = text(root, "", "name", true);
    if (name != null && name.isBlank()) {
      problems.add("name: is blank; every plan needs a name");
    }
    List<Ring> rings = new ArrayList<>();
    JsonNode ringsNode = array(root, "", "rings", true);
    if (ringsNode != null) {
      if (ringsNode.isEmpty()) {
        problems.add("rings: is empty; a plan needs at least one ring");
      }
      for (int i = 0; i < ringsNode.size(); i++) {
        Ring ring = ring(ringsNode.get(i), "rings[" + i + "]");
        rings.add(ring);
      }
    }
    Long perHour = longValue(root, "", "maxNewExposuresPerHour", false, 0, PlanChecks.MAX_EXPOSURES_PER_HOUR);
    List<FreezeWindow> windows = new ArrayList<>();
    JsonNode windowsNode = array(root, "", "freezeWindows", false);
    if (windowsNode != null) {
      for (int i = 0; i < windowsNode.size(); i++) {
        windows.add(freezeWindow(windowsNode.get(i), "freezeWindows[" + i + "]"));
      }
    }
    Set<String> heldTiers = new LinkedHashSet<>();
    JsonNode tiersNode = array(root, "", "heldTiers", false);
    if (tiersNode != null) {
      for (int i = 0; i < tiersNode.size(); i++) {
        JsonNode tier = tiersNode.get(i);
        if (!tier.isTextual() || tier.asText().isBlank()) {
          problems.add("heldTiers[" + i + "]: must be a non-blank string, found " + kind(tier));
        } else if (!heldTiers.add(tier.asText())) {
          problems.add("heldTiers[" + i + "]: '" + tier.asText() + "' is listed twice");
        }
      }
    }
    Map<String, HeldTierCanary> canaries = new LinkedHashMap<>();
    JsonNode canariesNode = present(root, "", "heldTierCanaries", false);
    if (canariesNode != null && !canariesNode.isObject()) {
      problems.add("heldTierCanaries: must be an object keyed by held tier, found " + kind(canariesNode));
    } else if (canariesNode != null) {
      for (Map.Entry<String, JsonNode> field : canariesNode.properties()) {
        String path = "heldTierCanaries." + field.getKey();
        if (!heldTiers.contains(field.getKey())) {
          problems.add(path + ": '" + field.getKey() + "' is not in heldTiers " + new java.util.TreeSet<>(heldTiers)
              + "; only a held tier has a canary");
          continue;
        }
        HeldTierCanary canary = heldTierCanary(field.getValue(), path);
        if (canary != null) {
          canaries.put(field.getKey(), canary);
        }
      }
    }
    Duration rollbackTimeout = duration(root, "", "rollbackTimeout", false);
    if (rollbackTimeout != null && (rollbackTimeout.isZero() || rollbackTimeout.isNegative())) {
      problems.add("rollbackTimeout: " + rollbackTimeout + " must be a positive duration such as PT1H");
    }
    List<LintOverride> overrides = new ArrayList<>();
    JsonNode overridesNode = array(root, "", "overrides", false);
    if (overridesNode != null) {
      for (int i = 0; i < overridesNode.size(); i++) {
        overrides.add(override(overridesNode.get(i), "overrides[" + i + "]"));
      }
    }
    if (!problems.isEmpty()) {
      // Report the cross-ring problems of the rings that could be read, in the same exception.
      problems.addAll(PlanChecks.ringOrder(rings, false));
      if (ringsNode != null && rings.stream().allMatch(r -> r != null)) {
        // Only when every ring could be read: a ring lost to a field problem would look like a missing name.
        problems.addAll(PlanChecks.overrideRings(HeldTierRings.names(rings, heldTiers), overrides));
      }
      throw new InvalidPlanException(problems);
    }
    // Every field is well-formed; the cross-field rules run in Plan's constructor.
    return new Plan(schemaVersion, name, rings, perHour == null ? 0 : perHour, windows, heldTiers,
        rollbackTimeout == null ? Plan.DEFAULT_ROLLBACK_TIMEOUT : rollbackTimeout, overrides, canaries);
  }

  private HeldTierCanary heldTierCanary(JsonNode node, String path) {
    if (!object(node, path, " such as {\"cap\": 20, \"bakeTime\": \"30m\"}", CANARY_FIELDS)) {
      return null;
    }
    int before = problems.size();
    Integer share = integer(node, path, "share", false, 1, PlanChecks.MAX_SHARE);
    Long cap = longValue(node, path, "cap", false, 1, Long.MAX_VALUE - 1);
    Duration bakeTime = duration(node, path, "bakeTime", false);
    Integer minSample = integer(node, path, "minSample", false, 0, Integer.MAX_VALUE);
    GateSpec gate = gateField(node, path);
    if (problems.size() > before) {
      return null;
    }
    List<String> found = HeldTierCanary.check(path, share == null ? HeldTierCanary.DEFAULT_SHARE : share, cap,
        bakeTime, minSample == null ? 0 : minSample);
    if (!found.isEmpty()) {
      problems.addAll(found);
      return null;
    }
    return new HeldTierCanary(share == null ? HeldTierCanary.DEFAULT_SHARE : share, cap, bakeTime,
        minSample == null ? 0 : minSample, gate);
  }

  private Ring ring(JsonNode node, String path) {
    if (!object(node, path, "", RING_FIELDS)) {
      return null;
    }
    String name = text(node, path, "name", true);
    Selector selector = Selector.ALL;
    JsonNode selectorNode = array(node, path, "selector", false);
    if (selectorNode != null) {
      List<Condition> conditions = new ArrayList<>();
      for (int i = 0; i < selectorNode.size(); i++) {
        Condition condition = condition(selectorNode.get(i), PlanChecks.at(path, "selector[" + i + "]"));
        if (condition != null) {
          conditions.add(condition);
        }
      }
      selector = new Selector(conditions);
    }
    Integer share = integer(node, path, "share", true, Integer.MIN_VALUE, Integer.MAX_VALUE);
    if (share != null) {
      problems.addAll(PlanChecks.share(path, share));
    }
    Long cap = longValue(node, path, "cap", false, 1, Long.MAX_VALUE - 1);
    Duration bakeTime = duration(node, path, "bakeTime", true);
    if (bakeTime != null && bakeTime.isNegative()) {
      problems.add(PlanChecks.at(path, "bakeTime") + ": " + bakeTime + " is negative");
    }
    Integer minSample = integer(node, path, "minSample", false, 0, Integer.MAX_VALUE);
    if (cap != null && minSample != null && minSample > cap) {
      problems.add(PlanChecks.minSampleAboveCap(path, minSample, cap));
    }
    GateSpec gate = gateField(node, path);
    if (name != null && name.isBlank()) {
      problems.add(PlanChecks.at(path, "name") + ": is blank; every ring needs a name");
    }
    if (name == null || name.isBlank() || share == null || bakeTime == null || bakeTime.isNegative()
        || share < 0 || share > PlanChecks.MAX_SHARE || (node.has("gate") && gate == null)
        || (cap != null && minSample != null && minSample > cap)) {
      return null;
    }
    return new Ring(name, selector, share, cap == null ? Ring.NO_CAP : cap, bakeTime,
        minSample == null ? 0 : minSample, gate);
  }

  private Condition condition(JsonNode node, String path) {
    if (!object(node, path, "", CONDITION_FIELDS)) {
      return null;
    }
    String attributeName = text(node, path, "attribute", true);
    Attribute attribute = attributeName == null ? null : Attribute.fromJsonName(attributeName);
    if (attributeName != null && attribute == null) {
      problems.add(PlanChecks.at(path, "attribute") + ": '" + attributeName
          + "' is not an attribute; use one of os, osBuild, region, tier, tag");
    }
    String opName = text(node, path, "op", true);
    Operator operator = opName == null ? null : Operator.fromJsonName(opName);
    if (opName != null && operator == null) {
      problems.add(PlanChecks.at(path, "op") + ": '" + opName + "' is not an operator; use equals, in or not-in");
    }
    Set<String> values = new LinkedHashSet<>();
    JsonNode valuesNode = array(node, path, "values", true);
    boolean valuesOk = valuesNode != null;
    if (valuesNode != null) {
      for (int i = 0; i < valuesNode.size(); i++) {
        JsonNode value = valuesNode.get(i);
        if (!value.isTextual()) {
          problems.add(PlanChecks.at(path, "values[" + i + "]") + ": must be a string, found " + kind(value));
          valuesOk = false;
        } else {
          values.add(value.asText());
        }
      }
    }
    if (attribute == null || operator == null || !valuesOk) {
      return null;
    }
    List<String> found = PlanChecks.condition(path, attribute, operator, values);
    if (!found.isEmpty()) {
      problems.addAll(found);
      return null;
    }
    return new Condition(attribute, operator, values);
  }

  private GateSpec gate(JsonNode node, String path) {
    if (!object(node, path, " such as {\"type\": \"time-and-sample\"}", GATE_FIELDS)) {
      return null;
    }
    String type = text(node, path, "type", true);
    if (type != null && type.isBlank()) {
      problems.add(PlanChecks.at(path, "type") + ": is blank; name a registered gate type");
      type = null;
    }
    JsonNode paramsNode = node.get("params");
    Map<String, Object> params = Map.of();
    if (paramsNode != null) {
      if (!paramsNode.isObject()) {
        problems.add(PlanChecks.at(path, "params") + ": must be an object, found " + kind(paramsNode));
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> converted = MAPPER.convertValue(paramsNode, Map.class);
      params = converted;
      if (containsNull(paramsNode)) {
        problems.add(PlanChecks.at(path, "params") + ": holds a null; leave the parameter out instead");
        return null;
      }
    }
    return type == null ? null : new GateSpec(type, params);
  }

  private static boolean containsNull(JsonNode node) {
    if (node.isNull()) {
      return true;
    }
    for (JsonNode child : node) {
      if (containsNull(child)) {
        return true;
      }
    }
    return false;
  }

  private FreezeWindow freezeWindow(JsonNode node, String path) {
    if (!object(node, path, "", WINDOW_FIELDS)) {
      return null;
    }
    Instant from = instant(node, path, "from");
    Instant to = instant(node, path, "to");
    String reason = text(node, path, "reason", true);
    List<String> found = PlanChecks.freezeWindow(path, from, to, reason);
    // Missing fields were reported already by instant()/text(); keep only the cross-field problems.
    if (from != null && to != null && reason != null) {
      problems.addAll(found);
      return found.isEmpty() ? new FreezeWindow(from, to, reason) : null;
    }
    return null;
  }

  private LintOverride override(JsonNode node, String path) {
    if (!object(node, path, "", OVERRIDE_FIELDS)) {
      return null;
    }
    String ruleName = text(node, path, "rule", true);
    LintRule rule = null;
    if (ruleName != null) {
      try {
        rule = LintRule.valueOf(ruleName);
      } catch (IllegalArgumentException e) {
        problems.add(PlanChecks.at(path, "rule") + ": '" + ruleName + "' is not a lint rule; use one of "
            + List.of(LintRule.values()));
      }
    }
    String ring = text(node, path, "ring", true);
    String reason = text(node, path, "reason", true);
    if (rule == null || ring == null || reason == null) {
      return null;
    }
    List<String> found = PlanChecks.override(path, rule, ring, reason);
    problems.addAll(found);
    return found.isEmpty() ? new LintOverride(rule, ring, reason) : null;
  }

  /**
   * Whether {@code node} is an object; lists the problem if not (its message shows {@code example}, empty or "
   * such as {...}"), and any field not in {@code known}.
   */
  private boolean object(JsonNode node, String path, String example, Set<String> known) {
    if (!node.isObject()) {
      problems.add(path + ": must be an object" + example + ", found " + kind(node));
      return false;
    }
    unknownFields(node, path, known);
    return true;
  }

  /** The optional {@code gate} of a ring or a held tier's canary: null when it has none, or when it has problems. */
  private GateSpec gateField(JsonNode node, String path) {
    JsonNode gateNode = node.get("gate");
    return gateNode == null ? null : gate(gateNode, PlanChecks.at(path, "gate"));
  }

  private void unknownFields(JsonNode node, String path, Set<String> known) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!known.contains(field)) {
        problems.add(PlanChecks.at(path, field) + ": unknown field; known fields are " + new java.util.TreeSet<>(known));
      }
    }
  }

  private JsonNode present(JsonNode node, String path, String field, boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        problems.add(PlanChecks.at(path, field) + ": is missing");
      }
      return null;
    }
    return value;
  }

  /**
   * The field if it is present and {@code is} accepts it; else null, listing the problem if it is required and
   * missing, or if it is not {@code what} (e.g. "a string").
   */
  private JsonNode typed(JsonNode node, String path, String field, boolean required, Predicate<JsonNode> is,
      String what) {
    JsonNode value = present(node, path, field, required);
    if (value == null) {
      return null;
    }
    if (!is.test(value)) {
      problems.add(PlanChecks.at(path, field) + ": must be " + what + ", found " + kind(value));
      return null;
    }
    return value;
  }

  private String text(JsonNode node, String path, String field, boolean required) {
    JsonNode value = typed(node, path, field, required, JsonNode::isTextual, "a string");
    return value == null ? null : value.asText();
  }

  private JsonNode array(JsonNode node, String path, String field, boolean required) {
    return typed(node, path, field, required, JsonNode::isArray, "an array");
  }

  private Integer integer(JsonNode node, String path, String field, boolean required, int min, int max) {
    Long value = longValue(node, path, field, required, min, max);
    return value == null ? null : value.intValue();
  }

  private Long longValue(JsonNode node, String path, String field, boolean required, long min, long max) {
    JsonNode value = typed(node, path, field, required, v -> v.isIntegralNumber() && v.canConvertToLong(),
        "a whole number");
    if (value == null) {
      return null;
    }
    long number = value.asLong();
    if (number < min) {
      problems.add(PlanChecks.at(path, field) + ": " + number + " is below " + min);
      return null;
    }
    if (number > max) {
      problems.add(PlanChecks.at(path, field) + ": " + number + " is above " + max);
      return null;
    }
    return number;
  }

  private Duration duration(JsonNode node, String path, String field, boolean required) {
    String text = text(node, path, field, required);
    if (text == null) {
      return null;
    }
    try {
      return Durations.parse(PlanChecks.at(path, field), text);
    } catch (InvalidInputException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private Instant instant(JsonNode node, String path, String field) {
    String text = text(node, path, field, true);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      problems.add(PlanChecks.at(path, field) + ": '" + text
          + "' is not an ISO-8601 instant such as 2026-12-24T00:00:00Z");
      return null;
    }
  }

  private static String kind(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "the number " + node.asText();
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    return "null";
  }

  /**
   * The JSON parser's description of what it did not expect, without its own notes: the first line, cut before its
   * source note ({@code (for Array starting at [Source: ...])}), with no back-quoted class or feature names.
   */
  static String parserWords(@Nullable String message) {
    if (message == null) {
      return "cannot be parsed";
    }
    String first = message.split("\n")[0];
    if (first.startsWith("Trailing token")) {
      return "content after the plan object; a file holds one plan";
    }
    if (first.startsWith("Unexpected end-of-input")) {
      return "the document ends inside a value: a closing brace, bracket or quote is missing";
    }
    int note = first.indexOf(" (for ");
    if (note >= 0) {
      first = first.substring(0, note);
    }
    first = first.replaceAll("\\s*`[^`]*`", "").strip();
    return first.isEmpty() ? "cannot be parsed" : first;
  }
}
