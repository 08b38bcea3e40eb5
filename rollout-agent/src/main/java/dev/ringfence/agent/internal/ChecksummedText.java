package dev.ringfence.agent.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's small on-disk records: a header line naming the format, {@code key=value} lines, and a
 * last line {@code checksum=<sha256 of every byte before it>}. A torn, truncated or edited file fails
 * the checksum and is treated as missing.
 */
final class ChecksummedText {

  private static final String CHECKSUM = "checksum=";

  private ChecksummedText() {}

  /** The file does not hold a valid record of the expected format. */
  static final class CorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptException(String message) {
      super(message);
    }
  }

  static byte[] encode(String header, Map<String, String> fields) {
    StringBuilder body = new StringBuilder(header).append('\n');
    fields.forEach((key, value) -> body.append(key).append('=').append(value).append('\n'));
    String text = body.toString();
    String checksum = Digests.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    return (text + CHECKSUM + checksum + "\n").getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, String> decode(String header, byte[] bytes) throws CorruptException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    int mark = text.lastIndexOf(CHECKSUM);
    if (mark < 0 || !text.endsWith("\n")) {
      throw new CorruptException("no checksum line (torn or truncated)");
    }
    String body = text.substring(0, mark);
    String checksum = text.substring(mark + CHECKSUM.length(), text.length() - 1);
    if (!checksum.equals(Digests.sha256Hex(body.getBytes(StandardCharsets.UTF_8)))) {
      throw new CorruptException("checksum mismatch");
    }
    String[] lines = body.split("\n", -1);
    if (!lines[0].equals(header)) {
      throw new CorruptException("header is '" + lines[0] + "', expected '" + header + "'");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 1; i < lines.length - 1; i++) {
      int eq = lines[i].indexOf('=');
      if (eq <= 0) {
        throw new CorruptException("line " + (i + 1) + " is not key=value");
      }
      fields.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
    }
    return fields;
  }

  static String field(Map<String, String> fields, String key) throws CorruptException {
    String value = fields.get(key);
    if (value == null) {
      throw new CorruptException("field '" + key + "' is missing");
    }
    return value;
  }

  static long longField(Map<String, String> fields, String key) throws CorruptException {
    String value = field(fields, key);
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new CorruptException("field '" + key + "' is '" + value + "', not a number");
    }
  }
}
