package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableSortedMap;
import java.util.List;
import java.util.Map;

/**
 * Names the gate a ring must pass, and its parameters, as written in a plan. The engine turns it into
 * a {@link dev.ringfence.core.gate.Gate} through the gate factories it was configured with.
 *
 * @param type the gate's registered type, e.g. {@code time-and-sample}
 * @param params the gate's parameters: strings, numbers, booleans, lists and maps
 */
public record GateSpec(String type, Map<String, Object> params) {

  /** Type of the built-in gate that passes once the bake time is over and the minimum sample exposed. */
  public static final String TIME_AND_SAMPLE = "time-and-sample";

  /**
   * Type of the built-in manual approval gate: it passes on bake time and sample as {@value #TIME_AND_SAMPLE} does,
   * and the next ring opens only once an operator approves or promotes. To put a person after an automated gate,
   * give that gate the parameter {@code "approval": "required"} instead.
   */
  public static final String APPROVAL = "approval";

  /**
   * Validates and copies.
   *
   * @param type the gate's registered type, e.g. {@code time-and-sample}
   * @param params the gate's parameters: strings, numbers, booleans, lists and maps
   * @throws InvalidPlanException if the type is blank or params is null
   */
  public GateSpec {
    if (type == null || type.isBlank()) {
      throw new InvalidPlanException(List.of("gate.type: is blank; name a registered gate type such as "
          + TIME_AND_SAMPLE));
    }
    if (params == null) {
      throw new InvalidPlanException(List.of("gate.params: is null; use an empty map"));
    }
    // Sorted, so that equal specs print and serialize identically whatever map the caller built.
    params = ImmutableSortedMap.copyOf(params);
  }

  /**
   * A gate spec without parameters.
   *
   * @param type the registered type
   * @return the spec
   */
  public static GateSpec of(String type) {
    return new GateSpec(type, Map.of());
  }

  /** @return the built-in manual approval gate */
  public static GateSpec approval() {
    return of(APPROVAL);
  }

  /** @return the built-in time-and-sample gate */
  public static GateSpec timeAndSample() {
    return of(TIME_AND_SAMPLE);
  }
}
