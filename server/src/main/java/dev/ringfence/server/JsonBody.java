package dev.ringfence.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;

/**
 * Reads one kind of request body strictly through {@link ServerJson#MAPPER}; every refusal is a 400
 * {@link HttpError} naming the field by its path ({@link JsonRefusals}). Prepared once per body type and shared.
 *
 * @param <T> what the body binds to
 */
final class JsonBody<T> {

  private final ObjectReader reader;
  private final String root;

  private JsonBody(ObjectReader reader, String root) {
    this.reader = reader;
    this.root = root;
  }

  /**
   * A body that is a JSON object whose fields are named alone ({@code endpointId}, {@code attributes.tags[1]}).
   *
   * @param type the record it binds to
   * @param <T> the type
   * @return the reader
   */
  static <T> JsonBody<T> of(Class<T> type) {
    return new JsonBody<>(ServerJson.MAPPER.readerFor(type), "");
  }

  /**
   * A body whose paths all start with {@code root}, e.g. {@code signals[3].bootId} for an array.
   *
   * @param type what it binds to
   * @param root its name in paths
   * @param <T> the type
   * @return the reader
   */
  static <T> JsonBody<T> of(TypeReference<T> type, String root) {
    return new JsonBody<>(ServerJson.MAPPER.readerFor(type), root);
  }

  /**
   * @param body the request body, read within the route's size limit
   * @return what it binds to
   * @throws HttpError 400 naming the field at fault
   */
  T read(byte[] body) {
    if (isBlank(body)) {
      throw HttpError.badField("$", "the body is empty; send a JSON document");
    }
    // The parser stays open until the refusal is worded: it names the token found where another was expected.
    try (JsonParser parser = reader.createParser(body)) {
      T value;
      try {
        value = reader.readValue(parser);
      } catch (IOException e) {
        throw JsonRefusals.of(e, root, parser);
      }
      if (value == null) {
        throw HttpError.badField(root.isEmpty() ? "$" : root, "must not be null");
      }
      return value;
    } catch (IOException e) {
      throw JsonRefusals.of(e, root, null);
    }
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
