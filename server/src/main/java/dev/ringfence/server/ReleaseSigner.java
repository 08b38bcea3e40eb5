package dev.ringfence.server;

import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.TrustStore;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Release keys held by the publisher: signs envelopes with every key (Ed25519), and gives agents the
 * matching k-of-n trust store. In production the private keys live in an HSM, not in the demo's heap.
 */
public final class ReleaseSigner {

  private final Map<String, KeyPair> keys = new LinkedHashMap<>();
  private final int threshold;

  /**
   * @param keyIds the release keys to generate
   * @param threshold how many distinct keys an agent requires
   * @throws GeneralSecurityException when the JDK has no Ed25519
   */
  public ReleaseSigner(List<String> keyIds, int threshold) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    for (String id : keyIds) {
      keys.put(id, generator.generateKeyPair());
    }
    this.threshold = threshold;
  }

  /**
   * @param channel the channel
   * @param version the version
   * @param payload the content
   * @param expiresAt the envelope's expiry
   * @return the envelope signed by every key
   * @throws GeneralSecurityException when signing fails
   */
  public Envelope sign(String channel, long version, byte[] payload, Instant expiresAt) throws GeneralSecurityException {
    Map<String, PrivateKey> privateKeys = new LinkedHashMap<>();
    keys.forEach((id, pair) -> privateKeys.put(id, pair.getPrivate()));
    return sign(channel, version, payload, expiresAt, privateKeys);
  }

  /**
   * Signs an envelope with release keys held elsewhere (key files, an HSM's JCA provider).
   *
   * @param channel the channel
   * @param version the version
   * @param payload the content
   * @param expiresAt the envelope's expiry
   * @param privateKeys Ed25519 private keys by key id, each signing once
   * @return the envelope signed by every key
   * @throws GeneralSecurityException when signing fails
   */
  public static Envelope sign(String channel, long version, byte[] payload, Instant expiresAt,
      Map<String, PrivateKey> privateKeys) throws GeneralSecurityException {
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    Envelope envelope = new Envelope(channel, version, sha, payload.length, expiresAt, List.of());
    for (Map.Entry<String, PrivateKey> key : privateKeys.entrySet()) {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(key.getValue());
      signer.update(envelope.signedBytes());
      envelope = envelope.withSignature(key.getKey(), signer.sign());
    }
    return envelope;
  }

  /** @return the trust store agents use: every key, this signer's threshold */
  public TrustStore trustStore() {
    TrustStore.Builder b = TrustStore.builder();
    keys.forEach((id, pair) -> b.key(id, pair.getPublic()));
    return b.threshold(threshold).build();
  }

  /** @return each key id with its X.509-encoded public key, for agents in other processes */
  public Map<String, byte[]> publicKeys() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    keys.forEach((id, pair) -> out.put(id, pair.getPublic().getEncoded()));
    return out;
  }

  /** @return the threshold */
  public int threshold() {
    return threshold;
  }
}
