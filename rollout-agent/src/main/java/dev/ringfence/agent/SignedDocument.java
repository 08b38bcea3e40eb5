package dev.ringfence.agent;

import dev.ringfence.agent.internal.TrustJson;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;

/**
 * A trust document the publisher signs with Ed25519 keys ({@link RootDocument}, {@link TimestampDocument}): fixed
 * signed bytes, and copies that carry one more signature.
 *
 * @param <D> the document's own type
 */
public interface SignedDocument<D extends SignedDocument<D>> {

  /**
   * The exact bytes the signatures cover (see docs/protocol/signed-bytes.md).
   *
   * @return the UTF-8 bytes to sign or verify
   */
  byte[] signedBytes();

  /**
   * Adds a signature.
   *
   * @param keyId the signing key's id
   * @param signature the Ed25519 signature over {@link #signedBytes()}
   * @return a copy with the signature added
   */
  D withSignature(String keyId, byte[] signature);

  /** @return the JSON form, UTF-8, fields in a fixed order */
  byte[] toJson();

  /**
   * Signs with one key and adds the signature; for publishers holding the private key (a key file, an HSM's
   * JCA provider).
   *
   * @param keyId the key's id
   * @param privateKey its Ed25519 private key
   * @return a copy with the signature added
   * @throws GeneralSecurityException when the key cannot sign with Ed25519
   */
  default D signedBy(String keyId, PrivateKey privateKey) throws GeneralSecurityException {
    return withSignature(keyId, TrustJson.ed25519Sign(privateKey, signedBytes()));
  }
}
