package dev.ringfence.core.deferral;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import dev.ringfence.core.Durations;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.plan.Attribute;
import dev.ringfence.core.plan.Condition;
import dev.ringfence.core.plan.Operator;
import dev.ringfence.core.plan.Selector;
import dev.ringfence.protocol.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A channel's customer deferrals, in the order they were given. JSON (docs/update-server.md, "Customer
 * deferral"): {@code [{"match": {"tag": "tenant:acme"}, "policy": "n-1"}, {"match": {"region": "eu-west",
 * "tier": ["critical", "hospital"]}, "delay": "PT24H"}]}: {@code match} names endpoint attributes ({@code os},
 * {@code osBuild}, {@code region}, {@code tier}, {@code tag}), each with one value or a list of values (any of
 * them), and every attribute named must match; each entry has either {@code policy: "n-1"} or a {@code delay}.
 *
 * @param entries the entries, in order; empty when nothing is deferred
 */
public record DeferralPolicy(List<Deferral> entries) {

  /** The policy of a channel without deferrals. */
  public static final DeferralPolicy NONE = new DeferralPolicy(List.of());

  /** The most entries one channel may have. */
  public static final int MAX_ENTRIES = 32;

  /** The longest delay an entry may have. */
  public static final Duration MAX_DELAY = Duration.ofDays(90);

  private static final Set<String> ENTRY_FIELDS = Set.of("match", "policy", "delay");
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /**
   * Copies the entries.
   *
   * @param entries the entries, in order
   * @throws NullPointerException if the list or an entry is null
   */
  public DeferralPolicy {
    entries = ImmutableList.copyOf(entries);
  }

  /**
   * Reads the policy's JSON array, strictly.
   *
   * @param json the array, as JSON text
   * @param path its name in messages, e.g. {@code deferrals}
   * @return the policy
   * @throws InvalidInputException naming the field at fault, e.g. {@code deferrals[1].delay}
   */
  public static DeferralPolicy fromJson(String json, String path) {
    JsonNode deferrals;
    try {
      deferrals = MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException(path, "is not well-formed JSON: " + e.getOriginalMessage());
    }
    if (deferrals == null || !deferrals.isArray()) {
      throw new InvalidInputException(path, "must be an array of deferrals (send [] for none)");
    }
    if (deferrals.size() > MAX_ENTRIES) {
      throw new InvalidInputException(path, "has " + deferrals.size() + " entries; at most " + MAX_ENTRIES);
    }
    List<Deferral> entries = new ArrayList<>();
    for (int i = 0; i < deferrals.size(); i++) {
      entries.add(entry(deferrals.get(i), path + "[" + i + "]"));
    }
    return new DeferralPolicy(entries);
  }

  private static Deferral entry(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new InvalidInputException(path, "must be an object with match and policy or delay");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!ENTRY_FIELDS.contains(name)) {
        throw new InvalidInputException(path + "." + name, "unknown field; known fields are [delay, match, policy]");
      }
    }
    JsonNode match = node.get("match");
    if (match == null || match.isNull()) {
      throw new InvalidInputException(path + ".match", "is missing; name the attributes of the endpoints to defer,"
          + " e.g. {\"tag\": \"tenant:acme\"}");
    }
    if (!match.isObject()) {
      throw new InvalidInputException(path + ".match", "must be an object of attributes, e.g. {\"tag\":"
          + " \"tenant:acme\"}");
    }
    if (match.isEmpty()) {
      throw new InvalidInputException(path + ".match", "is empty, which would defer every endpoint; name at least one"
          + " attribute of os, osBuild, region, tier, tag");
    }
    List<Condition> conditions = new ArrayList<>();
    List<String> text = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : match.properties()) {
      String at = path + ".match." + field.getKey();
      Attribute attribute = Attribute.fromJsonName(field.getKey());
      if (attribute == null) {
        throw new InvalidInputException(at, "unknown attribute; known are [os, osBuild, region, tier, tag]");
      }
      Set<String> values = new LinkedHashSet<>();
      JsonNode value = field.getValue();
      if (value.isTextual()) {
        values.add(text(value, at));
      } else if (value.isArray() && !value.isEmpty()) {
        for (int i = 0; i < value.size(); i++) {
          values.add(text(value.get(i), at + "[" + i + "]"));
        }
      } else {
        throw new InvalidInputException(at, "must be a non-blank string or a non-empty list of them");
      }
      conditions.add(values.size() == 1 ? Condition.equalTo(attribute, values.iterator().next())
          : new Condition(attribute, Operator.IN, values));
      text.add(attribute.jsonName() + "=" + String.join("|", values));
    }
    JsonNode policy = node.get("policy");
    JsonNode delay = node.get("delay");
    if ((policy == null) == (delay == null)) {
      throw new InvalidInputException(policy == null ? path : path + ".delay", policy == null
          ? "needs either policy: \"n-1\" or a delay such as \"PT24H\""
          : "give either policy or delay, not both");
    }
    Duration d = null;
    if (policy != null) {
      if (!policy.isTextual() || !policy.asText().equals("n-1")) {
        throw new InvalidInputException(path + ".policy", "'" + policy.asText(policy.toString()) + "' is not a policy;"
            + " the one policy is \"n-1\" (use delay for a wait)");
      }
    } else {
      if (!delay.isTextual()) {
        throw new InvalidInputException(path + ".delay", "must be a duration string such as \"PT24H\" or \"24h\"");
      }
      d = Durations.parse(path + ".delay", delay.asText());
      if (d.isNegative() || d.isZero()) {
        throw new InvalidInputException(path + ".delay", "'" + delay.asText() + "' is not positive; give a wait such as"
            + " \"PT24H\", or leave the entry out");
      }
      if (d.compareTo(MAX_DELAY) > 0) {
        throw new InvalidInputException(path + ".delay", "'" + delay.asText() + "' is above the longest delay, "
            + MAX_DELAY + " (90 days)");
      }
    }
    return new Deferral(new Selector(conditions), String.join(",", text), d);
  }

  private static String text(JsonNode value, String at) {
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidInputException(at, "must be a non-blank string");
    }
    return value.asText();
  }

  /** @return whether the policy has no entries */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The entry that decides for an endpoint: of those that match it, the most conservative ({@code n-1} before any
   * delay, the longest delay before shorter ones, the first of equals).
   *
   * @param endpoint the endpoint's attributes
   * @return the entry's index, or -1 when none matches
   */
  public int effective(EndpointAttributes endpoint) {
    int best = -1;
    List<Deferral> list = entries;
    for (int i = 0, n = list.size(); i < n; i++) {
      Deferral d = list.get(i);
      if (d.matches(endpoint) && (best < 0 || d.moreConservativeThan(list.get(best)))) {
        best = i;
      }
    }
    return best;
  }

  /** @return the policy as its JSON array, in the form {@link #fromJson} reads */
  public String toJson() {
    ArrayNode array = MAPPER.createArrayNode();
    for (Deferral d : entries) {
      array.add(node(d));
    }
    return array.toString();
  }

  /**
   * @param d an entry
   * @return the entry as a JSON object, in the form {@link #fromJson} reads in an array
   */
  public static String toJson(Deferral d) {
    return node(Objects.requireNonNull(d, "d")).toString();
  }

  private static ObjectNode node(Deferral d) {
    ObjectNode entry = MAPPER.createObjectNode();
    ObjectNode match = entry.putObject("match");
    for (Condition c : d.match().conditions()) {
      if (c.values().size() == 1) {
        match.put(c.attribute().jsonName(), c.values().iterator().next());
      } else {
        ArrayNode values = match.putArray(c.attribute().jsonName());
        c.values().forEach(values::add);
      }
    }
    if (d.delay() == null) {
      entry.put("policy", "n-1");
    } else {
      entry.put("delay", d.delay().toString());
    }
    return entry;
  }
}
