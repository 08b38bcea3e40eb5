package dev.ringfence.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * The server's one configured Jackson mapper, and the writer its JSON answers go out through.
 *
 * <p>Reading is strict: a duplicate key, an unknown field, trailing content, a null for a primitive, a number
 * given as a string (or a string as a number, a fraction as a whole number, an enum by its ordinal) are all
 * refused. Every string is checked for lone surrogates: UTF-8 cannot carry one, so the journal would keep a
 * '?' in its place, a text nobody sent. {@link JsonBody} turns the refusals into 400s naming the field.
 */
final class ServerJson {

  /** The shared mapper; configured once, thread-safe. */
  static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
          DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
          DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .withCoercionConfigDefaults(c -> c.setAcceptBlankAsEmpty(false)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
      .addModule(new SimpleModule("ringfence-strict-strings").addDeserializer(String.class, new StrictStrings()))
      .build();

  /** Every JSON answer: indented, as clients and the docs have always seen it. */
  static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

  private ServerJson() {}

  /** Strings only from JSON strings, and only valid Unicode. */
  private static final class StrictStrings extends StdScalarDeserializer<String> {

    private static final long serialVersionUID = 1L;

    StrictStrings() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.hasToken(JsonToken.VALUE_STRING)) {
        // Jackson's own String reader would turn 5 or true into "5" or "true".
        return (String) ctxt.handleUnexpectedToken(String.class, p);
      }
      String text = p.getText();
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          throw new JsonRefusals.BadValue(p, String.format("has a lone surrogate \\u%04x at index %d; send valid"
              + " Unicode", (int) c, i));
        }
      }
      return text;
    }
  }
}
