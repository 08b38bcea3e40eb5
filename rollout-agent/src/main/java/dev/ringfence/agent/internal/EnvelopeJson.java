package dev.ringfence.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.EnvelopeSignature;
import dev.ringfence.agent.MalformedEnvelopeException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Strict JSON reading and writing of {@link Envelope}s: unknown fields and wrong types are refused. */
public final class EnvelopeJson {

  private static final DocumentFields READ = new DocumentFields(MalformedEnvelopeException::new);
  private static final ObjectMapper MAPPER = DocumentFields.STRICT;
  private static final Set<String> FIELDS =
      Set.of("schemaVersion", "channel", "version", "sha256", "size", "expiresAt", "signatures");
  private static final int MAX_BYTES = 64 * 1024;
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private EnvelopeJson() {}

  /**
   * @param json UTF-8 JSON, at most 64 KiB
   * @return the envelope
   */
  public static Envelope parse(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new MalformedEnvelopeException("(document)", json.length + " bytes is above the limit of " + MAX_BYTES);
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException p ? p.getOriginalMessage()
          : e.getMessage();
      throw new MalformedEnvelopeException("(document)", "is not valid JSON: " + reason);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedEnvelopeException("(document)", "is not a JSON object");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new MalformedEnvelopeException(shown(name), "is not a known field; expected one of " + FIELDS);
      }
    }
    long schema = READ.number(root, "schemaVersion");
    if (schema != Envelope.SCHEMA_VERSION) {
      throw new MalformedEnvelopeException("schemaVersion", schema + " is not supported; expected "
          + Envelope.SCHEMA_VERSION);
    }
    Instant expiresAt;
    try {
      expiresAt = Instant.parse(READ.text(root, "expiresAt"));
    } catch (DateTimeParseException e) {
      throw new MalformedEnvelopeException("expiresAt", "'" + root.get("expiresAt").asText()
          + "' is not an ISO-8601 instant such as 2026-12-01T00:00:00Z");
    }
    JsonNode sigs = root.get("signatures");
    List<EnvelopeSignature> signatures = new ArrayList<>();
    if (sigs != null) {
      if (!sigs.isArray()) {
        throw new MalformedEnvelopeException("signatures", "is not an array");
      }
      for (JsonNode sig : sigs) {
        if (!sig.isObject() || sig.size() != 2 || !sig.path("keyId").isTextual() || !sig.path("signature").isTextual()) {
          throw new MalformedEnvelopeException("signatures[]", "each entry must be {\"keyId\": text, \"signature\": text}");
        }
        signatures.add(new EnvelopeSignature(sig.get("keyId").asText(), sig.get("signature").asText()));
      }
    }
    return new Envelope(READ.text(root, "channel"), READ.number(root, "version"), READ.text(root, "sha256"),
        READ.number(root, "size"), expiresAt, signatures);
  }

  /**
   * An unknown field's name as messages show it: as it is when it is a plain word, else JSON-quoted (an empty
   * name, spaces, control characters) and cut to 64 characters, so the message always names something.
   */
  static String shown(String name) {
    if (PLAIN_NAME.matcher(name).matches()) {
      return name;
    }
    String cut = name.length() > 64 ? name.substring(0, 64) + "..." : name;
    try {
      return MAPPER.writeValueAsString(cut);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: writing a string", e);
    }
  }

  /**
   * @param envelope an envelope
   * @return its JSON form, UTF-8
   */
  public static byte[] write(Envelope envelope) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schemaVersion", Envelope.SCHEMA_VERSION);
    root.put("channel", envelope.channel());
    root.put("version", envelope.version());
    root.put("sha256", envelope.sha256());
    root.put("size", envelope.size());
    root.put("expiresAt", envelope.expiresAt().toString());
    ArrayNode sigs = root.putArray("signatures");
    for (EnvelopeSignature sig : envelope.signatures()) {
      sigs.addObject().put("keyId", sig.keyId()).put("signature", sig.signature());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: writing a tree to bytes", e);
    }
  }
}
