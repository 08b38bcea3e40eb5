package dev.ringfence.agent.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.function.BiFunction;

/**
 * Reads the typed fields of a signed document's JSON (envelope, root, timestamp) strictly: a missing field or one of
 * another type is refused with the document's own exception, naming the field.
 */
final class DocumentFields {

  /**
   * How every signed document is parsed (envelopes, roots, timestamps): a repeated key or content after the value is
   * refused, not read one way or another, since parsers in other languages would differ on which value wins.
   */
  static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final BiFunction<String, String, ? extends RuntimeException> refusal;

  /** @param refusal makes the exception for a bad field, from its name and the reason */
  DocumentFields(BiFunction<String, String, ? extends RuntimeException> refusal) {
    this.refusal = refusal;
  }

  String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual()) {
      throw refusal.apply(field, "is missing or not a string");
    }
    return node.asText();
  }

  long number(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
      throw refusal.apply(field, "is missing or not an integer");
    }
    return node.asLong();
  }
}
