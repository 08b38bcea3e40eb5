package dev.ringfence.core.plan;

import com.google.common.collect.ImmutableSortedMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

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
    List<String> problems = new java.util.ArrayList<>();
    for (Map.Entry<String, Object> param : params.entrySet()) {
      if (param.getKey() == null) {
        problems.add("gate.params: a parameter has no name");
      } else {
        checkJsonValue("gate.params." + param.getKey(), param.getValue(), problems);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    // Sorted, so that equal specs print and serialize identically whatever map the caller built.
    params = ImmutableSortedMap.copyOf(params);
  }

  /** A parameter is journaled as JSON: only what JSON holds is taken, each problem named by its path. */
  private static void checkJsonValue(String path, @Nullable Object value, List<String> problems) {
    if (value == null) {
      problems.add(path + ": is null; leave the parameter out for its default");
    } else if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          problems.add(path + ": a key " + e.getKey() + " is not text");
        } else {
          checkJsonValue(path + "." + key, e.getValue(), problems);
        }
      }
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        checkJsonValue(path + "[" + i + "]", list.get(i), problems);
      }
    } else if (value instanceof Number number) {
      if (number instanceof Double d && !Double.isFinite(d) || number instanceof Float f && !Float.isFinite(f)) {
        problems.add(path + ": " + number + " is not a finite number");
      }
    } else if (!(value instanceof String) && !(value instanceof Boolean)) {
      problems.add(path + ": a " + value.getClass().getSimpleName() + " is not a JSON value; use text, a number, true"
          + " or false, a list or a map");
    }
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
