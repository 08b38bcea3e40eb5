package dev.ringfence.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Strict reading of JSON request bodies: duplicate keys and unknown fields are refused, and every
 * problem is an {@link HttpError} that names the field by its path.
 */
final class JsonFields {

  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final ObjectNode node;
  private final String path;

  private JsonFields(ObjectNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /**
   * @param body the request body
   * @param known the fields the object may have
   * @return the body's top-level object
   */
  static JsonFields parseObject(byte[] body, Set<String> known) {
    JsonNode tree = parse(body);
    if (!(tree instanceof ObjectNode object)) {
      throw HttpError.badField("$", "must be a JSON object");
    }
    return new JsonFields(object, "").checkKnown(known);
  }

  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw HttpError.badField("$", "the body is empty; send a JSON document");
    }
    try {
      JsonNode tree = MAPPER.readTree(body);
      if (tree == null || tree.isMissingNode()) {
        throw HttpError.badField("$", "the body is empty; send a JSON document");
      }
      return tree;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      throw HttpError.badField("$", "not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw HttpError.badField("$", "cannot be read: " + e.getMessage());
    }
  }

  private String name(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  JsonFields checkKnown(Set<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!known.contains(field)) {
        throw HttpError.badField(name(field), "unknown field; known fields are " + new TreeSet<>(known));
      }
    }
    return this;
  }

  String text(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw HttpError.badField(name(field), "is missing");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw HttpError.badField(name(field), "must be a non-blank string");
    }
    String text = value.asText();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        // It cannot be stored as UTF-8: the journal would keep '?' in its place, a text nobody sent.
        throw HttpError.badField(name(field), String.format("has a lone surrogate \\u%04x at index %d; send"
            + " valid Unicode", (int) c, i));
      }
    }
    return text;
  }

  @Nullable String optionalText(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : text(field);
  }

  long wholeNumber(String field, long min) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw HttpError.badField(name(field), "is missing");
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw HttpError.badField(name(field), "must be a whole number");
    }
    if (value.asLong() < min) {
      throw HttpError.badField(name(field), value.asLong() + " is below " + min);
    }
    return value.asLong();
  }

  boolean flag(String field, boolean otherwise) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isBoolean()) {
      throw HttpError.badField(name(field), "must be true or false");
    }
    return value.asBoolean();
  }

  JsonNode raw(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw HttpError.badField(name(field), "is missing");
    }
    return value;
  }

  @Nullable JsonFields optionalObject(String field, Set<String> known) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!(value instanceof ObjectNode object)) {
      throw HttpError.badField(name(field), "must be an object");
    }
    return new JsonFields(object, name(field)).checkKnown(known);
  }

  List<String> texts(String field) {
    JsonNode value = node.get(field);
    List<String> out = new ArrayList<>();
    if (value == null || value.isNull()) {
      return out;
    }
    if (!value.isArray()) {
      throw HttpError.badField(name(field), "must be an array of strings");
    }
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isTextual() || item.asText().isBlank()) {
        throw HttpError.badField(name(field) + "[" + i + "]", "must be a non-blank string");
      }
      out.add(item.asText());
    }
    return out;
  }
}
