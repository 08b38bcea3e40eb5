package dev.ringfence.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The trust-root lifecycle: rotation signed by the old and the new root keys, revocation, and signed
 * freshness; one test per attack (too few old keys, a revoked key, an expired timestamp, a replayed one).
 */
class TrustRootTest {

  private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
  private static final String SHA = "ab".repeat(32);
  private final Map<String, KeyPair> pairs = new HashMap<>();

  private KeyPair key(String id) {
    return pairs.computeIfAbsent(id, k -> {
      try {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** A root with the given roles (2 of the root keys must sign), unsigned. */
  private RootDocument root(long version, List<String> rootKeys, List<String> releaseKeys, String timestampKey,
      Map<String, String> revoked) {
    Map<String, java.security.PublicKey> keys = new TreeMap<>();
    for (String id : concat(rootKeys, releaseKeys, List.of(timestampKey))) {
      keys.put(id, key(id).getPublic());
    }
    return new RootDocument(version, NOW.plus(Duration.ofDays(365)), keys,
        new RootDocument.Role(rootKeys, Math.min(2, rootKeys.size())), new RootDocument.Role(releaseKeys, 1),
        new RootDocument.Role(List.of(timestampKey), 1), revoked, Set.of("legacy"), List.of());
  }

  private static List<String> concat(List<String> a, List<String> b, List<String> c) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all;
  }

  private RootDocument sign(RootDocument doc, String... keyIds) throws GeneralSecurityException {
    RootDocument out = doc;
    for (String id : keyIds) {
      out = out.signedBy(id, key(id).getPrivate());
    }
    return out;
  }

  private RootDocument v1() throws GeneralSecurityException {
    return sign(root(1, List.of("root-a", "root-b", "root-c"), List.of("release-1"), "ts-1", Map.of()),
        "root-a", "root-b");
  }

  private TimestampDocument timestamp(long serial, Instant issued, Duration validity, long rootVersion, String signer)
      throws GeneralSecurityException {
    return new TimestampDocument("rules", serial, issued, issued.plus(validity), 7, SHA, rootVersion, List.of())
        .signedBy(signer, key(signer).getPrivate());
  }

  @Test
  void root_roundTripsThroughJson_andSignsOneLinePerFact() throws Exception {
    RootDocument root = v1();
    RootDocument back = RootDocument.parse(root.toJson());

    assertThat(back).isEqualTo(root);
    String text = new String(root.signedBytes(), StandardCharsets.UTF_8);
    assertThat(text).startsWith("ringfence-root v1\nversion=1\nexpiresAt=2027-12-01T00:00:00Z\nkey=release-1 ")
        .contains("\nrole=root threshold=2 keys=root-a,root-b,root-c\n", "\nrole=release threshold=1 keys=release-1\n",
            "\nrole=timestamp threshold=1 keys=ts-1\n", "\ntimestampOptional=legacy\n")
        .endsWith("\n");
    assertThat(root.requiresTimestamp("rules")).isTrue();
    assertThat(root.requiresTimestamp("legacy")).isFalse();
  }

  @Test
  void root_badDocuments_areRefusedNamingTheField() throws Exception {
    String json = new String(v1().toJson(), StandardCharsets.UTF_8);

    assertThatThrownBy(() -> RootDocument.parse(json.replace("\"version\":1", "\"version\":0").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("version: 0 must be 1 or more");
    assertThatThrownBy(() -> RootDocument.parse(json.replace("\"threshold\":2", "\"threshold\":4").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("roles.root.threshold: 4 must be between 1");
    assertThatThrownBy(() -> RootDocument.parse(json.replace("\"keys\":{", "\"extra\":1,\"keys\":{").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("extra: is not a known field");
    assertThatThrownBy(() -> RootDocument.parse(json.replace("\"keyIds\":[\"ts-1\"]", "\"keyIds\":[\"release-1\"]")
        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("has another role already");
  }

  @Test
  void rotation_signedByOldAndNewThresholds_isTaken_andKeptAcrossRestarts() throws Exception {
    RootDocument v1 = v1();
    RootDocument v2 = sign(root(2, List.of("root-b", "root-c", "root-d"), List.of("release-2"), "ts-1", Map.of()),
        "root-a", "root-b", "root-c");
    MemoryFileOps ops = new MemoryFileOps();
    TrustKeeper keeper = new TrustKeeper(v1, ops, Path.of("agent"));

    boolean changed = keeper.walkRoots(version -> version == 2 ? v2.toJson() : null, Long.MAX_VALUE);

    assertThat(changed).isTrue();
    assertThat(keeper.root().version()).isEqualTo(2);
    assertThat(keeper.releaseKeys().keyIds()).containsExactly("release-2");
    TrustKeeper restarted = new TrustKeeper(v1, ops, Path.of("agent"));
    assertThat(restarted.root().version()).isEqualTo(2);
  }

  @Test
  void attack_rotationSignedByTooFewOldRootKeys_isRefused() throws Exception {
    RootDocument v1 = v1();
    // The attacker holds one stolen root key (root-a) and makes up two new ones: the new threshold is met,
    // the old one (2 of root-a, root-b, root-c) is not.
    RootDocument forged = sign(root(2, List.of("evil-1", "evil-2"), List.of("evil-release"), "ts-1", Map.of()),
        "root-a", "evil-1", "evil-2");
    TrustKeeper keeper = new TrustKeeper(v1, new MemoryFileOps(), Path.of("agent"));

    assertThatThrownBy(() -> keeper.walkRoots(version -> forged.toJson(), Long.MAX_VALUE))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason())
            .isEqualTo(Reason.ROOT_ROTATION_REFUSED))
        .hasMessageContaining("1 valid signature(s) by root v1's root keys, fewer than its threshold 2");
    assertThat(keeper.root().version()).isEqualTo(1);
    assertThat(keeper.releaseKeys().keyIds()).containsExactly("release-1");
  }

  @Test
  void rotation_tooFewNewKeys_skippedVersion_orDroppedRevocation_isRefused() throws Exception {
    RootDocument v1 = v1();
    RootDocument fewNew = sign(root(2, List.of("root-d", "root-e"), List.of("release-1"), "ts-1", Map.of()),
        "root-a", "root-b", "root-d");
    RootDocument skipped = sign(root(3, List.of("root-a", "root-b"), List.of("release-1"), "ts-1", Map.of()),
        "root-a", "root-b");

    assertThatThrownBy(() -> v1.verifySuccessor(fewNew)).hasMessageContaining("by its own root keys, fewer than"
        + " its threshold 2");
    assertThatThrownBy(() -> v1.verifySuccessor(skipped)).hasMessageContaining("version: 3 does not follow");

    String fp = RootDocument.fingerprint(key("release-0").getPublic());
    RootDocument revoking = sign(root(1, List.of("root-a", "root-b"), List.of("release-1"), "ts-1",
        Map.of("release-0", fp)), "root-a", "root-b");
    RootDocument forgetting = sign(root(2, List.of("root-a", "root-b"), List.of("release-1"), "ts-1", Map.of()),
        "root-a", "root-b");
    assertThatThrownBy(() -> revoking.verifySuccessor(forgetting)).hasMessageContaining(
        "revokedKeys: drops the revocation of 'release-0'");
  }

  @Test
  void attack_revokedKeysSignature_isRefusedByName_andCannotReturnUnderANewId() throws Exception {
    RootDocument v1 = v1();
    String fp = RootDocument.fingerprint(key("release-1").getPublic());
    RootDocument v2 = sign(root(2, List.of("root-a", "root-b", "root-c"), List.of("release-2"), "ts-1",
        Map.of("release-1", fp)), "root-a", "root-b");
    v1.verifySuccessor(v2);
    Envelope signedByStolenKey = new Envelope("rules", 8, SHA, 10, NOW.plusSeconds(3600), List.of())
        .withSignature("release-1", sign(key("release-1"), new Envelope("rules", 8, SHA, 10, NOW.plusSeconds(3600),
            List.of()).signedBytes()));

    assertThatThrownBy(() -> v2.releaseKeys().verify(signedByStolenKey, "rules", NOW))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVOKED_KEY))
        .hasMessageContaining("key 'release-1' signing v8 was revoked");
    Map<String, java.security.PublicKey> keys = new TreeMap<>(v2.keys());
    keys.put("release-1b", key("release-1").getPublic());
    assertThatThrownBy(() -> new RootDocument(3, v2.expiresAt(), keys, v2.root(),
        new RootDocument.Role(List.of("release-2", "release-1b"), 1), v2.timestamp(), v2.revokedKeys(), Set.of(),
        List.of())).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("keys.release-1b: is a revoked key under a new id");
  }

  private static byte[] sign(KeyPair pair, byte[] bytes) throws GeneralSecurityException {
    java.security.Signature s = java.security.Signature.getInstance("Ed25519");
    s.initSign(pair.getPrivate());
    s.update(bytes);
    return s.sign();
  }

  @Test
  void attack_expiredTimestamp_isRefusedAsFrozen() throws Exception {
    RootDocument v1 = v1();
    TrustKeeper keeper = new TrustKeeper(v1, new MemoryFileOps(), Path.of("agent"));
    TimestampDocument old = timestamp(5, NOW.minus(Duration.ofHours(2)), Duration.ofHours(1), 1, "ts-1");

    assertThatThrownBy(() -> keeper.acceptTimestamp(old.toJson(), v -> null, "rules", NOW, 3))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason())
            .isEqualTo(Reason.TIMESTAMP_EXPIRED))
        .hasMessageContaining("it is frozen, or a newer release is withheld");
    assertThat(keeper.lastTimestamp()).isNull();
  }

  @Test
  void attack_replayedOlderTimestamp_isRefused_evenAfterARestart() throws Exception {
    RootDocument v1 = v1();
    MemoryFileOps ops = new MemoryFileOps();
    TimestampDocument serial4 = timestamp(4, NOW.minus(Duration.ofMinutes(20)), Duration.ofHours(1), 1, "ts-1");
    TimestampDocument serial5 = timestamp(5, NOW.minus(Duration.ofMinutes(5)), Duration.ofHours(1), 1, "ts-1");
    new TrustKeeper(v1, ops, Path.of("agent")).acceptTimestamp(serial5.toJson(), v -> null, "rules", NOW, 3);

    TrustKeeper restarted = new TrustKeeper(v1, ops, Path.of("agent"));

    assertThat(restarted.lastTimestamp()).isEqualTo(serial5);
    assertThatThrownBy(() -> restarted.acceptTimestamp(serial4.toJson(), v -> null, "rules", NOW, 3))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason())
            .isEqualTo(Reason.TIMESTAMP_REPLAYED))
        .hasMessageContaining("serial: 4 is below 5");
    assertThat(restarted.acceptTimestamp(serial5.toJson(), v -> null, "rules", NOW, 3)).isEqualTo(serial5);
  }

  @Test
  void timestamp_signedByAReleaseKey_forAnotherChannel_orHidingAnAcceptedVersion_isRefused() throws Exception {
    RootDocument v1 = v1();
    TrustKeeper keeper = new TrustKeeper(v1, new MemoryFileOps(), Path.of("agent"));
    TimestampDocument byRelease = timestamp(1, NOW, Duration.ofHours(1), 1, "release-1");
    TimestampDocument other = new TimestampDocument("other", 1, NOW, NOW.plusSeconds(60), 7, SHA, 1, List.of())
        .signedBy("ts-1", key("ts-1").getPrivate());
    TimestampDocument fine = timestamp(1, NOW, Duration.ofHours(1), 1, "ts-1");

    assertThatThrownBy(() -> keeper.acceptTimestamp(byRelease.toJson(), v -> null, "rules", NOW, 3))
        .hasMessageContaining("0 valid signature(s) by root v1's timestamp keys");
    assertThatThrownBy(() -> keeper.acceptTimestamp(other.toJson(), v -> null, "rules", NOW, 3))
        .hasMessageContaining("channel: the timestamp is for 'other'");
    assertThatThrownBy(() -> keeper.acceptTimestamp(fine.toJson(), v -> null, "rules", NOW, 9))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason())
            .isEqualTo(Reason.TIMESTAMP_INVALID))
        .hasMessageContaining("newestVersion: 7 is below v9");
  }

  @Test
  void timestamp_namingANewerRoot_walksToItFirst() throws Exception {
    RootDocument v1 = v1();
    RootDocument v2 = sign(root(2, List.of("root-a", "root-b", "root-c"), List.of("release-1"), "ts-2", Map.of()),
        "root-a", "root-b");
    TrustKeeper keeper = new TrustKeeper(v1, new MemoryFileOps(), Path.of("agent"));
    TimestampDocument byNewKey = timestamp(1, NOW, Duration.ofHours(1), 2, "ts-2");

    TimestampDocument taken = keeper.acceptTimestamp(byNewKey.toJson(), v -> v == 2 ? v2.toJson() : null, "rules",
        NOW, 3);

    assertThat(taken).isEqualTo(byNewKey);
    assertThat(keeper.root().version()).isEqualTo(2);
  }

  @Test
  void expiredRoot_isRefusedUntilANewerOneIsFetched() throws Exception {
    RootDocument v1 = v1();
    TrustKeeper keeper = new TrustKeeper(v1, new MemoryFileOps(), Path.of("agent"));

    assertThatThrownBy(() -> keeper.checkUnexpired(v1.expiresAt()))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ROOT_EXPIRED));
    keeper.checkUnexpired(v1.expiresAt().minusSeconds(1));
  }

  @Test
  void aPublicKeyWithBytesAfterItsEncoding_isRefusedNamingIt_theCanonicalOneIsTaken() throws Exception {
    byte[] canonical = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    assertThat(dev.ringfence.agent.TrustStore.ed25519PublicKey(canonical).getEncoded()).isEqualTo(canonical);
    byte[] padded = java.util.Arrays.copyOf(canonical, canonical.length + 3);
    assertThatThrownBy(() -> dev.ringfence.agent.TrustStore.ed25519PublicKey(padded))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("publicKey"))
        .hasMessageContaining("is 47 bytes, not the 44-byte X.509 encoding");
  }
}
