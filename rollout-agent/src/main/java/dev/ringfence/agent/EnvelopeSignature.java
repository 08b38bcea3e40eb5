package dev.ringfence.agent;

/**
 * One detached Ed25519 signature over an envelope's {@link Envelope#signedBytes() signed bytes}.
 *
 * @param keyId the id of the signing key in the trust store
 * @param signature the 64-byte signature, standard Base64
 */
public record EnvelopeSignature(String keyId, String signature) {

  /**
   * Checks both fields are present.
   *
   * @param keyId the id of the signing key
   * @param signature the signature, standard Base64
   * @throws MalformedEnvelopeException naming the missing field
   */
  public EnvelopeSignature {
    if (keyId == null || keyId.isBlank()) {
      throw new MalformedEnvelopeException("signatures[].keyId", "is missing or blank");
    }
    if (signature == null || signature.isBlank()) {
      throw new MalformedEnvelopeException("signatures[" + keyId + "].signature", "is missing or blank");
    }
  }
}
