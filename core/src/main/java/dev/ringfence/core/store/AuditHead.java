package dev.ringfence.core.store;

import dev.ringfence.protocol.InvalidInputException;
import java.util.regex.Pattern;

/**
 * Where an audit trail ends: how many lines it has and the hash of the last one. A store records it with
 * every audited entry, apart from the trail, so that a trail whose last lines were cut off, or that was
 * emptied or replaced by a shorter valid chain, no longer matches it ({@link AuditTrail#verify(java.util.List,
 * AuditHead)}).
 *
 * @param lines the number of lines, 0 for an empty trail
 * @param hash the SHA-256 (64 lowercase hex digits) of the last line; {@link AuditRecord#GENESIS} when empty
 */
public record AuditHead(long lines, String hash) {

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** The head of an empty trail. */
  public static final AuditHead EMPTY = new AuditHead(0, AuditRecord.GENESIS);

  /**
   * @param lines the number of lines, 0 for an empty trail
   * @param hash the SHA-256 (64 lowercase hex digits) of the last line; {@link AuditRecord#GENESIS} when empty
   * @throws InvalidInputException if {@code lines} is negative, {@code hash} is not 64 lowercase hex digits,
   *     or an empty trail's hash is not the genesis hash
   */
  public AuditHead {
    if (lines < 0) {
      throw new InvalidInputException("lines", "is " + lines + "; a trail has 0 or more lines");
    }
    if (hash == null || !HEX.matcher(hash).matches()) {
      throw new InvalidInputException("hash", "is '" + hash + "'; a SHA-256 is 64 lowercase hex digits");
    }
    if (lines == 0 && !hash.equals(AuditRecord.GENESIS)) {
      throw new InvalidInputException("hash", "is " + hash + " for an empty trail; an empty trail's hash is 64 zeros");
    }
  }

  /**
   * Parses the form {@link #toString()} prints, {@code <lines>:<hash>}.
   *
   * @param text e.g. {@code 15:ab12...} (the whole hash)
   * @return the head
   * @throws InvalidInputException naming {@code head} if the text is not of that form
   */
  public static AuditHead parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon < 1) {
      throw new InvalidInputException("head", "is '" + text + "'; expected <lines>:<sha-256>, e.g. 15:ab12...");
    }
    long lines;
    try {
      lines = Long.parseLong(text.substring(0, colon));
    } catch (NumberFormatException e) {
      throw new InvalidInputException("head", "is '" + text + "'; its line count is not a whole number");
    }
    return new AuditHead(lines, text.substring(colon + 1));
  }

  /** @return the first 12 hex digits of the hash, for messages */
  public String shortHash() {
    return hash.substring(0, 12) + "...";
  }

  /** @return {@code <lines>:<hash>}, which {@link #parse} reads */
  @Override
  public String toString() {
    return lines + ":" + hash;
  }
}
