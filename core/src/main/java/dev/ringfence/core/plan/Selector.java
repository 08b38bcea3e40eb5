package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableList;
import dev.ringfence.core.EndpointAttributes;
import java.util.List;

/**
 * Which endpoints a ring may draw from: every condition must hold. An empty selector matches every
 * endpoint.
 *
 * @param conditions conditions that must all hold
 */
public record Selector(List<Condition> conditions) {

  /** Matches every endpoint. */
  public static final Selector ALL = new Selector(List.of());

  /**
   * Copies the conditions.
   *
   * @param conditions conditions that must all hold
   * @throws InvalidPlanException if the list or an element is null
   */
  public Selector {
    if (conditions == null) {
      throw new InvalidPlanException(List.of("selector: is null; use Selector.ALL to select every endpoint"));
    }
    for (int i = 0; i < conditions.size(); i++) {
      if (conditions.get(i) == null) {
        throw new InvalidPlanException(List.of("selector[" + i + "]: is null"));
      }
    }
    conditions = ImmutableList.copyOf(conditions);
  }

  /**
   * A selector of the given conditions.
   *
   * @param conditions conditions that must all hold
   * @return the selector
   */
  public static Selector allOf(Condition... conditions) {
    return new Selector(List.of(conditions));
  }

  /**
   * Tests one endpoint.
   *
   * @param endpoint the endpoint's attributes
   * @return whether every condition holds
   */
  public boolean matches(EndpointAttributes endpoint) {
    List<Condition> list = conditions;
    for (int i = 0, n = list.size(); i < n; i++) {
      if (!list.get(i).matches(endpoint)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return conditions.isEmpty() ? "all endpoints" : conditions.toString();
  }
}
