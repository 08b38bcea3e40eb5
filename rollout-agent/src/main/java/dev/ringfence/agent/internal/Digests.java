package dev.ringfence.agent.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 in lowercase hex, the only digest the agent uses. */
public final class Digests {

  private Digests() {}

  /** @return a fresh SHA-256 digest */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  /**
   * @param bytes the data
   * @return its SHA-256 in lowercase hex
   */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  /**
   * @param chunks the data, in order
   * @return the SHA-256 of their concatenation in lowercase hex
   */
  public static String sha256Hex(List<byte[]> chunks) {
    MessageDigest digest = sha256();
    for (byte[] chunk : chunks) {
      digest.update(chunk);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * @param value a string
   * @return whether it is 64 lowercase hex digits
   */
  public static boolean isSha256Hex(String value) {
    return value.length() == 64 && value.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}
