package dev.ringfence.simulator;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.plan.Attribute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Names the attribute values whose exposed endpoints failed: for each attribute value, failures among the
 * exposed endpoints that have it against failures among the exposed endpoints that do not. A value is
 * reported when at least 5 of its endpoints failed, its failure share is at least twice the rest's, and a
 * two-proportion z-test puts the difference at z >= 3.1 (about one false finding per 1,000 values tested).
 */
public final class FailureBreakdown {

  private static final int MIN_FAILED = 5;
  private static final int MAX_FINDINGS = 5;
  /** About one false finding in 1,000 tested values. */
  private static final double MIN_Z = 3.1;

  private FailureBreakdown() {}

  /**
   * One attribute value with its failures.
   *
   * @param attribute the attribute
   * @param value its value
   * @param exposed exposed endpoints with the value
   * @param failed of those, the ones that failed
   * @param failureShare failed / exposed
   * @param elsewhereShare the failure share among the exposed endpoints without the value
   */
  public record Finding(String attribute, String value, int exposed, int failed, double failureShare,
      double elsewhereShare) {}

  static List<Finding> of(IntFunction<EndpointAttributes> attributes, int n, IntPredicate exposed,
      IntPredicate failed) {
    List<Finding> findings = new ArrayList<>();
    for (Attribute attribute : List.of(Attribute.OS, Attribute.OS_BUILD, Attribute.REGION, Attribute.TIER,
        Attribute.TAG)) {
      Map<String, int[]> counts = new TreeMap<>();
      int allExposed = 0;
      int allFailed = 0;
      for (int i = 0; i < n; i++) {
        if (!exposed.test(i)) {
          continue;
        }
        int[] c = counts.computeIfAbsent(Scenario.value(attributes.apply(i), attribute), v -> new int[2]);
        c[0]++;
        allExposed++;
        if (failed.test(i)) {
          c[1]++;
          allFailed++;
        }
      }
      for (Map.Entry<String, int[]> e : counts.entrySet()) {
        int ex = e.getValue()[0];
        int f = e.getValue()[1];
        int restExposed = allExposed - ex;
        double share = (double) f / ex;
        double rest = restExposed == 0 ? 0 : (double) (allFailed - f) / restExposed;
        if (f >= MIN_FAILED && restExposed > 0 && share >= 2 * rest && !e.getKey().isEmpty()
            && z(f, ex, allFailed - f, restExposed) >= MIN_Z) {
          findings.add(new Finding(attribute.jsonName(), e.getKey(), ex, f, round(share), round(rest)));
        }
      }
    }
    findings.sort(Comparator.comparingDouble((Finding f) -> f.elsewhereShare() - f.failureShare())
        .thenComparing(Finding::attribute).thenComparing(Finding::value));
    return findings.size() > MAX_FINDINGS ? List.copyOf(findings.subList(0, MAX_FINDINGS)) : findings;
  }

  /** The two-proportion z statistic of f1/n1 against f2/n2. */
  static double z(int f1, int n1, int f2, int n2) {
    double pooled = (double) (f1 + f2) / (n1 + n2);
    double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    return se == 0 ? 0 : ((double) f1 / n1 - (double) f2 / n2) / se;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
