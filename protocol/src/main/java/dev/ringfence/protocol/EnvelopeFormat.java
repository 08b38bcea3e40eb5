package dev.ringfence.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.BiFunction;

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
    check(channel, version, sha256, size, expiresAt, InvalidInputException::new);
    String text = "ringfence-envelope v" + SCHEMA_VERSION + "\n"
        + "channel=" + channel + "\n"
        + "version=" + version + "\n"
        + "sha256=" + sha256 + "\n"
        + "size=" + size + "\n"
        + "expiresAt=" + expiresAt + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Checks the fields by the rules above, the ones {@link #signedBytes} holds them to: a channel that is not blank
   * and has no line break (one would let it forge further lines of the signed bytes), a version and a size that
   * are not negative, a SHA-256 of 64 lowercase hex digits, an expiry.
   *
   * @param channel the channel
   * @param version the release's version
   * @param sha256 the payload's SHA-256
   * @param size the payload's size in bytes
   * @param expiresAt when the envelope expires
   * @param refusal makes the exception thrown for the first field that breaks a rule, from the field's name and
   *     the reason, e.g. {@code InvalidInputException::new}
   * @param <X> that exception
   * @throws X naming the field, when one breaks a rule
   */
  public static <X extends RuntimeException> void check(String channel, long version, String sha256, long size,
      Instant expiresAt, BiFunction<String, String, X> refusal) {
    require(channel != null && !channel.isBlank(), "channel", "is missing or blank", refusal);
    require(channel.indexOf('\n') < 0 && channel.indexOf('\r') < 0, "channel", "contains a line break", refusal);
    require(version >= 0, "version", version + " is negative", refusal);
    require(sha256 != null && sha256.matches("[0-9a-f]{64}"), "sha256",
        "'" + sha256 + "' is not 64 lowercase hex digits", refusal);
    require(size >= 0, "size", size + " is negative", refusal);
    require(expiresAt != null, "expiresAt", "is missing", refusal);
  }

  private static <X extends RuntimeException> void require(boolean ok, String field, String reason,
      BiFunction<String, String, X> refusal) {
    if (!ok) {
      throw refusal.apply(field, reason);
    }
  }
}
