package dev.ringfence.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request the server refuses: an HTTP status, a short machine-readable code, the field at fault (if
 * one is) and a message that says what is wrong and what to do. Rendered as
 * {@code {"error": code, "field": field, "message": message}}.
 */
public final class HttpError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The HTTP status of the response. */
  private final int status;
  /** The short machine-readable error code. */
  private final String code;
  /** The request field at fault, or null if no one field is. */
  private final @Nullable String field;
  /** Extra response headers, such as {@code Retry-After}. */
  private final Map<String, String> headers = new LinkedHashMap<>();

  /**
   * @param status the HTTP status, 4xx or 5xx
   * @param code a short code, e.g. {@code bad_request}
   * @param field the request field at fault, or null
   * @param message what is wrong and what to do
   */
  public HttpError(int status, String code, @Nullable String field, String message) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /**
   * A 400 naming a field.
   *
   * @param field the field
   * @param message why it is refused
   * @return the error
   */
  public static HttpError badField(String field, String message) {
    return new HttpError(400, "bad_request", field, field + ": " + message);
  }

  /**
   * Adds a header to the error's response, e.g. {@code Retry-After}.
   *
   * @param name the header
   * @param value its value, printable ASCII
   * @return this error
   */
  public HttpError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** @return the headers the error's response carries */
  public Map<String, String> headers() {
    return Map.copyOf(headers);
  }

  /** @return the HTTP status */
  public int status() {
    return status;
  }

  /** @return the short code */
  public String code() {
    return code;
  }

  /** @return the field at fault, or null */
  public @Nullable String field() {
    return field;
  }
}
