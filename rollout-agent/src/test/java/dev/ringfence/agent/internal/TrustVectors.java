package dev.ringfence.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes {@code docs/protocol/vectors/trust.json}: trust roots with their signed bytes, rotations accepted and
 * refused (one per rule), timestamps accepted and refused (one per rule), and envelopes under a rotated root
 * (a revoked key refused, the new key accepted). Keys come from {@link ProtocolVectors#key}, so another
 * implementation derives them from the same seeds.
 */
final class TrustVectors {

  static final String FILE = "trust.json";
  static final Instant NOW = ProtocolVectors.NOW;
  static final Instant ROOT_EXPIRES = Instant.parse("2027-01-01T00:00:00Z");
  static final List<String> KEY_IDS = List.of("test-root-1", "test-root-2", "test-root-3", "test-root-4",
      "test-release-1", "test-release-3", "test-timestamp-1", "test-untrusted");
  static final String SHA = ProtocolVectors.hex(ProtocolVectors.sha256("rules v7\n".getBytes(StandardCharsets.UTF_8)));

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TrustVectors() {}

  static byte[] file() throws Exception {
    return (JSON.writeValueAsString(trust()) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static PublicKey pub(String id) throws GeneralSecurityException {
    return ProtocolVectors.key(id).publicKey();
  }

  private static RootDocument root(long version, List<String> rootKeys, int rootThreshold, List<String> release,
      List<String> timestamp, Map<String, String> revoked) throws GeneralSecurityException {
    Map<String, PublicKey> keys = new TreeMap<>();
    for (List<String> ids : List.of(rootKeys, release, timestamp)) {
      for (String id : ids) {
        keys.put(id, pub(id));
      }
    }
    return new RootDocument(version, ROOT_EXPIRES, keys, new RootDocument.Role(rootKeys, rootThreshold),
        new RootDocument.Role(release, 1), new RootDocument.Role(timestamp, 1), revoked, Set.of(), List.of());
  }

  private static RootDocument sign(RootDocument doc, String... ids) throws GeneralSecurityException {
    RootDocument out = doc;
    for (String id : ids) {
      out = out.signedBy(id, ProtocolVectors.key(id).privateKey());
    }
    return out;
  }

  /** Root v1: root keys 1-3 (2 must sign), release key 1, timestamp key 1. */
  static RootDocument v1() throws GeneralSecurityException {
    return sign(root(1, List.of("test-root-1", "test-root-2", "test-root-3"), 2, List.of("test-release-1"),
        List.of("test-timestamp-1"), Map.of()), "test-root-1", "test-root-2");
  }

  /** Root v2: release key 1 revoked (stolen), release key 3 added, root key 3 retired for root key 4. */
  static RootDocument v2() throws GeneralSecurityException {
    return sign(root(2, List.of("test-root-1", "test-root-2", "test-root-4"), 2, List.of("test-release-3"),
        List.of("test-timestamp-1"), Map.of("test-release-1", RootDocument.fingerprint(pub("test-release-1")))),
        "test-root-1", "test-root-2", "test-root-4");
  }

  private static ObjectNode trust() throws Exception {
    ObjectNode root = JSON.createObjectNode();
    root.put("warning", "TEST ONLY: these keys are published; never trust them outside tests");
    root.put("now", NOW.toString());
    ArrayNode keys = root.putArray("keys");
    for (String id : KEY_IDS) {
      ProtocolVectors.TestKey k = ProtocolVectors.key(id);
      keys.addObject().put("keyId", id).put("seedHex", ProtocolVectors.hex(k.seed()))
          .put("publicKeyHex", ProtocolVectors.hex(k.rawPublic()))
          .put("publicKeyX509Base64", Base64.getEncoder().encodeToString(k.publicKey().getEncoded()));
    }
    RootDocument v1 = v1();
    RootDocument v2 = v2();
    ArrayNode roots = root.putArray("roots");
    document(roots.addObject().put("name", "v1"), v1.toJson(), v1.signedBytes());
    document(roots.addObject().put("name", "v2"), v2.toJson(), v2.signedBytes());

    ArrayNode rotations = root.putArray("rotations");
    rotation(rotations, "v1_to_v2", "v1", v2, null);
    rotation(rotations, "too_few_old_root_keys", "v1", sign(root(2, List.of("test-root-1", "test-untrusted"), 2,
        List.of("test-release-3"), List.of("test-timestamp-1"), Map.of()), "test-root-1", "test-untrusted"),
        "signatures: 1 valid signature(s) by root v1's root keys");
    rotation(rotations, "too_few_new_root_keys", "v1", sign(root(2, List.of("test-root-1", "test-root-4"), 2,
        List.of("test-release-1"), List.of("test-timestamp-1"), Map.of()), "test-root-1", "test-root-2"),
        "by its own root keys, fewer than its threshold 2");
    rotation(rotations, "skips_a_version", "v1", sign(root(3, List.of("test-root-1", "test-root-2",
        "test-root-3"), 2, List.of("test-release-1"), List.of("test-timestamp-1"), Map.of()), "test-root-1",
        "test-root-2"), "version: 3 does not follow the trusted root v1");
    rotation(rotations, "drops_a_revocation", "v2", sign(root(3, List.of("test-root-1", "test-root-2",
        "test-root-4"), 2, List.of("test-release-3"), List.of("test-timestamp-1"), Map.of()), "test-root-1",
        "test-root-2"), "revokedKeys: drops the revocation of 'test-release-1'");

    ObjectNode agent = root.putObject("timestampAgent");
    agent.put("channel", "rules").put("trustedRoot", "v2").put("highestAccepted", 6).put("lastAcceptedSerial", 5);
    TimestampDocument last = ts("rules", 5, NOW.minus(Duration.ofMinutes(40)), 7, "test-timestamp-1");
    agent.put("lastAcceptedJson", new String(last.toJson(), StandardCharsets.UTF_8));
    ArrayNode timestamps = root.putArray("timestamps");
    timestamp(timestamps, "fresh", ts("rules", 6, NOW.minus(Duration.ofMinutes(10)), 7, "test-timestamp-1"), null);
    timestamp(timestamps, "expired", ts("rules", 6, NOW.minus(Duration.ofHours(2)), 7, "test-timestamp-1"),
        "timestamp_expired");
    timestamp(timestamps, "replayed_older_serial", ts("rules", 4, NOW.minus(Duration.ofMinutes(50)), 7,
        "test-timestamp-1"), "timestamp_replayed");
    timestamp(timestamps, "signed_by_a_release_key", ts("rules", 6, NOW.minus(Duration.ofMinutes(10)), 7,
        "test-release-3"), "timestamp_invalid");
    timestamp(timestamps, "another_channel", ts("other", 6, NOW.minus(Duration.ofMinutes(10)), 7,
        "test-timestamp-1"), "timestamp_invalid");
    timestamp(timestamps, "hides_an_accepted_version", ts("rules", 6, NOW.minus(Duration.ofMinutes(10)), 5,
        "test-timestamp-1"), "timestamp_invalid");

    ArrayNode envelopes = root.putArray("envelopesUnderV2");
    envelope(envelopes, "signed_by_the_new_release_key", "test-release-3", null);
    envelope(envelopes, "signed_by_the_revoked_key", "test-release-1", "revoked_key");
    return root;
  }

  private static TimestampDocument ts(String channel, long serial, Instant issued, long newest, String signer)
      throws GeneralSecurityException {
    return new TimestampDocument(channel, serial, issued, issued.plus(Duration.ofHours(1)), newest, SHA, 2,
        List.of()).signedBy(signer, ProtocolVectors.key(signer).privateKey());
  }

  private static void document(ObjectNode node, byte[] json, byte[] signed) {
    node.put("json", new String(json, StandardCharsets.UTF_8));
    node.put("signedBytes", new String(signed, StandardCharsets.UTF_8));
    node.put("signedBytesSha256", ProtocolVectors.hex(ProtocolVectors.sha256(signed)));
  }

  private static void rotation(ArrayNode list, String name, String from, RootDocument to, String refusal) {
    ObjectNode node = list.addObject().put("name", name).put("from", from);
    document(node, to.toJson(), to.signedBytes());
    result(node, refusal == null ? null : "root_rotation_refused", refusal);
  }

  private static void timestamp(ArrayNode list, String name, TimestampDocument ts, String reason) {
    ObjectNode node = list.addObject().put("name", name);
    document(node, ts.toJson(), ts.signedBytes());
    result(node, reason, null);
  }

  private static void envelope(ArrayNode list, String name, String signer, String reason)
      throws GeneralSecurityException {
    byte[] payload = "rules v7\n".getBytes(StandardCharsets.UTF_8);
    Envelope e = new Envelope("rules", 7, SHA, payload.length, ProtocolVectors.EXPIRES, List.of());
    e = e.withSignature(signer, ProtocolVectors.key(signer).sign(e.signedBytes()));
    ObjectNode node = list.addObject().put("name", name);
    document(node, e.toJson(), e.signedBytes());
    result(node, reason, null);
  }

  private static void result(ObjectNode node, String reason, String detail) {
    if (reason == null) {
      node.put("result", "accepted");
      return;
    }
    node.put("result", "refused");
    node.put("reason", reason);
    if (detail != null) {
      node.put("messageContains", detail);
    }
  }

  static String json(byte[] bytes) throws IOException {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
