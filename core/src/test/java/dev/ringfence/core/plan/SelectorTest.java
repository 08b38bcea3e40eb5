package dev.ringfence.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.EndpointAttributes;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SelectorTest {

  /** An endpoint whose given scalar attribute has the value and whose other attributes hold decoys. */
  private static EndpointAttributes with(Attribute attribute, String value) {
    EndpointAttributes.Builder builder = EndpointAttributes.builder()
        .os("decoy-os").osBuild("decoy-build").region("decoy-region").tier("decoy-tier").tags("decoy-tag");
    switch (attribute) {
      case OS:
        builder.os(value);
        break;
      case OS_BUILD:
        builder.osBuild(value);
        break;
      case REGION:
        builder.region(value);
        break;
      case TIER:
        builder.tier(value);
        break;
      default:
        throw new IllegalArgumentException(attribute.toString());
    }
    return builder.build();
  }

  private static EndpointAttributes tagged(String... tags) {
    return EndpointAttributes.builder().os("linux").tags(tags).build();
  }

  // ------------------------------------------------------------------ scalar attributes

  @ParameterizedTest
  @EnumSource(value = Attribute.class, names = {"OS", "OS_BUILD", "REGION", "TIER"})
  void equals_scalarAttribute_matchesOnlyThatValueOfThatAttribute(Attribute attribute) {
    Condition condition = Condition.equalTo(attribute, "x1");

    assertThat(condition.matches(with(attribute, "x1"))).isTrue();
    assertThat(condition.matches(with(attribute, "x2"))).isFalse();
    assertThat(condition.matches(with(attribute, "X1"))).as("values are case-sensitive").isFalse();
    assertThat(condition.matches(with(attribute, ""))).as("unknown value").isFalse();
    for (Attribute other : new Attribute[] {Attribute.OS, Attribute.OS_BUILD, Attribute.REGION, Attribute.TIER}) {
      if (other != attribute) {
        assertThat(condition.matches(with(other, "x1"))).as("x1 in %s", other).isFalse();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Attribute.class, names = {"OS", "OS_BUILD", "REGION", "TIER"})
  void in_scalarAttribute_matchesAnyListedValue(Attribute attribute) {
    Condition condition = Condition.in(attribute, "a", "b");

    assertThat(condition.matches(with(attribute, "a"))).isTrue();
    assertThat(condition.matches(with(attribute, "b"))).isTrue();
    assertThat(condition.matches(with(attribute, "c"))).isFalse();
    assertThat(condition.matches(with(attribute, ""))).isFalse();
  }

  @ParameterizedTest
  @EnumSource(value = Attribute.class, names = {"OS", "OS_BUILD", "REGION", "TIER"})
  void notIn_scalarAttribute_matchesEveryUnlistedValueIncludingUnknown(Attribute attribute) {
    Condition condition = Condition.notIn(attribute, "a", "b");

    assertThat(condition.matches(with(attribute, "a"))).isFalse();
    assertThat(condition.matches(with(attribute, "b"))).isFalse();
    assertThat(condition.matches(with(attribute, "c"))).isTrue();
    assertThat(condition.matches(with(attribute, ""))).as("unknown value is not listed").isTrue();
  }

  // ------------------------------------------------------------------ tags

  @Test
  void equals_tag_matchesEndpointsThatHaveTheTag() {
    Condition condition = Condition.equalTo(Attribute.TAG, "beta");

    assertThat(condition.matches(tagged("beta"))).isTrue();
    assertThat(condition.matches(tagged("kiosk", "beta"))).isTrue();
    assertThat(condition.matches(tagged("kiosk"))).isFalse();
    assertThat(condition.matches(tagged())).isFalse();
  }

  @Test
  void in_tag_matchesEndpointsWithAnyListedTag() {
    Condition condition = Condition.in(Attribute.TAG, "kiosk", "hospital");

    assertThat(condition.matches(tagged("kiosk"))).isTrue();
    assertThat(condition.matches(tagged("office", "hospital"))).isTrue();
    assertThat(condition.matches(tagged("kiosk", "hospital"))).isTrue();
    assertThat(condition.matches(tagged("office"))).isFalse();
    assertThat(condition.matches(tagged())).isFalse();
  }

  @Test
  void notIn_tag_matchesEndpointsWithNoneOfTheListedTags() {
    Condition condition = Condition.notIn(Attribute.TAG, "kiosk", "hospital");

    assertThat(condition.matches(tagged("office"))).isTrue();
    assertThat(condition.matches(tagged())).isTrue();
    assertThat(condition.matches(tagged("office", "hospital"))).as("one listed tag is enough to exclude").isFalse();
    assertThat(condition.matches(tagged("kiosk"))).isFalse();
  }

  @Test
  void tagCondition_ignoresScalarAttributesWithTheSameValue() {
    EndpointAttributes endpoint = EndpointAttributes.builder().os("kiosk").tier("kiosk").region("kiosk").build();

    assertThat(Condition.in(Attribute.TAG, "kiosk").matches(endpoint)).isFalse();
    assertThat(Condition.notIn(Attribute.TAG, "kiosk").matches(endpoint)).isTrue();
  }

  // ------------------------------------------------------------------ selectors

  @Test
  void emptySelector_matchesEveryEndpoint() {
    assertThat(Selector.ALL.conditions()).isEmpty();
    assertThat(Selector.ALL.matches(EndpointAttributes.UNKNOWN)).isTrue();
    assertThat(Selector.ALL.matches(tagged("anything"))).isTrue();
    assertThat(Selector.allOf().matches(with(Attribute.TIER, "critical"))).isTrue();
    assertThat(Selector.allOf()).isEqualTo(Selector.ALL);
    assertThat(Selector.ALL).hasToString("all endpoints");
  }

  @Test
  void selector_severalConditions_matchesOnlyWhenAllHold() {
    Selector selector = Selector.allOf(
        Condition.equalTo(Attribute.OS, "windows"),
        Condition.in(Attribute.REGION, "eu-west", "eu-north"),
        Condition.notIn(Attribute.TAG, "hospital"));
    EndpointAttributes.Builder base = EndpointAttributes.builder().os("windows").region("eu-west");

    assertThat(selector.matches(base.build())).isTrue();
    assertThat(selector.matches(EndpointAttributes.builder().os("linux").region("eu-west").build()))
        .as("os fails").isFalse();
    assertThat(selector.matches(EndpointAttributes.builder().os("windows").region("us-east").build()))
        .as("region fails").isFalse();
    assertThat(selector.matches(EndpointAttributes.builder().os("windows").region("eu-north").tags("hospital")
        .build())).as("tag fails").isFalse();
    assertThat(selector.matches(EndpointAttributes.builder().os("windows").region("eu-north").tags("office")
        .build())).isTrue();
  }

  @Test
  void selector_sameAttributeTwice_intersectsTheConditions() {
    Selector selector = Selector.allOf(Condition.in(Attribute.TIER, "internal", "lab", "standard"),
        Condition.notIn(Attribute.TIER, "standard"));

    assertThat(selector.matches(with(Attribute.TIER, "lab"))).isTrue();
    assertThat(selector.matches(with(Attribute.TIER, "standard"))).isFalse();
    assertThat(selector.matches(with(Attribute.TIER, "critical"))).isFalse();
  }

  @Test
  void selector_fromJson_matchesLikeTheBuiltOne() {
    Plan plan = Plans.fromJson("""
        { "schemaVersion": 1, "name": "p",
          "rings": [ { "name": "a", "share": 10000, "bakeTime": "PT0S", "selector": [
            { "attribute": "osBuild", "op": "in", "values": ["22631", "22635"] },
            { "attribute": "tag", "op": "not-in", "values": ["kiosk"] } ] } ] }
        """);
    Selector selector = plan.rings().get(0).selector();

    assertThat(selector).isEqualTo(Selector.allOf(Condition.in(Attribute.OS_BUILD, "22631", "22635"),
        Condition.notIn(Attribute.TAG, "kiosk")));
    assertThat(selector.matches(EndpointAttributes.builder().osBuild("22635").build())).isTrue();
    assertThat(selector.matches(EndpointAttributes.builder().osBuild("22635").tags("kiosk").build())).isFalse();
    assertThat(selector.matches(EndpointAttributes.builder().osBuild("19045").build())).isFalse();
  }

  @Test
  void jsonNames_mapToAttributesAndOperators() {
    assertThat(Attribute.fromJsonName("os")).isEqualTo(Attribute.OS);
    assertThat(Attribute.fromJsonName("osBuild")).isEqualTo(Attribute.OS_BUILD);
    assertThat(Attribute.fromJsonName("region")).isEqualTo(Attribute.REGION);
    assertThat(Attribute.fromJsonName("tier")).isEqualTo(Attribute.TIER);
    assertThat(Attribute.fromJsonName("tag")).isEqualTo(Attribute.TAG);
    assertThat(Attribute.fromJsonName("tags")).isNull();
    assertThat(Operator.fromJsonName("equals")).isEqualTo(Operator.EQUALS);
    assertThat(Operator.fromJsonName("in")).isEqualTo(Operator.IN);
    assertThat(Operator.fromJsonName("not-in")).isEqualTo(Operator.NOT_IN);
    assertThat(Operator.fromJsonName("not_in")).isNull();
    assertThat(Condition.notIn(Attribute.OS_BUILD, "1")).hasToString("osBuild not-in [1]");
  }

  @Test
  void condition_copiesItsValues() {
    Set<String> values = new HashSet<>(Set.of("a"));
    Condition condition = new Condition(Attribute.REGION, Operator.IN, values);
    values.add("b");

    assertThat(condition.matches(with(Attribute.REGION, "b"))).isFalse();
  }
}
