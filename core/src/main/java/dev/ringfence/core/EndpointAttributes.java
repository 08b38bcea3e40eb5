package dev.ringfence.core;

import com.google.common.collect.ImmutableSet;
import dev.ringfence.core.plan.Attribute;
import dev.ringfence.protocol.InvalidInputException;
import java.util.Set;

/**
 * What an update server knows about one endpoint when it decides: operating system, OS build,
 * region, tier and free-form tags. Unknown values are empty strings, never null.
 *
 * @param os operating system, e.g. {@code windows}
 * @param osBuild operating system build, e.g. {@code 22631}
 * @param region region or site, e.g. {@code eu-west}
 * @param tier tier of service, e.g. {@code critical}
 * @param tags free-form labels, e.g. {@code hospital}
 */
public record EndpointAttributes(String os, String osBuild, String region, String tier, Set<String> tags) {

  /** An endpoint about which nothing is known. */
  public static final EndpointAttributes UNKNOWN = new EndpointAttributes("", "", "", "", Set.of());

  /**
   * Validates and copies the values.
   *
   * @param os operating system, e.g. {@code windows}
   * @param osBuild operating system build, e.g. {@code 22631}
   * @param region region or site, e.g. {@code eu-west}
   * @param tier tier of service, e.g. {@code critical}
   * @param tags free-form labels, e.g. {@code hospital}
   * @throws InvalidInputException if a value or a tag is null, or a tag is blank
   */
  public EndpointAttributes {
    os = requireValue("os", os);
    osBuild = requireValue("osBuild", osBuild);
    region = requireValue("region", region);
    tier = requireValue("tier", tier);
    if (tags == null) {
      throw new InvalidInputException("tags", "is null; pass an empty set when the endpoint has no tags");
    }
    for (String tag : tags) {
      if (tag == null || tag.isBlank()) {
        throw new InvalidInputException("tags", "contains a null or blank tag; remove it");
      }
    }
    tags = ImmutableSet.copyOf(tags);
  }

  private static String requireValue(String field, String value) {
    if (value == null) {
      throw new InvalidInputException(field, "is null; use \"\" when the value is unknown");
    }
    return value;
  }

  /**
   * A builder that starts with every value unknown.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The value of one attribute; for {@link Attribute#TAG} use {@link #tags()} instead.
   *
   * @param attribute a scalar attribute
   * @return its value, empty when unknown
   */
  public String value(Attribute attribute) {
    switch (attribute) {
      case OS:
        return os;
      case OS_BUILD:
        return osBuild;
      case REGION:
        return region;
      case TIER:
        return tier;
      default:
        throw new IllegalArgumentException(attribute + " is not a scalar attribute");
    }
  }

  /** Builds {@link EndpointAttributes}; every value not set stays unknown. */
  public static final class Builder {
    private String os = "";
    private String osBuild = "";
    private String region = "";
    private String tier = "";
    private final ImmutableSet.Builder<String> tags = ImmutableSet.builder();

    private Builder() {}

    /**
     * @param os operating system
     * @return this builder
     */
    public Builder os(String os) {
      this.os = requireValue("os", os);
      return this;
    }

    /**
     * @param osBuild operating system build
     * @return this builder
     */
    public Builder osBuild(String osBuild) {
      this.osBuild = requireValue("osBuild", osBuild);
      return this;
    }

    /**
     * @param region region or site
     * @return this builder
     */
    public Builder region(String region) {
      this.region = requireValue("region", region);
      return this;
    }

    /**
     * @param tier tier of service
     * @return this builder
     */
    public Builder tier(String tier) {
      this.tier = requireValue("tier", tier);
      return this;
    }

    /**
     * @param tags labels to add
     * @return this builder
     */
    public Builder tags(String... tags) {
      for (String tag : tags) {
        if (tag == null || tag.isBlank()) {
          throw new InvalidInputException("tags", "contains a null or blank tag; remove it");
        }
        this.tags.add(tag);
      }
      return this;
    }

    /** @return the attributes */
    public EndpointAttributes build() {
      return new EndpointAttributes(os, osBuild, region, tier, tags.build());
    }
  }
}
