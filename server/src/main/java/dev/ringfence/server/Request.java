package dev.ringfence.server;

import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One request as a handler sees it: path parameters, headers, and the body read under a size limit
 * (a larger body is refused with 413 before it is read in full).
 */
final class Request {

  private final org.eclipse.jetty.server.Request request;
  private final InputStream bodyStream;
  private final Map<String, String> params;
  private final long maxBody;
  private final String route;
  private EndpointRegistry.@Nullable Enrollment endpoint;
  private ApiTokens.@Nullable Principal principal;

  /**
   * @param request Jetty's request
   * @param bodyStream its body as a blocking stream (the router reads what is left after the handler)
   * @param params the path parameters
   * @param maxBody the route's body limit
   * @param route the route that matched, as {@code "METHOD /template"}
   */
  Request(org.eclipse.jetty.server.Request request, InputStream bodyStream, Map<String, String> params, long maxBody,
      String route) {
    this.request = request;
    this.route = route;
    this.bodyStream = bodyStream;
    this.params = params;
    this.maxBody = maxBody;
  }

  void authenticated(EndpointRegistry.Enrollment enrollment) {
    this.endpoint = enrollment;
  }

  /** @return the endpoint the route's guard authenticated */
  EndpointRegistry.Enrollment endpoint() {
    checkState(endpoint != null, "route has no endpoint guard");
    return endpoint;
  }

  void authenticated(ApiTokens.Principal caller) {
    this.principal = caller;
  }

  /** @return who called, as the route's admin guard authenticated it */
  ApiTokens.Principal principal() {
    checkState(principal != null, "route has no admin guard");
    return principal;
  }

  /** @return the route that matched, as {@code "METHOD /template"}: a label of bounded cardinality for metrics */
  String route() {
    return route;
  }

  String param(String name) {
    return params.get(name);
  }

  @Nullable String header(String name) {
    return request.getHeaders().get(name);
  }

  String path() {
    return request.getHttpURI().getDecodedPath();
  }

  String method() {
    return request.getMethod();
  }

  String remote() {
    return remote(request);
  }

  static String remote(org.eclipse.jetty.server.Request request) {
    return org.eclipse.jetty.server.Request.getRemoteAddr(request) + ":"
        + org.eclipse.jetty.server.Request.getRemotePort(request);
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
      byte[] body = bodyStream.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
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
