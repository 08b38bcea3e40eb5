package dev.ringfence.gates.internal;

import com.google.common.escape.Escaper;
import com.google.common.escape.Escapers;
import dev.ringfence.core.gate.GateQuery;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PromQL query with placeholders: {@code {{rollout}}}, {@code {{ring}}}, {@code {{channel}}}, {@code
 * {{baseline}}} and {@code {{candidate}}}. Unknown placeholders are refused when the plan is read. Values are
 * escaped for a PromQL double-quoted string (backslash, double quote and control characters), which is where a
 * label value goes: {@code version="{{candidate}}"}; the whole query is URL-encoded when it is sent.
 */
public final class QueryTemplate {

  /** The placeholders a query may use, in the order the docs list them. */
  public static final List<String> PLACEHOLDERS = List.of("rollout", "ring", "channel", "baseline", "candidate");

  private static final Set<String> KNOWN = Set.copyOf(PLACEHOLDERS);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)}}");
  private static final Escaper PROMQL_STRING = promqlStringEscaper();

  private final String text;

  private QueryTemplate(String text) {
    this.text = text;
  }

  /**
   * Reads a template.
   *
   * @param text the query as the plan writes it
   * @param field the parameter's path, for the problems
   * @param problems where problems are added, each {@code path: reason}
   * @return the template (meaningful only when no problem was added)
   */
  public static QueryTemplate parse(String text, String field, List<String> problems) {
    Matcher m = PLACEHOLDER.matcher(text);
    int end = 0;
    while (m.find()) {
      if (!KNOWN.contains(m.group(1))) {
        problems.add(field + ": unknown placeholder {{" + m.group(1) + "}}; the known placeholders are "
            + known());
      }
      end = m.end();
    }
    int open = text.indexOf("{{", end);
    if (open >= 0) {
      problems.add(field + ": '{{' at character " + open + " is not closed by '}}'; the known placeholders are "
          + known());
    }
    return new QueryTemplate(text);
  }

  private static String known() {
    StringBuilder b = new StringBuilder();
    for (String name : PLACEHOLDERS) {
      b.append(b.length() == 0 ? "" : ", ").append("{{").append(name).append("}}");
    }
    return b.toString();
  }

  /**
   * Fills the placeholders in for one measurement.
   *
   * @param query the rollout and ring measured
   * @return the PromQL query to send
   */
  public String render(GateQuery query) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(escape(value(m.group(1), query))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String value(String name, GateQuery query) {
    switch (name) {
      case "rollout":
        return query.rolloutId();
      case "ring":
        return query.ringName();
      case "channel":
        return query.channel();
      case "baseline":
        return Long.toString(query.baselineVersion());
      case "candidate":
        return Long.toString(query.candidateVersion());
      default:
        throw new IllegalStateException("placeholder {{" + name + "}} was not refused when the plan was read");
    }
  }

  /** Escapes a value for the inside of a PromQL double-quoted string (Go's escapes). */
  static String escape(String value) {
    return PROMQL_STRING.escape(value);
  }

  /** Go's string escapes: backslash, quote, \n, \r and \t by name, every other control character as \xNN. */
  private static Escaper promqlStringEscaper() {
    Escapers.Builder escapes = Escapers.builder();
    for (char c = 0; c < 0x20; c++) {
      escapes.addEscape(c, String.format("\\x%02x", (int) c));
    }
    return escapes.addEscape('\u007f', "\\x7f").addEscape('\\', "\\\\").addEscape('"', "\\\"")
        .addEscape('\n', "\\n").addEscape('\r', "\\r").addEscape('\t', "\\t").build();
  }

  @Override
  public String toString() {
    return text;
  }
}
