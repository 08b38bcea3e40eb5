package dev.ringfence.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One request as a handler sees it: path parameters, headers, and the body read under a size limit
 * (a larger body is refused with 413 before it is read in full).
 */
final class Request {

  private final HttpExchange exchange;
  private final Map<String, String> params;
  private final long maxBody;
  private EndpointRegistry.@Nullable Enrollment endpoint;

  Request(HttpExchange exchange, Map<String, String> params, long maxBody) {
    this.exchange = exchange;
    this.params = params;
    this.maxBody = maxBody;
  }

  void authenticated(EndpointRegistry.Enrollment enrollment) {
    this.endpoint = enrollment;
  }

  /** @return the endpoint the route's guard authenticated */
  EndpointRegistry.Enrollment endpoint() {
    if (endpoint == null) {
      throw new IllegalStateException("route has no endpoint guard");
    }
    return endpoint;
  }

  String param(String name) {
    return params.get(name);
  }

  @Nullable String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  String path() {
    return exchange.getRequestURI().getPath();
  }

  String method() {
    return exchange.getRequestMethod();
  }

  String remote() {
    return String.valueOf(exchange.getRemoteAddress());
  }

  /** @return the body, at most the route's limit */
  byte[] body() {
    String length = header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > maxBody) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw new HttpError(400, "bad_request", "Content-Length", "Content-Length: '" + length + "' is not a number");
      }
    }
    // Not closed here: the router reads what is left under the request's deadline.
    try {
      InputStream in = exchange.getRequestBody();
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
      if (body.length > maxBody) {
        throw tooLarge();
      }
      return body;
    } catch (IOException e) {
      throw new HttpError(400, "bad_request", "$", "the body could not be read: " + e.getMessage());
    }
  }

  private HttpError tooLarge() {
    return new HttpError(413, "payload_too_large", "$", "the body is above this route's limit of " + maxBody
        + " bytes; nothing was applied");
  }
}
