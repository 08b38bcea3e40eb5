package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.Envelope;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A small client of the update server's admin API, as a publisher or an operator script would use it:
 * enroll endpoints, publish signed releases, create and command rollouts, read their state.
 */
public final class AdminClient {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI base;
  private final String token;
  private final HttpClient client;

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int EXCERPT_CHARS = 160;

  /**
   * The server could not be reached, or did not answer in time. The message names the call and the URL, says why,
   * and whether anything was sent: after a time-out the server may have applied the call.
   */
  public static final class UnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    UnreachableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A refused admin call: the server (or a proxy in front of it) answered with an HTTP error status. */
  public static final class AdminCallException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The HTTP status the server answered with. */
    private final int status;

    AdminCallException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** @return the HTTP status */
    public int status() {
      return status;
    }
  }

  /**
   * @param base the server's base URI, ending with '/'
   * @param tokenFile the admin token file
   * @param client the HTTP client
   * @throws IOException when the token file cannot be read
   */
  public AdminClient(URI base, Path tokenFile, HttpClient client) throws IOException {
    this(base, Files.readString(tokenFile).trim(), client);
  }

  /**
   * @param base the server's base URI, ending with '/'
   * @param token an API token, as {@code POST /admin/v1/tokens} showed it
   * @param client the HTTP client
   */
  public AdminClient(URI base, String token, HttpClient client) {
    this.base = base;
    this.token = token;
    this.client = client;
  }

  /**
   * @param method GET, POST or DELETE
   * @param path a path below the base, without the leading '/'
   * @param body the JSON body, or null
   * @return the response's JSON
   * @throws IOException when the call fails or is refused
   */
  public JsonNode call(String method, String path, JsonNode body) throws IOException {
    URI uri = base.resolve(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)));
    }
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(method + " " + uri + ": interrupted", e);
    } catch (HttpConnectTimeoutException e) {
      throw new UnreachableException(method + " " + uri + ": cannot connect (timed out); nothing was sent", e);
    } catch (HttpTimeoutException e) {
      throw new UnreachableException(method + " " + uri + ": no answer within " + TIMEOUT.toSeconds() + " s; the"
          + " server may have applied the call, so look before repeating it", e);
    } catch (ConnectException e) {
      throw new UnreachableException(method + " " + uri + ": cannot connect ("
          + (e.getMessage() == null ? "connection refused" : e.getMessage().toLowerCase(Locale.ROOT))
          + "); nothing was sent", e);
    } catch (IOException e) {
      throw new UnreachableException(method + " " + uri + ": the connection failed ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
    }
    int status = response.statusCode();
    JsonNode json = json(response.body());
    if (status >= 300) {
      // A proxy or a load balancer in front of the server answers in its own words, often HTML: shown as it came.
      String reason = json != null ? json.path("message").asText(json.toString()) : excerpt(response);
      throw new AdminCallException(status, method + " /" + path + ": HTTP " + status + " " + reason);
    }
    if (json == null) {
      throw new AdminCallException(status, method + " /" + path + ": HTTP " + status + ", but not an update server's"
          + " answer (not JSON): " + excerpt(response));
    }
    return json;
  }

  /** @return the body's JSON (an empty object for no body), or null when it is not JSON */
  private static @Nullable JsonNode json(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /** The start of a body that is not JSON, on one line, with its content type. */
  private static String excerpt(HttpResponse<byte[]> response) {
    String text = new String(response.body(), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    if (text.length() > EXCERPT_CHARS) {
      text = text.substring(0, EXCERPT_CHARS) + "...";
    }
    String type = response.headers().firstValue("Content-Type").orElse("no content type");
    return text.isEmpty() ? "(an empty " + type + " body)" : "(" + type + ") " + text;
  }

  /**
   * @param endpointId the endpoint
   * @param tier its tier
   * @param region its region
   * @return its credentials, shown once
   * @throws IOException when refused
   */
  public EndpointCredentials enroll(String endpointId, String tier, String region) throws IOException {
    ObjectNode body = MAPPER.createObjectNode().put("endpointId", endpointId);
    body.putObject("attributes").put("os", "linux").put("tier", tier).put("region", region);
    JsonNode issued = call("POST", "admin/v1/endpoints", body);
    return new EndpointCredentials(issued.get("endpointId").asText(), issued.get("token").asText(),
        Base64.getDecoder().decode(issued.get("hmacKey").asText()));
  }

  /**
   * @param envelope the signed envelope
   * @param payload the content
   * @param general whether it is the channel's general (first) release
   * @return the server's summary
   * @throws IOException when refused
   */
  public JsonNode publish(Envelope envelope, byte[] payload, boolean general) throws IOException {
    ObjectNode body = MAPPER.createObjectNode();
    body.set("envelope", MAPPER.readTree(envelope.toJson()));
    body.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
    body.put("general", general);
    return call("POST", "admin/v1/channels/" + envelope.channel() + "/releases", body);
  }

  /**
   * @param id the rollout id
   * @param channel the channel
   * @param baseline the baseline version
   * @param candidate the candidate version
   * @param planJson the plan
   * @return the created rollout
   * @throws IOException when refused (lint, conflict, bad plan)
   */
  public JsonNode createRollout(String id, String channel, long baseline, long candidate, String planJson)
      throws IOException {
    ObjectNode body = MAPPER.createObjectNode().put("id", id).put("channel", channel).put("baselineVersion", baseline)
        .put("candidateVersion", candidate);
    body.set("plan", MAPPER.readTree(planJson));
    return call("POST", "admin/v1/rollouts", body);
  }

  /**
   * @param id the rollout
   * @param action start, pause, resume, halt, abort or approve
   * @param reason why (not needed for start)
   * @return the rollout afterwards
   * @throws IOException when refused
   */
  public JsonNode command(String id, String action, String reason) throws IOException {
    ObjectNode body = MAPPER.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return call("POST", "admin/v1/rollouts/" + id + "/" + action, body);
  }

  /**
   * Approves the open ring of a rollout whose ring requires approval.
   *
   * @param id the rollout
   * @param reason why, or null
   * @return the rollout afterwards
   * @throws IOException when refused (409 when there is nothing to approve)
   */
  public JsonNode approve(String id, String reason) throws IOException {
    return command(id, "approve", reason);
  }

  /**
   * Opens the next ring now: once the open ring's gate has passed, or with {@code skipGate} whatever it says.
   *
   * @param id the rollout
   * @param reason why; required when skipping the gate, else may be null
   * @param skipGate whether to open the next ring whatever the gate says
   * @return the rollout afterwards
   * @throws IOException when refused (409 naming the verdict when the gate has not passed)
   */
  public JsonNode promote(String id, String reason, boolean skipGate) throws IOException {
    ObjectNode body = MAPPER.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    if (skipGate) {
      body.put("skipGate", true);
    }
    return call("POST", "admin/v1/rollouts/" + id + "/promote", body);
  }

  /**
   * @param id the rollout
   * @return its detail view
   * @throws IOException when refused
   */
  public JsonNode rollout(String id) throws IOException {
    return call("GET", "admin/v1/rollouts/" + id, null);
  }

  /**
   * @return every enrolled endpoint with what the server saw of it
   * @throws IOException when refused
   */
  public List<JsonNode> endpoints() throws IOException {
    List<JsonNode> out = new java.util.ArrayList<>();
    call("GET", "admin/v1/endpoints", null).get("endpoints").forEach(out::add);
    return out;
  }

  /**
   * Creates a named API token ({@code admin} role needed).
   *
   * @param name its name, recorded as the actor of every call made with it
   * @param role viewer, operator or admin
   * @return the server's answer, with the token in {@code token}: shown this once
   * @throws IOException when refused (a name taken, a bad role)
   */
  public JsonNode createToken(String name, String role) throws IOException {
    return call("POST", "admin/v1/tokens", MAPPER.createObjectNode().put("name", name).put("role", role));
  }

  /**
   * @return every token's name, role, creation, last use and revocation; never a token
   * @throws IOException when refused
   */
  public JsonNode tokens() throws IOException {
    return call("GET", "admin/v1/tokens", null);
  }

  /**
   * Revokes a named token: refused by every replica within a tick.
   *
   * @param name the token's name
   * @return the token as listed afterwards
   * @throws IOException when refused (unknown name, a bootstrap token, revoked already)
   */
  public JsonNode revokeToken(String name) throws IOException {
    return call("DELETE", "admin/v1/tokens/" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8), null);
  }

  /**
   * Pauses every running rollout and refuses new ones until {@link #liftStopAll} ({@code operator} role needed).
   *
   * @param reason why, for every paused rollout's journal
   * @return the stop in force and the rollouts paused
   * @throws IOException when refused
   */
  public JsonNode stopAll(String reason) throws IOException {
    return call("POST", "admin/v1/stop-all", MAPPER.createObjectNode().put("reason", reason));
  }

  /**
   * Lifts stop-all ({@code admin} role needed); paused rollouts stay paused.
   *
   * @param reason why
   * @return the stop lifted and the lift
   * @throws IOException when refused (409 when stop-all is not in force)
   */
  public JsonNode liftStopAll(String reason) throws IOException {
    return call("POST", "admin/v1/stop-all/lift", MAPPER.createObjectNode().put("reason", reason));
  }

  /**
   * The demo's plan: the lab tier first, capped, judged by the health gate (which fails once the crash
   * share of the canary's reports passes 20%, after as many reports as the cap); then everyone. Two lint
   * findings are overridden, each with its written reason.
   *
   * @param canaryCap how many endpoints the canary ring may expose
   * @return the plan as JSON
   */
  public static String labThenEveryonePlan(int canaryCap) {
    return new String("""
        {"schemaVersion":1,"name":"lab-then-everyone","rollbackTimeout":"PT2M",
         "rings":[
           {"name":"canary","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":%d,
            "bakeTime":"PT10M","minSample":1,
            "gate":{"type":"health","params":{"catastropheMinReports":%d,"minCandidateReports":1}}},
           {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"health"}}],
         "overrides":[
           {"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"the canary ring is the lab tier, capped at %d endpoints"},
           {"rule":"SHARE_DOES_NOT_GROW","ring":"everyone","reason":"the canary ring is chosen by tier, not by share"}]}
        """.formatted(canaryCap, canaryCap, canaryCap).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }
}
