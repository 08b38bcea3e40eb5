package dev.ringfence.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.EnvelopeSignature;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Strict JSON reading and writing of {@link RootDocument}s and {@link TimestampDocument}s: unknown fields,
 * duplicate keys and wrong types are refused with an {@link InvalidInputException} naming the field.
 */
public final class TrustJson {

  private static final DocumentFields READ = new DocumentFields(InvalidInputException::new);
  private static final ObjectMapper MAPPER = DocumentFields.STRICT;
  private static final Set<String> ROOT_FIELDS = Set.of("schemaVersion", "version", "expiresAt", "keys", "roles",
      "revokedKeys", "timestampOptionalChannels", "signatures");
  private static final Set<String> ROLE_NAMES = Set.of("root", "release", "timestamp");
  private static final Set<String> TIMESTAMP_FIELDS = Set.of("schemaVersion", "channel", "serial", "issuedAt",
      "expiresAt", "newestVersion", "newestSha256", "rootVersion", "signatures");
  private static final int MAX_ROOT_BYTES = 256 * 1024;
  private static final int MAX_TIMESTAMP_BYTES = 64 * 1024;

  private TrustJson() {}

  /**
   * @param json UTF-8 JSON
   * @return the root document
   * @throws InvalidInputException naming the bad field
   */
  public static RootDocument parseRoot(byte[] json) {
    JsonNode root = object(json, MAX_ROOT_BYTES, ROOT_FIELDS, "root");
    schema(root, RootDocument.SCHEMA_VERSION);
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    JsonNode keysNode = root.get("keys");
    if (keysNode == null || !keysNode.isObject()) {
      throw new InvalidInputException("keys", "is missing or not an object of key id to Base64 X.509 key");
    }
    for (Map.Entry<String, JsonNode> e : keysNode.properties()) {
      if (!e.getValue().isTextual()) {
        throw new InvalidInputException("keys." + e.getKey(), "is not a Base64 string");
      }
      byte[] x509;
      try {
        x509 = Base64.getDecoder().decode(e.getValue().asText());
      } catch (IllegalArgumentException bad) {
        throw new InvalidInputException("keys." + e.getKey(), "is not valid Base64");
      }
      try {
        keys.put(e.getKey(), TrustStore.ed25519PublicKey(x509));
      } catch (InvalidInputException bad) {
        throw new InvalidInputException("keys." + e.getKey(), "is not an X.509-encoded Ed25519 public key");
      }
    }
    JsonNode roles = root.get("roles");
    if (roles == null || !roles.isObject()) {
      throw new InvalidInputException("roles", "is missing or not an object");
    }
    for (Iterator<String> names = roles.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!ROLE_NAMES.contains(name)) {
        throw new InvalidInputException("roles." + EnvelopeJson.shown(name), "is not a role; expected root,"
            + " release or timestamp");
      }
    }
    RootDocument.Role rootRole = role(roles, "root");
    RootDocument.Role releaseRole = role(roles, "release");
    RootDocument.Role timestampRole = role(roles, "timestamp");
    if (rootRole == null) {
      throw new InvalidInputException("roles.root", "is missing");
    }
    if (releaseRole == null) {
      throw new InvalidInputException("roles.release", "is missing");
    }
    Map<String, String> revoked = new LinkedHashMap<>();
    JsonNode revokedNode = root.get("revokedKeys");
    if (revokedNode != null) {
      if (!revokedNode.isObject()) {
        throw new InvalidInputException("revokedKeys", "is not an object of key id to SHA-256");
      }
      for (Map.Entry<String, JsonNode> e : revokedNode.properties()) {
        if (!e.getValue().isTextual()) {
          throw new InvalidInputException("revokedKeys." + e.getKey(), "is not a string");
        }
        revoked.put(e.getKey(), e.getValue().asText());
      }
    }
    Set<String> optional = new LinkedHashSet<>();
    JsonNode optionalNode = root.get("timestampOptionalChannels");
    if (optionalNode != null) {
      if (!optionalNode.isArray()) {
        throw new InvalidInputException("timestampOptionalChannels", "is not an array of channel names");
      }
      for (JsonNode channel : optionalNode) {
        if (!channel.isTextual() || !optional.add(channel.asText())) {
          throw new InvalidInputException("timestampOptionalChannels", "holds a non-string or a repeat");
        }
      }
    }
    return new RootDocument(READ.number(root, "version"), instant(root, "expiresAt"), keys, rootRole, releaseRole,
        timestampRole, revoked, optional, signatures(root));
  }

  private static RootDocument.@Nullable Role role(JsonNode roles, String name) {
    JsonNode node = roles.get(name);
    if (node == null) {
      return null;
    }
    String field = "roles." + name;
    if (!node.isObject() || node.size() != 2 || !node.path("keyIds").isArray()
        || !node.path("threshold").isIntegralNumber() || !node.path("threshold").canConvertToInt()) {
      throw new InvalidInputException(field, "must be {\"keyIds\": [key id, ...], \"threshold\": integer}");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode id : node.get("keyIds")) {
      if (!id.isTextual()) {
        throw new InvalidInputException(field + ".keyIds", "holds a non-string");
      }
      ids.add(id.asText());
    }
    try {
      return new RootDocument.Role(ids, node.get("threshold").asInt());
    } catch (InvalidInputException e) {
      throw new InvalidInputException(field + "." + e.field(), e.getMessage().substring(e.field().length() + 2));
    }
  }

  /**
   * @param json UTF-8 JSON
   * @return the timestamp document
   * @throws InvalidInputException naming the bad field
   */
  public static TimestampDocument parseTimestamp(byte[] json) {
    JsonNode root = object(json, MAX_TIMESTAMP_BYTES, TIMESTAMP_FIELDS, "timestamp");
    schema(root, TimestampDocument.SCHEMA_VERSION);
    return new TimestampDocument(READ.text(root, "channel"), READ.number(root, "serial"), instant(root, "issuedAt"),
        instant(root, "expiresAt"), READ.number(root, "newestVersion"), READ.text(root, "newestSha256"),
        READ.number(root, "rootVersion"), signatures(root));
  }

  /**
   * Signs bytes with Ed25519 (RFC 8032, pure): what every trust document's {@code signedBy} does.
   *
   * @param privateKey an Ed25519 private key
   * @param bytes the signed bytes
   * @return the 64-byte signature
   * @throws java.security.GeneralSecurityException when the key cannot sign with Ed25519
   */
  public static byte[] ed25519Sign(java.security.PrivateKey privateKey, byte[] bytes)
      throws java.security.GeneralSecurityException {
    java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
    signer.initSign(privateKey);
    signer.update(bytes);
    return signer.sign();
  }

  /**
   * @param doc a root document
   * @return its JSON form
   */
  public static byte[] writeRoot(RootDocument doc) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schemaVersion", RootDocument.SCHEMA_VERSION);
    root.put("version", doc.version());
    root.put("expiresAt", doc.expiresAt().toString());
    ObjectNode keys = root.putObject("keys");
    doc.keys().forEach((id, key) -> keys.put(id, Base64.getEncoder().encodeToString(key.getEncoded())));
    ObjectNode roles = root.putObject("roles");
    writeRole(roles, "root", doc.root());
    writeRole(roles, "release", doc.release());
    if (doc.timestamp() != null) {
      writeRole(roles, "timestamp", doc.timestamp());
    }
    ObjectNode revoked = root.putObject("revokedKeys");
    doc.revokedKeys().forEach(revoked::put);
    ArrayNode optional = root.putArray("timestampOptionalChannels");
    doc.timestampOptionalChannels().forEach(optional::add);
    writeSignatures(root, doc.signatures());
    return bytes(root);
  }

  /**
   * @param doc a timestamp document
   * @return its JSON form
   */
  public static byte[] writeTimestamp(TimestampDocument doc) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schemaVersion", TimestampDocument.SCHEMA_VERSION);
    root.put("channel", doc.channel());
    root.put("serial", doc.serial());
    root.put("issuedAt", doc.issuedAt().toString());
    root.put("expiresAt", doc.expiresAt().toString());
    root.put("newestVersion", doc.newestVersion());
    root.put("newestSha256", doc.newestSha256());
    root.put("rootVersion", doc.rootVersion());
    writeSignatures(root, doc.signatures());
    return bytes(root);
  }

  private static void writeRole(ObjectNode roles, String name, RootDocument.Role role) {
    ObjectNode node = roles.putObject(name);
    ArrayNode ids = node.putArray("keyIds");
    role.keyIds().forEach(ids::add);
    node.put("threshold", role.threshold());
  }

  private static void writeSignatures(ObjectNode root, List<EnvelopeSignature> signatures) {
    ArrayNode sigs = root.putArray("signatures");
    for (EnvelopeSignature sig : signatures) {
      sigs.addObject().put("keyId", sig.keyId()).put("signature", sig.signature());
    }
  }

  private static byte[] bytes(ObjectNode root) {
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: writing a tree to bytes", e);
    }
  }

  private static JsonNode object(byte[] json, int maxBytes, Set<String> fields, String what) {
    if (json.length > maxBytes) {
      throw new InvalidInputException("(document)", what + " document of " + json.length
          + " bytes is above the limit of " + maxBytes);
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException("(document)", what + " document is not valid JSON: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidInputException("(document)", what + " document cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("(document)", what + " document is not a JSON object");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw new InvalidInputException(EnvelopeJson.shown(name), "is not a known field of a " + what
            + " document");
      }
    }
    return root;
  }

  private static void schema(JsonNode root, int expected) {
    long schema = READ.number(root, "schemaVersion");
    if (schema != expected) {
      throw new InvalidInputException("schemaVersion", schema + " is not supported; expected " + expected);
    }
  }

  private static List<EnvelopeSignature> signatures(JsonNode root) {
    JsonNode sigs = root.get("signatures");
    List<EnvelopeSignature> out = new ArrayList<>();
    if (sigs == null) {
      return out;
    }
    if (!sigs.isArray()) {
      throw new InvalidInputException("signatures", "is not an array");
    }
    for (JsonNode sig : sigs) {
      if (!sig.isObject() || sig.size() != 2 || !sig.path("keyId").isTextual() || !sig.path("signature").isTextual()
          || sig.get("keyId").asText().isBlank() || sig.get("signature").asText().isBlank()) {
        throw new InvalidInputException("signatures[]", "each entry must be {\"keyId\": text, \"signature\": text}");
      }
      out.add(new EnvelopeSignature(sig.get("keyId").asText(), sig.get("signature").asText()));
    }
    return out;
  }

  private static Instant instant(JsonNode root, String field) {
    String text = READ.text(root, field);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "'" + text + "' is not an ISO-8601 instant such as 2026-12-01T00:00:00Z");
    }
  }
}
