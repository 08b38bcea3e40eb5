package dev.ringfence.gates;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 signature Ringfence puts on every webhook it sends: the webhook gate's measurements and the
 * update server's notifications. The signed text is {@code <timestamp> "." <body>}: the {@value #TIMESTAMP}
 * header's ASCII digits (Unix seconds), a full stop, and the body's bytes exactly as sent. {@value #SIGNATURE} is
 * {@code sha256=} and the lowercase hex of HMAC-SHA256 of that text under the shared secret. A receiver
 * recomputes it over the raw body, compares in constant time ({@link #verify}) and refuses a timestamp too far
 * from its own clock, so that a captured request cannot be replayed later.
 */
public final class WebhookSignature {

  /** The header with the signature, {@code sha256=<64 lowercase hex digits>}. */
  public static final String SIGNATURE = "Ringfence-Signature";
  /** The header with the signed Unix time in seconds. */
  public static final String TIMESTAMP = "Ringfence-Timestamp";
  /** The header with the delivery's id, the same on every attempt of one delivery. */
  public static final String DELIVERY = "Ringfence-Delivery";

  private WebhookSignature() {}

  /**
   * Signs a body.
   *
   * @param secret the secret's bytes
   * @param timestamp the {@value #TIMESTAMP} header's value
   * @param body the body as sent
   * @return the {@value #SIGNATURE} header's value, {@code sha256=<hex>}
   */
  public static String sign(byte[] secret, String timestamp, byte[] body) {
    return "sha256=" + HexFormat.of().formatHex(hmac(secret, timestamp, body));
  }

  /**
   * Checks a signature as a receiver does, in constant time.
   *
   * @param secret the secret's bytes
   * @param timestamp the {@value #TIMESTAMP} header's value as received
   * @param body the body as received
   * @param signature the {@value #SIGNATURE} header's value as received
   * @return whether it is the signature of {@code timestamp "." body} under {@code secret}
   */
  public static boolean verify(byte[] secret, String timestamp, byte[] body, String signature) {
    byte[] expected = sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * HMAC-SHA256 of {@code timestamp "." body}.
   *
   * @param secret the secret's bytes
   * @param timestamp the {@value #TIMESTAMP} header's value
   * @param body the body
   * @return the 32-byte MAC
   */
  public static byte[] hmac(byte[] secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) '.');
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e); // every JDK has it
    }
  }
}
