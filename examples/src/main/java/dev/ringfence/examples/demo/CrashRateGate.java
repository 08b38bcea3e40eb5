package dev.ringfence.examples.demo;

import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Ring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A health gate of type {@value #TYPE}: FAIL as soon as at least {@code minReports} exposed endpoints
 * have reported and the share of them that crashed reaches {@code maxCrashRate}; PASS once the ring
 * has baked, has its minimum sample and stays below the ceiling; INCONCLUSIVE otherwise.
 *
 * <p>Parameters, as a plan writes them: {@code {"maxCrashRate": 0.2, "minReports": 10}}.
 */
final class CrashRateGate implements Gate {

  /** The type plans name. */
  static final String TYPE = "crash-rate";

  private static final Set<String> PARAMS = Set.of("maxCrashRate", "minReports");

  private final CrashTelemetry telemetry;
  private final double maxCrashRate;
  private final long minReports;

  CrashRateGate(CrashTelemetry telemetry, double maxCrashRate, long minReports) {
    this.telemetry = telemetry;
    this.maxCrashRate = maxCrashRate;
    this.minReports = minReports;
  }

  /**
   * The factory to register under {@value #TYPE}; refuses unknown or out-of-range parameters.
   *
   * @param telemetry where crash reports are counted
   * @return the factory
   */
  static GateFactory factory(CrashTelemetry telemetry) {
    return spec -> {
      List<String> problems = new ArrayList<>();
      for (String key : spec.params().keySet()) {
        if (!PARAMS.contains(key)) {
          problems.add("gate.params." + key + ": is not a parameter of " + TYPE + "; use " + PARAMS);
        }
      }
      double max = number(spec, "maxCrashRate", 0.2, problems);
      double min = number(spec, "minReports", 10, problems);
      if (!(max > 0 && max <= 1)) {
        problems.add("gate.params.maxCrashRate: " + max + " is not in (0, 1]");
      }
      if (min < 1 || min != Math.rint(min)) {
        problems.add("gate.params.minReports: " + min + " is not a whole number of at least 1");
      }
      if (!problems.isEmpty()) {
        throw new InvalidPlanException(problems);
      }
      return new CrashRateGate(telemetry, max, (long) min);
    };
  }

  private static double number(GateSpec spec, String key, double fallback, List<String> problems) {
    Object value = spec.params().get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number) {
      return ((Number) value).doubleValue();
    }
    problems.add("gate.params." + key + ": '" + value + "' is not a number");
    return fallback;
  }

  @Override
  public Verdict evaluate(GateContext context) {
    long reports = telemetry.reports(context.rolloutId());
    long crashed = telemetry.crashes(context.rolloutId());
    double rate = reports == 0 ? 0 : crashed / (double) reports;
    Map<String, Double> evidence = new LinkedHashMap<>();
    evidence.put("reports", (double) reports);
    evidence.put("crashed", (double) crashed);
    evidence.put("crashRate", rate);
    evidence.put("maxCrashRate", maxCrashRate);
    evidence.put("minReports", (double) minReports);
    String numbers = String.format(Locale.ROOT, "%d of %d exposed endpoints crashed (%.1f%%)", crashed, reports,
        100 * rate);
    if (reports < minReports) {
      return Verdict.inconclusive(TYPE, numbers + ": waiting for " + minReports + " reports", evidence);
    }
    String ceiling = percent(maxCrashRate) + " ceiling";
    if (rate >= maxCrashRate) {
      return Verdict.fail(TYPE, numbers + " >= " + ceiling + " after >= " + minReports + " reports", evidence);
    }
    // Health alone never opens the next ring: the ring must also have baked and reached its sample.
    Ring ring = context.ring();
    boolean baked = context.openFor().compareTo(ring.bakeTime()) >= 0;
    boolean sampled = context.exposedInRing() >= ring.minSample();
    if (!baked || !sampled) {
      return Verdict.inconclusive(TYPE, numbers + " < " + ceiling + "; waiting: open " + minutes(context.openFor())
          + " of " + minutes(ring.bakeTime()) + " bake, " + context.exposedInRing() + " of " + ring.minSample()
          + " sample", evidence);
    }
    return Verdict.pass(TYPE, numbers + " < " + ceiling, evidence);
  }

  private static String percent(double fraction) {
    double p = 100 * fraction;
    return p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f%%", p) : String.format(Locale.ROOT, "%.1f%%", p);
  }

  private static String minutes(Duration duration) {
    return duration.toMinutes() + "m";
  }
}
