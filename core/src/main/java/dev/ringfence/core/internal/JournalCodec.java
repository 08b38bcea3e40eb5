package dev.ringfence.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.LintFinding;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.store.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one wire form of {@link JournalEntry}, shared by every durable store: a JSON object with a
 * format version {@code v}, a {@code type} and the entry's fields. Plans are embedded in their own
 * documented JSON form ({@link Plans#toJson}). Writing then reading gives an equal entry.
 */
public final class JournalCodec {

  /** The format version this library writes; it reads this one and every older one. */
  public static final int FORMAT = 1;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private JournalCodec() {}

  /**
   * Encodes an entry.
   *
   * @param entry the entry
   * @return UTF-8 JSON, one line
   */
  public static byte[] encode(JournalEntry entry) {
    return toTree(entry).toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Encodes an entry as a JSON tree (for export).
   *
   * @param entry the entry
   * @return the tree
   */
  public static ObjectNode toTree(JournalEntry entry) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("v", FORMAT);
    if (entry instanceof JournalEntry.Created) {
      JournalEntry.Created c = (JournalEntry.Created) entry;
      node.put("type", "created");
      common(node, entry);
      RolloutSpec spec = c.spec();
      node.put("channel", spec.channel());
      node.put("baseline", spec.baselineVersion());
      node.put("candidate", spec.candidateVersion());
      node.put("salt", spec.salt());
      node.set("plan", parse(Plans.toJson(spec.plan()).getBytes(StandardCharsets.UTF_8)));
      ArrayNode findings = node.putArray("acceptedLintFindings");
      for (LintFinding f : c.acceptedLintFindings()) {
        ObjectNode o = findings.addObject();
        o.put("rule", f.rule().name());
        o.put("ringIndex", f.ringIndex());
        o.put("ringName", f.ringName());
        o.put("message", f.message());
        if (f.overrideReason() != null) {
          o.put("overrideReason", f.overrideReason());
        }
      }
      if (c.actor() != null) {
        node.put("actor", c.actor()); // left out when unknown, so that older entries encode exactly as written
      }
    } else if (entry instanceof JournalEntry.Transitioned) {
      JournalEntry.Transitioned t = (JournalEntry.Transitioned) entry;
      node.put("type", "transition");
      common(node, entry);
      node.put("sequence", t.sequence());
      node.put("from", t.from().name());
      node.put("to", t.to().name());
      node.put("trigger", t.trigger().name());
      node.put("ringIndex", t.ringIndex());
      node.put("cause", t.cause());
      if (t.verdict() != null) {
        node.set("verdict", verdict(t.verdict()));
      }
    } else if (entry instanceof JournalEntry.Admitted) {
      JournalEntry.Admitted a = (JournalEntry.Admitted) entry;
      node.put("type", "admitted");
      common(node, entry);
      node.put("endpointId", a.endpointId());
      node.put("ringIndex", a.ringIndex());
    } else if (entry instanceof JournalEntry.VerdictRecorded) {
      JournalEntry.VerdictRecorded v = (JournalEntry.VerdictRecorded) entry;
      node.put("type", "verdict");
      common(node, entry);
      node.put("ringIndex", v.ringIndex());
      node.set("verdict", verdict(v.verdict()));
    } else {
      JournalEntry.Reverted r = (JournalEntry.Reverted) entry;
      node.put("type", "reverted");
      common(node, entry);
      node.put("endpointId", r.endpointId());
    }
    return node;
  }

  private static void common(ObjectNode node, JournalEntry entry) {
    node.put("rolloutId", entry.rolloutId());
    node.put("at", entry.at().toString());
  }

  private static ObjectNode verdict(Verdict verdict) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("outcome", verdict.outcome().name());
    node.put("test", verdict.test());
    node.put("reason", verdict.reason());
    ObjectNode evidence = node.putObject("evidence");
    verdict.evidence().forEach(evidence::put);
    return node;
  }

  /**
   * Decodes an entry.
   *
   * @param bytes UTF-8 JSON written by {@link #encode}
   * @return the entry
   * @throws StoreException if the bytes are not a journal entry, or come from a newer format
   */
  public static JournalEntry decode(byte[] bytes) {
    return fromTree(parse(bytes));
  }

  /**
   * Decodes an entry from a tree.
   *
   * @param node the tree
   * @return the entry
   * @throws StoreException if the tree is not a journal entry, or comes from a newer format
   */
  public static JournalEntry fromTree(JsonNode node) {
    try {
      int format = node.path("v").asInt(-1);
      if (format > FORMAT) {
        throw new StoreException("journal record format " + format + " is newer than this library reads (" + FORMAT
            + "); upgrade Ringfence before opening this journal");
      }
      if (format < 1) {
        throw new StoreException("journal record has no format version 'v'; it was not written by Ringfence");
      }
      String rolloutId = text(node, "rolloutId");
      Instant at = Instant.parse(text(node, "at"));
      switch (text(node, "type")) {
        case "created": {
          RolloutSpec spec = new RolloutSpec(rolloutId, text(node, "channel"), node.get("baseline").asLong(),
              node.get("candidate").asLong(), Plans.fromJson(node.get("plan").toString()), node.get("salt").asInt());
          List<LintFinding> findings = new ArrayList<>();
          for (JsonNode f : node.path("acceptedLintFindings")) {
            findings.add(new LintFinding(LintRule.valueOf(text(f, "rule")), f.get("ringIndex").asInt(),
                text(f, "ringName"), text(f, "message"), f.hasNonNull("overrideReason")
                    ? f.get("overrideReason").asText() : null));
          }
          return new JournalEntry.Created(rolloutId, at, spec, findings,
              node.hasNonNull("actor") ? text(node, "actor") : null);
        }
        case "transition":
          return new JournalEntry.Transitioned(rolloutId, node.get("sequence").asLong(), at,
              RolloutState.valueOf(text(node, "from")), RolloutState.valueOf(text(node, "to")),
              Trigger.valueOf(text(node, "trigger")), node.get("ringIndex").asInt(), text(node, "cause"),
              node.hasNonNull("verdict") ? verdict(node.get("verdict")) : null);
        case "admitted":
          return new JournalEntry.Admitted(rolloutId, at, text(node, "endpointId"), node.get("ringIndex").asInt());
        case "verdict":
          return new JournalEntry.VerdictRecorded(rolloutId, at, node.get("ringIndex").asInt(),
              verdict(node.get("verdict")));
        case "reverted":
          return new JournalEntry.Reverted(rolloutId, at, text(node, "endpointId"));
        default:
          throw new StoreException("journal record has an unknown type '" + node.get("type").asText() + "'");
      }
    } catch (StoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StoreException("journal record cannot be read: " + e.getMessage(), e);
    }
  }

  private static Verdict verdict(JsonNode node) {
    Map<String, Double> evidence = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.path("evidence").properties()) {
      evidence.put(e.getKey(), e.getValue().asDouble());
    }
    return new Verdict(Verdict.Outcome.valueOf(text(node, "outcome")), text(node, "test"), text(node, "reason"),
        evidence);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new StoreException("journal record field '" + field + "' is missing or not a string");
    }
    return value.asText();
  }

  static JsonNode parse(byte[] bytes) {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new StoreException("journal record is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new StoreException("journal record is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (java.io.IOException e) {
      throw new StoreException("journal record cannot be read", e);
    }
  }
}
