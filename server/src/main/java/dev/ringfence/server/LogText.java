package dev.ringfence.server;

/**
 * Makes text from outside (a request path, an id, a reason, an error message quoting either) safe to put in
 * a log line: every control character, line and paragraph separator, and lone surrogate is written as an
 * escape ({@code \n}, {@code \r}, {@code \t}, {@code \u2028}, ...), so that no request can end a log line
 * and forge the next one.
 */
final class LogText {

  private LogText() {}

  /**
   * @param value anything; null is written as {@code null}
   * @return its text with every character that could break or fake a log line escaped
   */
  static String of(Object value) {
    String text = String.valueOf(value);
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String escape = escape(text, i, c);
      if (escape != null && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (escape != null) {
          out.append(escape);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  private static String escape(String text, int i, char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\\':
        return null;
      default:
        break;
    }
    boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    boolean loneHigh = Character.isHighSurrogate(c)
        && (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1)));
    boolean loneLow = Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
    return control || loneHigh || loneLow ? String.format("\\u%04x", (int) c) : null;
  }
}
