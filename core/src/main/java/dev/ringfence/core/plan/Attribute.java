package dev.ringfence.core.plan;

/** The endpoint attributes a {@link Selector} can test. */
public enum Attribute {
  /** Operating system. */
  OS("os"),
  /** Operating system build. */
  OS_BUILD("osBuild"),
  /** Region or site. */
  REGION("region"),
  /** Tier of service. */
  TIER("tier"),
  /** Any of the endpoint's tags. */
  TAG("tag");

  private final String jsonName;

  Attribute(String jsonName) {
    this.jsonName = jsonName;
  }

  /** @return the name used in plan files, e.g. {@code osBuild} */
  public String jsonName() {
    return jsonName;
  }

  /**
   * Looks an attribute up by its plan-file name.
   *
   * @param name e.g. {@code region}
   * @return the attribute, or null if no attribute has that name
   */
  public static Attribute fromJsonName(String name) {
    for (Attribute attribute : values()) {
      if (attribute.jsonName.equals(name)) {
        return attribute;
      }
    }
    return null;
  }
}
