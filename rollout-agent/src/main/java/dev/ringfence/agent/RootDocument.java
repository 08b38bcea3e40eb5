package dev.ringfence.agent;

import dev.ringfence.agent.internal.TrustJson;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The trust root: which Ed25519 keys may sign what, how many of them must, and which keys are revoked. An
 * agent starts from a root it was given out of band and moves to version {@code n + 1} only when that
 * document is signed by a threshold of version {@code n}'s root keys <em>and</em> a threshold of its own root
 * keys, so one stolen key can neither rotate the root nor sign releases (the rule of TUF's root role).
 *
 * <p>Three roles: {@code root} signs the next root (offline keys); {@code release} signs release envelopes
 * (offline keys); {@code timestamp} signs the short-lived freshness {@link TimestampDocument} (an online key
 * the update server holds). A key has exactly one role. A revoked key is listed by id and by the SHA-256 of
 * its X.509 encoding, may not appear in any role again, and its signatures are refused by name
 * ({@link ContentRefusedException.Reason#REVOKED_KEY}). When the root has a timestamp role every channel
 * requires a fresh timestamp except those listed in {@code timestampOptionalChannels}: new channels are
 * guarded by default, and the list is signed, so a server cannot switch freshness off.
 *
 * <p>JSON form, unknown fields refused (see docs/protocol/trust.md):
 * <pre>{@code
 * {"schemaVersion":1,"version":2,"expiresAt":"2027-12-01T00:00:00Z",
 *  "keys":{"root-1":"<base64 X.509>", ...},
 *  "roles":{"root":{"keyIds":["root-1","root-2"],"threshold":2},"release":{...},"timestamp":{...}},
 *  "revokedKeys":{"release-0":"<sha256 hex>"},"timestampOptionalChannels":[],
 *  "signatures":[{"keyId":"root-1","signature":"<base64>"}]}
 * }</pre>
 *
 * @param version the root's version, 1 or more, growing by exactly one per rotation
 * @param expiresAt after this instant the root is refused until a newer one is fetched
 * @param keys every key a role names, by id (ids are 1 to 64 of {@code A-Z a-z 0-9 . _ -})
 * @param root the keys that sign the next root
 * @param release the keys that sign release envelopes
 * @param timestamp the keys that sign freshness timestamps; null when no channel requires freshness
 * @param revokedKeys revoked key ids and the SHA-256 (hex) of each one's X.509 encoding
 * @param timestampOptionalChannels channels that do not require a timestamp although the root has a timestamp role
 * @param signatures Ed25519 signatures over {@link #signedBytes()}, by old and new root keys
 */
public record RootDocument(long version, Instant expiresAt, Map<String, PublicKey> keys, Role root, Role release,
    @Nullable Role timestamp, Map<String, String> revokedKeys, Set<String> timestampOptionalChannels,
    List<EnvelopeSignature> signatures) implements SignedDocument<RootDocument> {

  /** The JSON schema version written and accepted, and the version in the signed bytes' first line. */
  public static final int SCHEMA_VERSION = 1;

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /**
   * The keys of one role and how many of them must sign.
   *
   * @param keyIds the role's key ids, at least one, no repeats (kept sorted)
   * @param threshold how many distinct keys of the role must sign, 1 to the number of keys
   */
  public record Role(List<String> keyIds, int threshold) {

    /**
     * Checks and sorts.
     *
     * @param keyIds the role's key ids
     * @param threshold how many must sign
     * @throws InvalidInputException naming the field
     */
    public Role {
      if (keyIds == null || keyIds.isEmpty()) {
        throw new InvalidInputException("keyIds", "is empty; a role needs at least one key");
      }
      SortedSet<String> sorted = new TreeSet<>();
      for (String id : keyIds) {
        if (id == null || !sorted.add(id)) {
          throw new InvalidInputException("keyIds", "names '" + id + "' twice or is null");
        }
      }
      if (threshold < 1 || threshold > sorted.size()) {
        throw new InvalidInputException("threshold", threshold + " must be between 1 and the role's "
            + sorted.size() + " key(s)");
      }
      keyIds = List.copyOf(sorted);
    }
  }

  /**
   * Checks every rule in the class description.
   *
   * @param version the root's version
   * @param expiresAt when it expires
   * @param keys the keys by id
   * @param root the root role
   * @param release the release role
   * @param timestamp the timestamp role, or null
   * @param revokedKeys revoked ids and fingerprints
   * @param timestampOptionalChannels channels without the freshness requirement
   * @param signatures the signatures
   * @throws InvalidInputException naming the field and the rule it breaks
   */
  public RootDocument {
    if (version < 1) {
      throw new InvalidInputException("version", version + " must be 1 or more");
    }
    if (expiresAt == null) {
      throw new InvalidInputException("expiresAt", "is missing");
    }
    if (keys == null || keys.isEmpty()) {
      throw new InvalidInputException("keys", "is empty");
    }
    SortedMap<String, PublicKey> sortedKeys = new TreeMap<>();
    for (Map.Entry<String, PublicKey> e : keys.entrySet()) {
      checkKeyId("keys", e.getKey());
      PublicKey key = e.getValue();
      if (key == null || !(key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA"))) {
        throw new InvalidInputException("keys." + e.getKey(), "is not an Ed25519 public key");
      }
      sortedKeys.put(e.getKey(), key);
    }
    if (root == null) {
      throw new InvalidInputException("roles.root", "is missing");
    }
    if (release == null) {
      throw new InvalidInputException("roles.release", "is missing");
    }
    Set<String> used = new HashSet<>();
    checkRole("root", root, sortedKeys, used);
    checkRole("release", release, sortedKeys, used);
    if (timestamp != null) {
      checkRole("timestamp", timestamp, sortedKeys, used);
    }
    for (String id : sortedKeys.keySet()) {
      if (!used.contains(id)) {
        throw new InvalidInputException("keys." + id, "is in no role; remove it or give it one");
      }
    }
    SortedMap<String, String> revoked = new TreeMap<>();
    for (Map.Entry<String, String> e : (revokedKeys == null ? Map.<String, String>of() : revokedKeys).entrySet()) {
      checkKeyId("revokedKeys", e.getKey());
      if (e.getValue() == null || !SHA256.matcher(e.getValue()).matches()) {
        throw new InvalidInputException("revokedKeys." + e.getKey(), "must be the SHA-256 of the key's X.509"
            + " encoding, 64 lowercase hex digits");
      }
      if (sortedKeys.containsKey(e.getKey())) {
        throw new InvalidInputException("revokedKeys." + e.getKey(), "is revoked and may not be in keys");
      }
      revoked.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, PublicKey> e : sortedKeys.entrySet()) {
      if (revoked.containsValue(fingerprint(e.getValue()))) {
        throw new InvalidInputException("keys." + e.getKey(), "is a revoked key under a new id");
      }
    }
    SortedSet<String> optional = new TreeSet<>();
    for (String channel : timestampOptionalChannels == null ? Set.<String>of() : timestampOptionalChannels) {
      if (channel == null || !CHANNEL.matcher(channel).matches()) {
        throw new InvalidInputException("timestampOptionalChannels", "'" + channel + "' is not a channel name");
      }
      optional.add(channel);
    }
    keys = Collections.unmodifiableSortedMap(sortedKeys);
    revokedKeys = Collections.unmodifiableSortedMap(revoked);
    timestampOptionalChannels = Collections.unmodifiableSortedSet(optional);
    signatures = List.copyOf(signatures == null ? List.of() : signatures);
  }

  private static void checkKeyId(String field, String id) {
    if (id == null || !KEY_ID.matcher(id).matches()) {
      throw new InvalidInputException(field, "key id '" + id + "' must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
  }

  private static void checkRole(String name, Role role, Map<String, PublicKey> keys, Set<String> used) {
    for (String id : role.keyIds()) {
      if (!keys.containsKey(id)) {
        throw new InvalidInputException("roles." + name + ".keyIds", "names '" + id + "', which is not in keys");
      }
      if (!used.add(id)) {
        throw new InvalidInputException("roles." + name + ".keyIds", "'" + id + "' has another role already;"
            + " a key has exactly one role, so the online timestamp key can never sign a release");
      }
    }
  }

  /**
   * The exact bytes the signatures cover: one line per fact, in a fixed order, keys and lists sorted (see
   * docs/protocol/signed-bytes.md).
   *
   * @return the UTF-8 bytes to sign or verify
   */
  public byte[] signedBytes() {
    StringBuilder text = new StringBuilder("ringfence-root v" + SCHEMA_VERSION + "\n")
        .append("version=").append(version).append('\n')
        .append("expiresAt=").append(expiresAt).append('\n');
    Base64.Encoder base64 = Base64.getEncoder();
    keys.forEach((id, key) -> text.append("key=").append(id).append(' ')
        .append(base64.encodeToString(key.getEncoded())).append('\n'));
    appendRole(text, "root", root);
    appendRole(text, "release", release);
    if (timestamp != null) {
      appendRole(text, "timestamp", timestamp);
    }
    revokedKeys.forEach((id, sha) -> text.append("revoked=").append(id).append(' ').append(sha).append('\n'));
    timestampOptionalChannels.forEach(c -> text.append("timestampOptional=").append(c).append('\n'));
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendRole(StringBuilder text, String name, Role role) {
    text.append("role=").append(name).append(" threshold=").append(role.threshold()).append(" keys=")
        .append(String.join(",", role.keyIds())).append('\n');
  }

  /**
   * Adds a signature; for the holders of root keys.
   *
   * @param keyId the signing key's id
   * @param signature the Ed25519 signature over {@link #signedBytes()}
   * @return a copy with the signature appended (a repeated key id replaces the earlier signature)
   */
  public RootDocument withSignature(String keyId, byte[] signature) {
    List<EnvelopeSignature> all = new ArrayList<>();
    for (EnvelopeSignature s : signatures) {
      if (!s.keyId().equals(keyId)) {
        all.add(s);
      }
    }
    all.add(new EnvelopeSignature(keyId, Base64.getEncoder().encodeToString(signature)));
    return new RootDocument(version, expiresAt, keys, root, release, timestamp, revokedKeys,
        timestampOptionalChannels, all);
  }

  /**
   * Checks that a threshold of this root's own root keys signed it: what a root given out of band, or read
   * back from disk, must at least be.
   *
   * @throws ContentRefusedException {@link ContentRefusedException.Reason#ROOT_ROTATION_REFUSED} when not
   */
  public void verifySelfSigned() {
    dev.ringfence.agent.internal.TrustMemo.verifySelfSigned(this);
  }

  /**
   * Checks that {@code next} may replace this root: exactly the next version, signed by a threshold of this
   * root's root keys and by a threshold of its own, every revocation kept.
   *
   * @param next the candidate root
   * @throws ContentRefusedException {@link ContentRefusedException.Reason#ROOT_ROTATION_REFUSED} naming what
   *     failed
   */
  public void verifySuccessor(RootDocument next) {
    dev.ringfence.agent.internal.TrustVerifier.verifyNext(this, next);
  }

  /**
   * Checks a timestamp as an agent does: a threshold of this root's timestamp keys signed it, it is for the
   * channel, unexpired, not older than {@code last}, and does not hide a version the endpoint accepted.
   *
   * @param ts the timestamp
   * @param channel the channel
   * @param now the current instant
   * @param last the timestamp accepted before, or null
   * @param highestAccepted the highest version accepted, -1 when none
   * @throws ContentRefusedException with {@link ContentRefusedException.Reason#TIMESTAMP_INVALID},
   *     {@link ContentRefusedException.Reason#TIMESTAMP_EXPIRED} or
   *     {@link ContentRefusedException.Reason#TIMESTAMP_REPLAYED}
   */
  public void verifyTimestamp(TimestampDocument ts, String channel, Instant now, @Nullable TimestampDocument last,
      long highestAccepted) {
    dev.ringfence.agent.internal.TrustVerifier.verifyTimestamp(ts, this, channel, now, last, highestAccepted);
  }

  /**
   * @param channel a channel
   * @return whether an agent on this channel must hold an unexpired timestamp before it accepts anything
   */
  public boolean requiresTimestamp(String channel) {
    return timestamp != null && !timestampOptionalChannels.contains(channel);
  }

  /**
   * The release role as the trust store that envelopes are verified with; revoked ids are named so their
   * signatures are refused as revoked rather than unknown.
   *
   * @return the trust store of the release role; the same instance for equal roots in this JVM, so the
   *     store's memo of verified signatures is shared by every agent that holds the root
   */
  public TrustStore releaseKeys() {
    return dev.ringfence.agent.internal.TrustMemo.releaseKeys(this, root -> {
      TrustStore.Builder builder = TrustStore.builder().threshold(root.release().threshold());
      root.release().keyIds().forEach(id -> builder.key(id, root.keys().get(id)));
      root.revokedKeys().keySet().forEach(builder::revoked);
      return builder.build();
    });
  }

  /**
   * @param role the role's name: {@code root}, {@code release} or {@code timestamp}
   * @return the role's keys by id, empty for a timestamp role the root does not have
   */
  public Map<String, PublicKey> keysOf(String role) {
    Role r = switch (role) {
      case "root" -> root;
      case "release" -> release;
      case "timestamp" -> timestamp;
      default -> throw new IllegalArgumentException("role must be root, release or timestamp, not " + role);
    };
    SortedMap<String, PublicKey> out = new TreeMap<>();
    if (r != null) {
      r.keyIds().forEach(id -> out.put(id, keys.get(id)));
    }
    return out;
  }

  /**
   * Parses the JSON form strictly.
   *
   * @param json UTF-8 JSON, at most 256 KiB
   * @return the root document
   * @throws InvalidInputException naming the field that is missing, unknown or wrong
   */
  public static RootDocument parse(byte[] json) {
    return TrustJson.parseRoot(json);
  }

  /** @return the JSON form, UTF-8, fields in a fixed order */
  public byte[] toJson() {
    return TrustJson.writeRoot(this);
  }

  /**
   * The fingerprint revocations name a key by.
   *
   * @param key a public key
   * @return the SHA-256 of its X.509 encoding, lowercase hex
   */
  public static String fingerprint(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
