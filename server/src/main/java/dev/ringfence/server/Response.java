package dev.ringfence.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler answers: status, content type, body and extra headers.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param body the body, empty for none
 * @param headers extra response headers
 */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

  static Response json(int status, Object value) {
    return json(status, ServerJson.PRETTY, value);
  }

  /** With a writer prepared once for the value's type, for the hot routes. */
  static Response json(int status, ObjectWriter writer, Object value) {
    try {
      return new Response(status, "application/json", writer.writeValueAsBytes(value), new LinkedHashMap<>());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write response JSON: " + e.getMessage(), e);
    }
  }

  static Response text(int status, String contentType, String text) {
    return new Response(status, contentType, text.getBytes(StandardCharsets.UTF_8), new LinkedHashMap<>());
  }

  static Response bytes(String contentType, byte[] body) {
    return new Response(200, contentType, body, new LinkedHashMap<>());
  }

  static Response empty(int status) {
    return new Response(status, "text/plain", new byte[0], new LinkedHashMap<>());
  }

  Response header(String name, String value) {
    headers.put(name, value);
    return this;
  }
}
