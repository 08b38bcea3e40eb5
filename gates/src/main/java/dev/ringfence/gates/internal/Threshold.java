package dev.ringfence.gates.internal;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A comparison as plans write it, {@code "> 0.02"}: an operator and a finite number. NaN never matches (it is
 * no data, judged before any comparison).
 *
 * @param operator one of {@code > >= < <= == !=}
 * @param bound the number compared against
 */
public record Threshold(String operator, double bound) {

  private static final Pattern FORM = Pattern.compile(
      "\\s*(>=|<=|==|!=|>|<)\\s*([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?)\\s*");

  /**
   * Reads a comparison.
   *
   * @param text e.g. {@code "> 0.02"}
   * @return the comparison, or null if the text is not one (the caller reports the problem)
   */
  public static @Nullable Threshold parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return null;
    }
    double bound = Double.parseDouble(m.group(2));
    return Double.isFinite(bound) ? new Threshold(m.group(1), bound) : null;
  }

  /**
   * @param value the value
   * @return whether {@code value operator bound} holds
   */
  public boolean matches(double value) {
    if (Double.isNaN(value)) {
      return false;
    }
    switch (operator) {
      case ">":
        return value > bound;
      case ">=":
        return value >= bound;
      case "<":
        return value < bound;
      case "<=":
        return value <= bound;
      case "==":
        return value == bound;
      default:
        return value != bound;
    }
  }

  @Override
  public String toString() {
    return operator + " " + BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
  }
}
