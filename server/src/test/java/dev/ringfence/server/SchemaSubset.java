package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks JSON against the subset of JSON Schema 2020-12 that {@code docs/protocol/*.schema.json} use. No JSON
 * Schema validator is in the build's offline repository, so this one knows only these keywords and fails on
 * any other, so that a schema cannot grow a rule the tests silently skip.
 */
final class SchemaSubset {

  private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$defs", "title", "description", "format",
      "contentEncoding", "default");

  private final JsonNode root;

  SchemaSubset(JsonNode root) {
    this.root = root;
  }

  /** @return every problem, each naming the JSON path and the keyword; empty when the value conforms */
  List<String> problems(JsonNode value) {
    List<String> out = new ArrayList<>();
    check(root, value, "$", out);
    return out;
  }

  private void check(JsonNode schema, JsonNode value, String path, List<String> out) {
    for (Map.Entry<String, JsonNode> rule : schema.properties()) {
      String keyword = rule.getKey();
      JsonNode arg = rule.getValue();
      switch (keyword) {
        case "$ref" -> check(root.at(arg.asText().substring(1)), value, path, out);
        case "type" -> {
          boolean ok = false;
          for (JsonNode t : arg.isArray() ? arg : List.of(arg)) {
            ok |= isType(value, t.asText());
          }
          add(ok, out, path + ": type is not " + arg);
        }
        case "const" -> add(value.equals(arg), out, path + ": const " + arg);
        case "enum" -> {
          boolean ok = false;
          for (JsonNode e : arg) {
            ok |= value.equals(e);
          }
          add(ok, out, path + ": not in enum " + arg);
        }
        case "pattern" -> add(!value.isTextual() || Pattern.compile(arg.asText()).matcher(value.asText()).find(), out,
            path + ": pattern " + arg.asText());
        case "minLength" -> add(!value.isTextual() || value.asText().length() >= arg.asInt(), out, path + ": minLength");
        case "maxLength" -> add(!value.isTextual() || value.asText().length() <= arg.asInt(), out, path + ": maxLength");
        case "minimum" -> add(!value.isNumber() || value.decimalValue().compareTo(arg.decimalValue()) >= 0, out,
            path + ": minimum " + arg);
        case "maximum" -> add(!value.isNumber() || value.decimalValue().compareTo(arg.decimalValue()) <= 0, out,
            path + ": maximum " + arg);
        case "maxItems" -> add(!value.isArray() || value.size() <= arg.asInt(), out, path + ": maxItems");
        case "items" -> {
          for (int i = 0; value.isArray() && i < value.size(); i++) {
            check(arg, value.get(i), path + "[" + i + "]", out);
          }
        }
        case "required" -> arg.forEach(name -> add(!value.isObject() || value.has(name.asText()), out,
            path + "." + name.asText() + ": required"));
        case "properties" -> arg.properties().forEach(p -> {
          if (value.isObject() && value.has(p.getKey())) {
            check(p.getValue(), value.get(p.getKey()), path + "." + p.getKey(), out);
          }
        });
        case "additionalProperties" -> value.fieldNames().forEachRemaining(name -> {
          if (arg.isObject()) {
            if (!schema.path("properties").has(name)) {
              check(arg, value.get(name), path + "." + name, out);
            }
          } else {
            add(arg.asBoolean() || schema.path("properties").has(name), out, path + "." + name
                + ": additionalProperties");
          }
        });
        case "propertyNames" -> value.fieldNames().forEachRemaining(name -> check(arg,
            com.fasterxml.jackson.databind.node.TextNode.valueOf(name), path + "." + name + " (name)", out));
        case "minItems" -> add(!value.isArray() || value.size() >= arg.asInt(), out, path + ": minItems");
        case "allOf" -> arg.forEach(sub -> check(sub, value, path, out));
        case "oneOf" -> {
          int matches = 0;
          for (JsonNode sub : arg) {
            List<String> inner = new ArrayList<>();
            check(sub, value, path, inner);
            matches += inner.isEmpty() ? 1 : 0;
          }
          add(matches == 1, out, path + ": oneOf matched " + matches);
        }
        default -> {
          if (!ANNOTATIONS.contains(keyword)) {
            throw new IllegalArgumentException("keyword '" + keyword + "' is not in the subset; teach it here");
          }
        }
      }
    }
  }

  private static boolean isType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> throw new IllegalArgumentException("type '" + type + "'");
    };
  }

  private static void add(boolean ok, List<String> out, String problem) {
    if (!ok) {
      out.add(problem);
    }
  }
}
