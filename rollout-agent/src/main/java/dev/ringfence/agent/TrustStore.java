package dev.ringfence.agent;


import dev.ringfence.agent.internal.EnvelopeVerifier;
import dev.ringfence.protocol.InvalidInputException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Ed25519 public keys this endpoint trusts to sign releases, by key id, and how many distinct keys
 * must sign an envelope (k of n), so that one stolen key is not enough. Immutable.
 */
public final class TrustStore {

  /** How many verified signatures are remembered, least recently used first out. */
  private static final int MEMO_SIZE = 64;

  private final Map<String, PublicKey> keys;
  private final Set<String> revoked;
  private final int threshold;
  /**
   * Signatures that verified, by key id, signature and SHA-256 of the signed bytes: an agent polls the
   * same envelope again and again, and a simulator shares one store among many agents. Only successes are
   * kept, and only for byte-identical input, so a hit gives the answer Ed25519 would give.
   */
  private final Map<String, Boolean> verified = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MEMO_SIZE;
    }
  });

  private TrustStore(Map<String, PublicKey> keys, Set<String> revoked, int threshold) {
    this.keys = Map.copyOf(keys);
    this.revoked = Set.copyOf(revoked);
    this.threshold = threshold;
  }

  /**
   * Whether this exact signature over these exact bytes verified with this key before.
   *
   * @param keyId the key id
   * @param signed the signed bytes
   * @param signature the Base64 signature
   * @return true if it verified before; false means "check it", not "bad"
   */
  public boolean recentlyVerified(String keyId, byte[] signed, String signature) {
    return verified.get(memoKey(keyId, signed, signature)) != null;
  }

  /**
   * Records a signature that verified, for {@link #recentlyVerified}.
   *
   * @param keyId the key id
   * @param signed the signed bytes
   * @param signature the Base64 signature
   */
  public void rememberVerified(String keyId, byte[] signed, String signature) {
    verified.put(memoKey(keyId, signed, signature), Boolean.TRUE);
  }

  private static String memoKey(String keyId, byte[] signed, String signature) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(signed);
      return keyId + '\n' + signature + '\n' + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * Checks that an envelope is authentic for a channel: enough valid signatures by these keys (the
   * threshold), for this channel, not expired at {@code now}. What an agent checks before anything else, for
   * an update server that verifies a release before it publishes it.
   *
   * @param envelope the envelope
   * @param channel the channel it must be for
   * @param now the current instant
   * @throws ContentRefusedException naming what failed, with its {@link ContentRefusedException#reason()}
   */
  public void verify(Envelope envelope, String channel, Instant now) {
    new EnvelopeVerifier(this, channel).verifyAuthentic(envelope, now);
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param keyId a key id
   * @return the key, empty if not trusted
   */
  public Optional<PublicKey> key(String keyId) {
    return Optional.ofNullable(keys.get(keyId));
  }

  /** @return the ids of every trusted key */
  public Set<String> keyIds() {
    return keys.keySet();
  }

  /**
   * @param keyId a key id
   * @return whether the trust root revoked this key id (its signatures are refused as revoked, not unknown)
   */
  public boolean isRevoked(String keyId) {
    return revoked.contains(keyId);
  }

  /** @return how many distinct trusted keys must sign an envelope */
  public int threshold() {
    return threshold;
  }

  /**
   * Decodes an Ed25519 public key from its X.509 (SubjectPublicKeyInfo) encoding, as
   * {@code PublicKey.getEncoded()} returns it.
   *
   * @param x509 the encoded key
   * @return the key
   * @throws InvalidInputException when the bytes are not an Ed25519 public key
   */
  public static PublicKey ed25519PublicKey(byte[] x509) {
    PublicKey key;
    try {
      key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("publicKey", "is not an X.509-encoded Ed25519 public key: " + e.getMessage());
    }
    // The JDK's decoder ignores bytes after the encoding; a signed root names keys by the bytes it carries, so only
    // the one encoding of a key is taken (another reader might read those bytes differently).
    if (!java.util.Arrays.equals(key.getEncoded(), x509)) {
      throw new InvalidInputException("publicKey", "is " + x509.length + " bytes, not the " + key.getEncoded().length
          + "-byte X.509 encoding of an Ed25519 public key (extra or non-canonical bytes)");
    }
    return key;
  }

  /** Builds a {@link TrustStore}; every setter checks its argument at once. */
  public static final class Builder {
    private final Map<String, PublicKey> keys = new LinkedHashMap<>();
    private final Set<String> revoked = new java.util.HashSet<>();
    private int threshold = 1;

    private Builder() {}

    /**
     * @param keyId the id envelopes name the key by
     * @param key an Ed25519 public key
     * @return this builder
     */
    public Builder key(String keyId, PublicKey key) {
      if (keyId == null || keyId.isBlank()) {
        throw new InvalidInputException("keyId", "is null or blank");
      }
      if (key == null || !(key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA"))) {
        throw new InvalidInputException("key", "for keyId '" + keyId + "' must be an Ed25519 public key, got "
            + (key == null ? "null" : key.getAlgorithm()));
      }
      if (keys.putIfAbsent(keyId, key) != null) {
        throw new InvalidInputException("keyId", "'" + keyId + "' is added twice");
      }
      return this;
    }

    /**
     * Names a revoked key id, so that a signature by it is refused as {@link ContentRefusedException.Reason#REVOKED_KEY}.
     *
     * @param keyId the revoked key's id; it may not also be trusted
     * @return this builder
     */
    public Builder revoked(String keyId) {
      if (keyId == null || keyId.isBlank()) {
        throw new InvalidInputException("revoked", "is null or blank");
      }
      revoked.add(keyId);
      return this;
    }

    /**
     * @param k distinct trusted keys that must sign each envelope; at least 1, at most the number of keys
     * @return this builder
     */
    public Builder threshold(int k) {
      if (k < 1) {
        throw new InvalidInputException("threshold", k + " must be at least 1");
      }
      this.threshold = k;
      return this;
    }

    /**
     * @return the trust store
     * @throws InvalidInputException when no key was added or the threshold exceeds the number of keys
     */
    public TrustStore build() {
      if (keys.isEmpty()) {
        throw new InvalidInputException("keys", "is empty; add at least one release key");
      }
      if (threshold > keys.size()) {
        throw new InvalidInputException("threshold", threshold + " is above the " + keys.size()
            + " trusted key(s); no envelope could ever pass");
      }
      for (String id : revoked) {
        if (keys.containsKey(id)) {
          throw new InvalidInputException("revoked", "'" + id + "' is both trusted and revoked");
        }
      }
      return new TrustStore(keys, revoked, threshold);
    }
  }
}
