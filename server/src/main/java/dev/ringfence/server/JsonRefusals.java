package dev.ringfence.server;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.InvalidSignalException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Turns what Jackson throws while binding a request body into a 400 that names the field by its path in the
 * body ({@code attributes.tags[1]}, {@code signals[3].bootId}) and says, in this API's words, what is wrong:
 * never a Java class name, a Jackson feature or a source location.
 */
final class JsonRefusals {

  private JsonRefusals() {}

  /**
   * A value our own deserializers refuse; the message is the reason alone, Jackson adds the path on the way
   * out.
   */
  static final class BadValue extends JsonMappingException {

    private static final long serialVersionUID = 1L;

    BadValue(JsonParser parser, String reason) {
      super(parser, reason);
    }
  }

  /**
   * @param e what Jackson threw
   * @param root the body's name in paths: {@code ""} for an object whose fields are named alone, or a name
   *     such as {@code signals} that every path starts with
   * @param parser the parser that read the body, still open, at the token Jackson stopped on
   * @return the refusal
   */
  static HttpError of(IOException e, String root, @Nullable JsonParser parser) {
    JsonMappingException mapping = e instanceof JsonMappingException m ? m : null;
    String path = path(root, mapping == null ? List.of() : mapping.getPath());
    // A problem of the stream (syntax, a duplicate, a number too large) is wrapped with the path to it when
    // it happened inside a bound object.
    Throwable streaming = e instanceof StreamReadException || e instanceof StreamConstraintsException ? e
        : e.getCause();
    if (e instanceof BadValue) {
      return at(path, ((BadValue) e).getOriginalMessage());
    }
    if (e instanceof ValueInstantiationException) {
      return instantiation(path, e);
    }
    if (streaming instanceof InputCoercionException coercion) {
      return at(path, outOfRange(coercion, parser));
    }
    if (streaming instanceof StreamReadException read && read.getOriginalMessage() != null
        && read.getOriginalMessage().startsWith("Duplicate field '")) {
      return at(parser == null ? path : path(root, parser.getParsingContext()), "appears twice; send each field"
          + " once");
    }
    if (streaming instanceof StreamConstraintsException limits) {
      return at("$", "is beyond this server's JSON limits: " + words(limits.getOriginalMessage()));
    }
    if (streaming instanceof JsonProcessingException syntax && !(streaming instanceof JsonMappingException)) {
      return at("$", "not valid JSON" + where(syntax.getLocation()) + ": " + words(syntax.getOriginalMessage()));
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      return at(path, "unknown field; known fields are " + known(unknown.getKnownPropertyIds()));
    }
    if (e instanceof InvalidTypeIdException typeId) {
      return typeId(path, typeId);
    }
    if (e instanceof InvalidFormatException format) {
      Class<?> type = format.getTargetType();
      if (type != null && type.isEnum()) {
        return at(path, "'" + format.getValue() + "' is not one of " + Arrays.toString(type.getEnumConstants()));
      }
      return at(path, "must be " + expected(type) + ", not " + format.getValue());
    }
    if (e instanceof MismatchedInputException mismatch) {
      if (parser != null && isTrailing(mismatch, parser)) {
        return at("$", "more follows the JSON document" + where(parser.currentTokenLocation()) + "; send one"
            + " document");
      }
      JsonToken found = parser == null ? null : parser.currentToken();
      return at(path, "must be " + expected(mismatch.getTargetType())
          + (found == null ? "" : ", not " + found(found)));
    }
    if (mapping == null) {
      // Not JSON at all, e.g. bytes in no encoding JSON may be in.
      return at("$", "not valid JSON: the bytes are not UTF-8, UTF-16 or UTF-32 text");
    }
    return at(path, "cannot be read");
  }

  /**
   * A refusal of a value the body's own types refuse, e.g. a signal the protocol refuses after binding.
   *
   * @param path where the value is, e.g. {@code signals[3]}
   * @param e the protocol's refusal
   * @return the refusal
   */
  static HttpError of(String path, InvalidSignalException e) {
    return at(join(path, e.field()), reason(e.getMessage(), "signal." + e.field()));
  }

  /** FAIL_ON_TRAILING_TOKENS: the parser stands on (or just inside) a second value at the root. */
  private static boolean isTrailing(MismatchedInputException mismatch, JsonParser parser) {
    JsonStreamContext context = parser.getParsingContext();
    while (context.getParent() != null) {
      context = context.getParent();
    }
    return mismatch.getPath().isEmpty() && context.getCurrentIndex() > 0;
  }

  private static HttpError instantiation(String path, IOException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof InvalidInputException invalid) {
        return at(join(path, invalid.field()), reason(invalid.getMessage(), invalid.field()));
      }
      if (t instanceof InvalidSignalException invalid) {
        return of(path, invalid);
      }
    }
    return at(path, "is not valid");
  }

  private static HttpError typeId(String path, InvalidTypeIdException e) {
    Class<?> base = e.getBaseType() == null ? null : e.getBaseType().getRawClass();
    JsonTypeInfo info = base == null ? null : base.getAnnotation(JsonTypeInfo.class);
    JsonSubTypes subtypes = base == null ? null : base.getAnnotation(JsonSubTypes.class);
    String property = info == null ? "type" : info.property();
    List<String> names = subtypes == null ? List.of()
        : Arrays.stream(subtypes.value()).map(JsonSubTypes.Type::name).toList();
    String field = join(path, property);
    if (e.getTypeId() == null) {
      return at(field, "is missing; one of " + names);
    }
    return at(field, "'" + e.getTypeId() + "' is not one of " + names);
  }

  private static String outOfRange(InputCoercionException e, @Nullable JsonParser parser) {
    Class<?> type = e.getTargetType();
    String number = "the number";
    try {
      if (parser != null && parser.currentToken() != null && parser.currentToken().isNumeric()) {
        number = parser.getText();
      }
    } catch (IOException unreadable) {
      // keep "the number"
    }
    if (type == Integer.TYPE || type == Integer.class) {
      return number + " is out of range; a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
    }
    return number + " is out of range; a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
  }

  private static String where(@Nullable JsonLocation location) {
    return location == null || location.getLineNr() < 1 ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /**
   * Jackson's description of a syntax problem ("Unexpected end-of-input within/between Object entries"),
   * without the clauses that speak of Jackson: features to enable, the source, the start marker's location.
   */
  static String words(@Nullable String message) {
    if (message == null) {
      return "cannot be parsed";
    }
    String text = message.replaceAll(",? from `[^`]*`", "");
    int cut = text.length();
    for (String clause : List.of(": enable", "(not recognized", " (start marker", "[Source", "`", "\n")) {
      int at = text.indexOf(clause);
      if (at >= 0) {
        cut = Math.min(cut, at);
      }
    }
    text = text.substring(0, cut).strip();
    while (!text.isEmpty() && ":;,(".indexOf(text.charAt(text.length() - 1)) >= 0) {
      text = text.substring(0, text.length() - 1).strip();
    }
    if (text.isEmpty()) {
      return "cannot be parsed";
    }
    return Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }

  private static String expected(@Nullable Class<?> type) {
    if (type == null) {
      return "another kind of value";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Long.class || type == Long.TYPE || type == Integer.class || type == Integer.TYPE) {
      return "a whole number";
    }
    if (type == Double.class || type == Double.TYPE) {
      return "a number";
    }
    if (type == Boolean.class || type == Boolean.TYPE) {
      return "true or false";
    }
    if (type.isEnum()) {
      return "one of " + Arrays.toString(type.getEnumConstants());
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (JsonNode.class.isAssignableFrom(type)) {
      return "a JSON value";
    }
    return "an object";
  }

  private static String found(JsonToken token) {
    return switch (token) {
      case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
      case START_ARRAY, END_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "a whole number";
      case VALUE_NUMBER_FLOAT -> "a fraction";
      case VALUE_TRUE, VALUE_FALSE -> "true or false";
      case VALUE_NULL -> "null";
      default -> "something else";
    };
  }

  private static String known(@Nullable Collection<Object> ids) {
    TreeSet<String> names = new TreeSet<>();
    if (ids != null) {
      ids.forEach(id -> names.add(String.valueOf(id)));
    }
    return names.toString();
  }

  /** {@code attributes.tags[1]} from Jackson's references, {@code $} for the body itself. */
  static String path(String root, List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder(root);
    for (JsonMappingException.Reference ref : references) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "$" : path.toString();
  }

  /** The same from the parser's own position, for what it refuses before any binding knows. */
  private static String path(String root, JsonStreamContext context) {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.getCurrentName() != null) {
        parts.push("." + c.getCurrentName());
      }
    }
    StringBuilder path = new StringBuilder(root);
    for (String part : parts) {
      path.append(path.isEmpty() && part.startsWith(".") ? part.substring(1) : part);
    }
    return path.isEmpty() ? "$" : path.toString();
  }

  private static String join(String path, String field) {
    return path.equals("$") || path.isEmpty() ? field : path + "." + field;
  }

  /** The reason of a message that reads "prefix: reason". */
  private static String reason(String message, String prefix) {
    return message.startsWith(prefix + ": ") ? message.substring(prefix.length() + 2) : message;
  }

  private static HttpError at(String field, String reason) {
    return HttpError.badField(field, reason);
  }
}
