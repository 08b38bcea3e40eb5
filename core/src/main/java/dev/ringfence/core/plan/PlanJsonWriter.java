package dev.ringfence.core.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Writes plans in the documented field order; the reader accepts exactly what this writes. */
final class PlanJsonWriter {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PlanJsonWriter() {}

  static String write(Plan plan) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schemaVersion", plan.schemaVersion());
    root.put("name", plan.name());
    ArrayNode rings = root.putArray("rings");
    for (Ring ring : plan.rings()) {
      ObjectNode node = rings.addObject();
      node.put("name", ring.name());
      ArrayNode selector = node.putArray("selector");
      for (Condition condition : ring.selector().conditions()) {
        ObjectNode c = selector.addObject();
        c.put("attribute", condition.attribute().jsonName());
        c.put("op", condition.operator().jsonName());
        ArrayNode values = c.putArray("values");
        condition.values().forEach(values::add);
      }
      node.put("share", ring.share());
      if (ring.hasCap()) {
        node.put("cap", ring.cap());
      }
      node.put("bakeTime", ring.bakeTime().toString());
      node.put("minSample", ring.minSample());
      if (ring.gate() != null) {
        writeGate(node, ring.gate());
      }
    }
    if (plan.hasVelocityLimit()) {
      root.put("maxNewExposuresPerHour", plan.maxNewExposuresPerHour());
    }
    ArrayNode windows = root.putArray("freezeWindows");
    for (FreezeWindow window : plan.freezeWindows()) {
      ObjectNode w = windows.addObject();
      w.put("from", window.from().toString());
      w.put("to", window.to().toString());
      w.put("reason", window.reason());
    }
    ArrayNode tiers = root.putArray("heldTiers");
    new TreeSet<>(plan.heldTiers()).forEach(tiers::add);
    if (!plan.heldTierCanaries().isEmpty()) {
      // Written only when set, so a plan without it writes exactly the text it wrote before held tiers had canaries.
      ObjectNode canaries = root.putObject("heldTierCanaries");
      for (Map.Entry<String, HeldTierCanary> entry : new TreeMap<>(plan.heldTierCanaries()).entrySet()) {
        HeldTierCanary canary = entry.getValue();
        ObjectNode node = canaries.putObject(entry.getKey());
        node.put("share", canary.share());
        if (canary.cap() != null) {
          node.put("cap", canary.cap());
        }
        if (canary.bakeTime() != null) {
          node.put("bakeTime", canary.bakeTime().toString());
        }
        node.put("minSample", canary.minSample());
        if (canary.gate() != null) {
          writeGate(node, canary.gate());
        }
      }
    }
    root.put("rollbackTimeout", plan.rollbackTimeout().toString());
    ArrayNode overrides = root.putArray("overrides");
    for (LintOverride override : plan.overrides()) {
      ObjectNode o = overrides.addObject();
      o.put("rule", override.rule().name());
      o.put("ring", override.ring());
      o.put("reason", override.reason());
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a plan tree could not be written", e);
    }
  }

  private static void writeGate(ObjectNode parent, GateSpec spec) {
    ObjectNode gate = parent.putObject("gate");
    gate.put("type", spec.type());
    if (!spec.params().isEmpty()) {
      gate.set("params", MAPPER.valueToTree(spec.params()));
    }
  }
}
