package dev.ringfence.agent;

import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.UpdateProtocol;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What an endpoint was given when an administrator enrolled it with the update server: its id, a bearer
 * token that authenticates every request, and a per-endpoint HMAC-SHA256 key that signs every batch of
 * signals, so a forged or replayed heartbeat is refused.
 *
 * <p>The wire format, shared by the agent and the update server:
 *
 * <ul>
 *   <li>every request carries {@value UpdateProtocol#ENDPOINT_HEADER}{@code : <endpointId>} and
 *       {@code Authorization: Bearer <token>};
 *   <li>a signal batch also carries {@value UpdateProtocol#TIMESTAMP_HEADER} (epoch milliseconds), {@value UpdateProtocol#NONCE_HEADER}
 *       (32 lowercase hex digits, never reused) and {@value UpdateProtocol#SIGNATURE_HEADER}, the lowercase hex
 *       HMAC-SHA256 of {@link #canonical(String, long, String, byte[])}.
 * </ul>
 *
 * <p>{@link #toString()} never shows the token or the key.
 *
 * @param endpointId the enrolled endpoint's id
 * @param token the bearer token, as issued (the server keeps only its hash)
 * @param hmacKey the signing key, at least 32 bytes
 */
public record EndpointCredentials(String endpointId, String token, byte[] hmacKey) {

  /** Shortest accepted HMAC key. */
  public static final int MIN_KEY_BYTES = 32;

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,256}");
  private static final Pattern NONCE = Pattern.compile("[0-9a-f]{32}");

  /**
   * @param endpointId the enrolled endpoint's id
   * @param token the bearer token, as issued (the server keeps only its hash)
   * @param hmacKey the signing key, at least 32 bytes
   * @throws InvalidInputException naming the field when a value is missing or malformed
   */
  public EndpointCredentials {
    if (endpointId == null || endpointId.isBlank()) {
      throw new InvalidInputException("endpointId", "is null or blank");
    }
    if (token == null || !TOKEN.matcher(token).matches()) {
      throw new InvalidInputException("token", "must be 16 to 256 characters of A-Z a-z 0-9 _ -");
    }
    if (hmacKey == null || hmacKey.length < MIN_KEY_BYTES) {
      throw new InvalidInputException("hmacKey", "must be at least " + MIN_KEY_BYTES + " bytes");
    }
    hmacKey = hmacKey.clone();
  }

  /** @return a copy of the signing key */
  @Override
  public byte[] hmacKey() {
    return hmacKey.clone();
  }

  /** @return the {@code Authorization} header's value */
  public String authorization() {
    return "Bearer " + token;
  }

  /**
   * The bytes a signal batch's HMAC covers: the endpoint, the time, the nonce and the SHA-256 of the
   * body, one per line after a format line.
   *
   * @param endpointId the endpoint
   * @param timestampMillis the signing time
   * @param nonce the request's nonce
   * @param body the request body
   * @return the canonical bytes
   */
  public static byte[] canonical(String endpointId, long timestampMillis, String nonce, byte[] body) {
    String text = "ringfence-signals v1\n" + endpointId + "\n" + timestampMillis + "\n" + nonce + "\n"
        + HexFormat.of().formatHex(sha256(body)) + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @param key the HMAC key
   * @param endpointId the endpoint
   * @param timestampMillis the signing time
   * @param nonce the nonce, 32 lowercase hex digits
   * @param body the request body
   * @return the signature, lowercase hex
   * @throws InvalidInputException when the nonce is malformed
   */
  public static String sign(byte[] key, String endpointId, long timestampMillis, String nonce, byte[] body) {
    if (nonce == null || !NONCE.matcher(nonce).matches()) {
      throw new InvalidInputException("nonce", "must be 32 lowercase hex digits");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(canonical(endpointId, timestampMillis, nonce, body)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
    }
  }

  /**
   * Signs a body with these credentials.
   *
   * @param timestampMillis the signing time
   * @param nonce the nonce, 32 lowercase hex digits
   * @param body the request body
   * @return the signature, lowercase hex
   */
  public String sign(long timestampMillis, String nonce, byte[] body) {
    return sign(hmacKey, endpointId, timestampMillis, nonce, body);
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EndpointCredentials that && endpointId.equals(that.endpointId)
        && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), that.token.getBytes(StandardCharsets.UTF_8))
        && MessageDigest.isEqual(hmacKey, that.hmacKey);
  }

  @Override
  public int hashCode() {
    return endpointId.hashCode();
  }

  @Override
  public String toString() {
    return "EndpointCredentials[endpointId=" + endpointId + ", token=<redacted>, hmacKey=<redacted>]";
  }
}
