package dev.ringfence.core.plan;

/** How a {@link Condition} compares an attribute with its values. */
public enum Operator {
  /** The attribute equals the single value (for tags: the endpoint has that tag). */
  EQUALS("equals"),
  /** The attribute is one of the values (for tags: the endpoint has at least one of them). */
  IN("in"),
  /** The attribute is none of the values (for tags: the endpoint has none of them). */
  NOT_IN("not-in");

  private final String jsonName;

  Operator(String jsonName) {
    this.jsonName = jsonName;
  }

  /** @return the name used in plan files, e.g. {@code not-in} */
  public String jsonName() {
    return jsonName;
  }

  /**
   * Looks an operator up by its plan-file name.
   *
   * @param name e.g. {@code in}
   * @return the operator, or null if none has that name
   */
  public static Operator fromJsonName(String name) {
    for (Operator operator : values()) {
      if (operator.jsonName.equals(name)) {
        return operator;
      }
    }
    return null;
  }
}
