package dev.ringfence.agent;

import dev.ringfence.agent.internal.TrustJson;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Signed freshness for one channel: "at {@code issuedAt} the newest release of this channel was
 * {@code newestVersion} with payload {@code newestSha256}, and the newest root was {@code rootVersion}". The
 * update server re-signs it on a schedule with its online timestamp key (the root's {@code timestamp} role),
 * apart from the offline release keys. An agent whose channel requires it refuses to call itself up to date
 * without an unexpired timestamp, so a server that is frozen, or that withholds a newer release by answering
 * "nothing new" forever, is detected within one validity period; a {@code serial} below one accepted before
 * is a replay and is refused too (TUF's timestamp role).
 *
 * @param channel the channel it vouches for
 * @param serial grows by at least one with each re-signing of this channel's timestamp
 * @param issuedAt when it was signed
 * @param expiresAt after this instant an agent refuses it; after {@code issuedAt}
 * @param newestVersion the channel's newest published release version
 * @param newestSha256 that release's payload SHA-256, 64 lowercase hex digits
 * @param rootVersion the newest trust root the server holds; an agent with an older root fetches the newer ones
 * @param signatures Ed25519 signatures over {@link #signedBytes()} by timestamp-role keys
 */
public record TimestampDocument(String channel, long serial, Instant issuedAt, Instant expiresAt,
    long newestVersion, String newestSha256, long rootVersion, List<EnvelopeSignature> signatures)
    implements SignedDocument<TimestampDocument> {

  /** The JSON schema version written and accepted, and the version in the signed bytes' first line. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * Checks every field.
   *
   * @param channel the channel
   * @param serial the serial, 1 or more
   * @param issuedAt when it was signed
   * @param expiresAt when it expires, after issuedAt
   * @param newestVersion the newest release's version, 0 or more
   * @param newestSha256 its payload's SHA-256
   * @param rootVersion the newest root's version, 1 or more
   * @param signatures the signatures
   * @throws InvalidInputException naming the field
   */
  public TimestampDocument {
    if (channel == null || !channel.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")) {
      throw new InvalidInputException("channel", "'" + channel + "' is not a channel name");
    }
    if (serial < 1) {
      throw new InvalidInputException("serial", serial + " must be 1 or more");
    }
    if (issuedAt == null) {
      throw new InvalidInputException("issuedAt", "is missing");
    }
    if (expiresAt == null || !expiresAt.isAfter(issuedAt)) {
      throw new InvalidInputException("expiresAt", expiresAt + " must be after issuedAt " + issuedAt);
    }
    if (newestVersion < 0) {
      throw new InvalidInputException("newestVersion", newestVersion + " is negative");
    }
    if (newestSha256 == null || !newestSha256.matches("[0-9a-f]{64}")) {
      throw new InvalidInputException("newestSha256", "'" + newestSha256 + "' is not 64 lowercase hex digits");
    }
    if (rootVersion < 1) {
      throw new InvalidInputException("rootVersion", rootVersion + " must be 1 or more");
    }
    signatures = List.copyOf(signatures == null ? List.of() : signatures);
  }

  /**
   * The exact bytes the signatures cover (see docs/protocol/signed-bytes.md).
   *
   * @return the UTF-8 bytes to sign or verify
   */
  public byte[] signedBytes() {
    String text = "ringfence-timestamp v" + SCHEMA_VERSION + "\n"
        + "channel=" + channel + "\n"
        + "serial=" + serial + "\n"
        + "issuedAt=" + issuedAt + "\n"
        + "expiresAt=" + expiresAt + "\n"
        + "newestVersion=" + newestVersion + "\n"
        + "newestSha256=" + newestSha256 + "\n"
        + "rootVersion=" + rootVersion + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Adds a signature; for the update server's timestamp signer.
   *
   * @param keyId the timestamp key's id
   * @param signature the Ed25519 signature over {@link #signedBytes()}
   * @return a copy with the signature appended
   */
  public TimestampDocument withSignature(String keyId, byte[] signature) {
    List<EnvelopeSignature> all = new ArrayList<>(signatures);
    all.add(new EnvelopeSignature(keyId, Base64.getEncoder().encodeToString(signature)));
    return new TimestampDocument(channel, serial, issuedAt, expiresAt, newestVersion, newestSha256, rootVersion,
        all);
  }

  /**
   * Parses the JSON form strictly.
   *
   * @param json UTF-8 JSON, at most 64 KiB
   * @return the timestamp
   * @throws InvalidInputException naming the field that is missing, unknown or wrong
   */
  public static TimestampDocument parse(byte[] json) {
    return TrustJson.parseTimestamp(json);
  }

  /** @return the JSON form, UTF-8, fields in a fixed order */
  public byte[] toJson() {
    return TrustJson.writeTimestamp(this);
  }
}
