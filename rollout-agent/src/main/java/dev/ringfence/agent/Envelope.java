package dev.ringfence.agent;

import dev.ringfence.agent.internal.EnvelopeJson;
import dev.ringfence.protocol.EnvelopeFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The signed description of one release of a channel, published next to its payload. The payload is
 * accepted only if it matches {@link #sha256()} and {@link #size()}, and the envelope only if enough
 * trusted keys signed it, it is for this agent's channel, it has not expired, and its version is above
 * every version accepted before and not known-bad.
 *
 * <p>JSON form (unknown fields are refused):
 * <pre>{@code
 * {"schemaVersion":1,"channel":"channel-291","version":7,"sha256":"<64 hex>","size":1234,
 *  "expiresAt":"2026-12-01T00:00:00Z","signatures":[{"keyId":"release-1","signature":"<base64>"}]}
 * }</pre>
 *
 * @param channel the channel the release belongs to
 * @param version the release's version, strictly increasing per channel
 * @param sha256 SHA-256 of the payload, 64 lowercase hex digits
 * @param size size of the payload in bytes
 * @param expiresAt after this instant the envelope is refused (freeze attacks)
 * @param signatures detached Ed25519 signatures over {@link #signedBytes()}
 */
public record Envelope(String channel, long version, String sha256, long size, Instant expiresAt,
    List<EnvelopeSignature> signatures) {

  /** The JSON schema version written and accepted. */
  public static final int SCHEMA_VERSION = EnvelopeFormat.SCHEMA_VERSION;

  /**
   * Validates every field.
   *
   * @param channel the channel the release belongs to
   * @param version the release's version
   * @param sha256 SHA-256 of the payload, 64 lowercase hex digits
   * @param size size of the payload in bytes
   * @param expiresAt after this instant the envelope is refused
   * @param signatures detached Ed25519 signatures
   * @throws MalformedEnvelopeException naming the bad field
   */
  public Envelope {
    EnvelopeFormat.check(channel, version, sha256, size, expiresAt, MalformedEnvelopeException::new);
    signatures = List.copyOf(signatures == null ? List.of() : signatures);
  }

  /**
   * The exact bytes every signature covers: one line per signed field, in a fixed order, so no JSON
   * canonicalization is needed and a change to any field breaks every signature.
   *
   * @return the bytes to sign or verify
   */
  public byte[] signedBytes() {
    return EnvelopeFormat.signedBytes(channel, version, sha256, size, expiresAt);
  }

  /**
   * Adds a signature; for publishers.
   *
   * @param keyId the signing key's id
   * @param signature the Ed25519 signature over {@link #signedBytes()}
   * @return a copy with the signature appended
   */
  public Envelope withSignature(String keyId, byte[] signature) {
    List<EnvelopeSignature> all = new ArrayList<>(signatures);
    all.add(new EnvelopeSignature(keyId, Base64.getEncoder().encodeToString(signature)));
    return new Envelope(channel, version, sha256, size, expiresAt, all);
  }

  /**
   * Parses the JSON form strictly.
   *
   * @param json UTF-8 JSON
   * @return the envelope
   * @throws MalformedEnvelopeException naming the field that is missing, unknown or wrong
   */
  public static Envelope parse(byte[] json) {
    return EnvelopeJson.parse(json);
  }

  /** @return the JSON form */
  public byte[] toJson() {
    return EnvelopeJson.write(this);
  }
}
