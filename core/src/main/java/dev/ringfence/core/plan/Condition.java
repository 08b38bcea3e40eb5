package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableSet;
import dev.ringfence.core.EndpointAttributes;
import java.util.List;
import java.util.Set;

/**
 * One test over an endpoint attribute, e.g. {@code os equals windows} or {@code tier not-in
 * [critical]}.
 *
 * @param attribute the attribute tested
 * @param operator how it is compared
 * @param values the values compared with; exactly one for {@link Operator#EQUALS}
 */
public record Condition(Attribute attribute, Operator operator, Set<String> values) {

  /**
   * Validates and copies.
   *
   * @param attribute the attribute tested
   * @param operator how it is compared
   * @param values the values compared with; exactly one for {@link Operator#EQUALS}
   * @throws InvalidPlanException if a part is missing or EQUALS has other than one value
   */
  public Condition {
    List<String> problems = PlanChecks.condition("", attribute, operator, values);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    values = ImmutableSet.copyOf(values);
  }

  /**
   * Shorthand for {@code attribute equals value}.
   *
   * @param attribute the attribute
   * @param value the value
   * @return the condition
   */
  public static Condition equalTo(Attribute attribute, String value) {
    return new Condition(attribute, Operator.EQUALS, Set.of(value));
  }

  /**
   * Shorthand for {@code attribute in values}.
   *
   * @param attribute the attribute
   * @param values the accepted values
   * @return the condition
   */
  public static Condition in(Attribute attribute, String... values) {
    return new Condition(attribute, Operator.IN, ImmutableSet.copyOf(values));
  }

  /**
   * Shorthand for {@code attribute not-in values}.
   *
   * @param attribute the attribute
   * @param values the refused values
   * @return the condition
   */
  public static Condition notIn(Attribute attribute, String... values) {
    return new Condition(attribute, Operator.NOT_IN, ImmutableSet.copyOf(values));
  }

  /**
   * Tests one endpoint.
   *
   * @param endpoint the endpoint's attributes
   * @return whether the endpoint satisfies this condition
   */
  public boolean matches(EndpointAttributes endpoint) {
    boolean found;
    if (attribute == Attribute.TAG) {
      found = false;
      for (String tag : endpoint.tags()) {
        if (values.contains(tag)) {
          found = true;
          break;
        }
      }
    } else {
      found = values.contains(endpoint.value(attribute));
    }
    return operator == Operator.NOT_IN ? !found : found;
  }

  @Override
  public String toString() {
    return attribute.jsonName() + " " + operator.jsonName() + " " + values;
  }
}
