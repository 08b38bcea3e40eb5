package dev.ringfence.gates.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.plan.InvalidPlanException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What the gate fuzz tests share: the query they judge at, and a plan's gate parameters made of fuzzed bytes. */
final class FuzzedParams {

  static final GateQuery QUERY = new GateQuery("r1", "c", 0, "canary", 41, 42, Instant.parse("2026-01-15T12:00:00Z"));

  private FuzzedParams() {}

  /**
   * Up to ten parameters, as the plan reader hands them over: each under one of {@code keys}, with a value made by
   * one of {@code kinds}, both picked by the data.
   */
  static Map<String, Object> read(FuzzedDataProvider data, List<String> keys,
      List<Function<FuzzedDataProvider, Object>> kinds) {
    Map<String, Object> raw = new LinkedHashMap<>();
    int count = data.consumeInt(0, 10);
    for (int i = 0; i < count; i++) {
      String key = data.pickValue(keys);
      raw.put(key, kinds.get(data.consumeInt(0, kinds.size() - 1)).apply(data));
    }
    return raw;
  }

  /** A string of up to 300 characters. */
  static Object string(FuzzedDataProvider data) {
    return data.consumeString(300);
  }

  /** Every problem of a refusal names a parameter by its path. */
  static void assertProblemsNamed(InvalidPlanException e) {
    assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("gate.params."));
  }
}
