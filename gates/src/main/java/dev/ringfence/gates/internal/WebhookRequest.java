package dev.ringfence.gates.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.gates.WebhookSignature;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One measurement's request to a webhook receiver: the JSON body, made once, and its signature. Every attempt of
 * the measurement sends the same bytes with the same headers, so a receiver can drop a retry it has already
 * answered by its {@link #id()}.
 *
 * <p>Signed as {@link WebhookSignature} says: HMAC-SHA256 of {@code <timestamp> "." <body>}, the scheme the update
 * server's notifications share.
 */
public final class WebhookRequest {

  /** The header with the signature, {@code sha256=<64 lowercase hex digits>}. */
  public static final String SIGNATURE = WebhookSignature.SIGNATURE;
  /** The header with the signed Unix time in seconds: the engine's now when the measurement started. */
  public static final String TIMESTAMP = WebhookSignature.TIMESTAMP;
  /** The header with the measurement's id, the body's {@code id}. */
  public static final String DELIVERY = WebhookSignature.DELIVERY;
  /** The body's {@code schema}. */
  public static final String SCHEMA = "ringfence.webhook-gate.v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String id;
  private final String timestamp;
  private final byte[] body;

  private WebhookRequest(String id, String timestamp, byte[] body) {
    this.id = id;
    this.timestamp = timestamp;
    this.body = body;
  }

  /**
   * Makes the body of one measurement.
   *
   * @param query the rollout, ring and instant
   * @param exposure the exposure counts at the tick that started it, or null when unknown
   * @param metadata the plan's {@code metadata}
   * @return the request
   */
  public static WebhookRequest of(GateQuery query, @Nullable Exposure exposure, Map<String, String> metadata) {
    String id = query.rolloutId() + "/" + query.ringIndex() + "/" + query.at().toEpochMilli();
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("id", id);
    root.put("rollout", query.rolloutId());
    root.put("channel", query.channel());
    ObjectNode ring = root.putObject("ring");
    ring.put("index", query.ringIndex());
    ring.put("name", query.ringName());
    root.put("baseline", query.baselineVersion());
    root.put("candidate", query.candidateVersion());
    root.put("now", query.at().toString());
    if (exposure != null) {
      ObjectNode exposed = root.putObject("exposed");
      exposed.put("ring", exposure.inRing());
      exposed.put("total", exposure.total());
    }
    ObjectNode meta = root.putObject("metadata");
    metadata.forEach(meta::put);
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // cannot happen: a tree of strings and numbers
    }
    return new WebhookRequest(id, Long.toString(Math.floorDiv(query.at().toEpochMilli(), 1000L)), body);
  }

  /** @return the measurement's id: rollout id, ring index and the engine's now in Unix milliseconds, by {@code /} */
  public String id() {
    return id;
  }

  /** @return the {@value #TIMESTAMP} header's value */
  public String timestamp() {
    return timestamp;
  }

  /** @return a copy of the body, UTF-8 JSON */
  public byte[] body() {
    return body.clone();
  }

  /**
   * Signs the request.
   *
   * @param secret the secret's bytes
   * @return the {@value #SIGNATURE} header's value, {@code sha256=<hex>}
   */
  public String signature(byte[] secret) {
    return WebhookSignature.sign(secret, timestamp, body);
  }

  /**
   * HMAC-SHA256 of {@code timestamp "." body}, what a receiver computes to check {@value #SIGNATURE}.
   *
   * @param secret the secret's bytes
   * @param timestamp the {@value #TIMESTAMP} header's value
   * @param body the body as received
   * @return the 32-byte MAC
   */
  public static byte[] hmac(byte[] secret, String timestamp, byte[] body) {
    return WebhookSignature.hmac(secret, timestamp, body);
  }
}
