package dev.ringfence.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The exact bytes an envelope's Ed25519 signatures cover, so that a signer, the update server and an agent
 * in any language derive them from one definition. The JSON form of an envelope carries the same fields
 * plus the signatures; only these bytes are signed, never the JSON text, so that JSON whitespace, key order
 * and escaping cannot change what a signature means.
 *
 * <pre>
 * ringfence-envelope v1\n
 * channel=&lt;channel&gt;\n
 * version=&lt;decimal version&gt;\n
 * sha256=&lt;64 lowercase hex digits&gt;\n
 * size=&lt;decimal byte count&gt;\n
 * expiresAt=&lt;ISO-8601 instant, as Instant.toString() writes it&gt;\n
 * </pre>
 *
 * encoded as UTF-8.
 */
public final class EnvelopeFormat {

  /** The envelope's JSON schema version and the version in the first line of the signed bytes. */
  public static final int SCHEMA_VERSION = 1;

  private EnvelopeFormat() {}

  /**
   * The bytes that the envelope's signatures cover.
   *
   * @param channel the channel, not blank
   * @param version the release's version, not negative
   * @param sha256 the payload's SHA-256, 64 lowercase hex digits
   * @param size the payload's size in bytes, not negative
   * @param expiresAt when the envelope expires
   * @return the UTF-8 bytes of the canonical text above
   * @throws InvalidInputException naming the field when an argument breaks the rules above
   */
  public static byte[] signedBytes(String channel, long version, String sha256, long size, Instant expiresAt) {
    if (channel == null || channel.isBlank()) {
      throw new InvalidInputException("channel", "is missing or blank");
    }
    if (channel.indexOf('\n') >= 0 || channel.indexOf('\r') >= 0) {
      throw new InvalidInputException("channel", "contains a line break");
    }
    if (version < 0) {
      throw new InvalidInputException("version", version + " is negative");
    }
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      throw new InvalidInputException("sha256", "'" + sha256 + "' is not 64 lowercase hex digits");
    }
    if (size < 0) {
      throw new InvalidInputException("size", size + " is negative");
    }
    if (expiresAt == null) {
      throw new InvalidInputException("expiresAt", "is missing");
    }
    String text = "ringfence-envelope v" + SCHEMA_VERSION + "\n"
        + "channel=" + channel + "\n"
        + "version=" + version + "\n"
        + "sha256=" + sha256 + "\n"
        + "size=" + size + "\n"
        + "expiresAt=" + expiresAt + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
