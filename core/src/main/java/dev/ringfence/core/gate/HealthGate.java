package dev.ringfence.core.gate;

import dev.ringfence.core.health.ArmStats;
import dev.ringfence.core.health.HazardComparison;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The built-in health judge, gate type {@value #TYPE}: compares the candidate arm with the control
 * arm and halts a bad candidate by itself. See {@code docs/judge.md} for the model and the measured
 * error rates.
 *
 * <ol>
 *   <li><b>Hazard test</b> (always-valid). Failures per host-hour at risk in each arm, both arms observed
 *       by the same rules (a crash, a refused validation, an agent's revert or going silent is a failure
 *       in either arm), compared with a mixture sequential probability ratio test against "the candidate
 *       fails at most {@code margin} times as often as the control" ({@link HazardComparison}). FAIL when
 *       its e-value reaches {@code 1/α_h}: over the whole rollout, however often it is looked at, a
 *       candidate within the margin is failed with probability at most {@code α_h}. The test is one per
 *       rollout, over every ring (each ring's gate reads the same statistic), so the rings do not spend
 *       the budget again.
 *   <li><b>Catastrophe guard.</b> Once at least {@code catastropheMinReports} (20) exposed endpoints have
 *       reported or gone silent, a share of reported failures (crashes, refused validations, agents'
 *       reverts; silence is the hazard test's) that exceeds the control's by more than {@code
 *       catastropheCeiling} (20 points) is FAIL at once. It matters only where there is no control to
 *       compare with (a first ring in a small fleet, a test); measured, it adds no false halt (docs).
 *   <li><b>Probe metrics</b> (optional): one value per endpoint and arm, compared window by window
 *       (a stratified Mann-Whitney shift with a confidence sequence); a metric fails on Kayenta's rule
 *       (the interval beyond {@code tolerance} times the estimated shift, on the worse side) when the
 *       shift also exceeds its {@code effectSize}; a critical metric that fails is FAIL.
 *   <li><b>Enough data.</b> PASS needs at least {@code max(ring.minSample, minCandidateReports)}
 *       candidate reports and {@code minControlReports} control reports; before that the verdict is
 *       INCONCLUSIVE, which never opens the next ring.
 * </ol>
 *
 * <p>The budget: {@code alpha} (default 0.01) is the rollout's whole false-FAIL budget for this gate;
 * with probe metrics the hazard test gets four fifths and the probes share the last fifth evenly.
 */
public final class HealthGate implements Gate {

  /** The gate type, as written in plans. */
  public static final String TYPE = "health";

  /** The factory registered under {@value #TYPE} by default. */
  public static final GateFactory FACTORY = HealthGate::fromSpec;

  /**
   * Default of {@code margin}: the candidate may fail up to 25% more often than the control. Far below any
   * regression worth a rollback (a crash on load is a ratio in the hundreds over a canary's first hour),
   * above the residual asymmetry between the arms measured in the judge sweep (a ratio of 1.02 over 3,490
   * silence events at 30% signal loss). See docs/judge.md.
   */
  public static final double DEFAULT_MARGIN = 1.25;

  /** The test's name in verdicts. */
  public static final String HAZARD_TEST = "hazard-msprt";
  /** The test named by a verdict that the probe metrics decided: a stratified Mann-Whitney shift. */
  public static final String PROBE_TEST = "probe-shift";

  private static final Set<String> PARAMS = Set.of("alpha", "margin", "minCandidateReports",
      "minControlReports", "catastropheMinReports", "catastropheCeiling", "metrics", "passScore", "marginalScore");

  private final double alpha;
  private final double hazardAlpha;
  private final double margin;
  private final int minCandidateReports;
  private final int minControlReports;
  private final int catastropheMinReports;
  private final double catastropheCeiling;
  private final double failThreshold;
  private final ProbeJudge probes;

  private HealthGate(Map<String, Object> params) {
    List<String> problems = new ArrayList<>();
    for (String key : params.keySet()) {
      if (!PARAMS.contains(key)) {
        problems.add("gate.params." + key + ": unknown parameter of " + TYPE + "; known: " + new java.util.TreeSet<>(PARAMS));
      }
    }
    Params p = new Params(params, problems, "gate.params.");
    this.alpha = p.fraction("alpha", 0.01, 0.0, 0.5);
    this.margin = p.number("margin", DEFAULT_MARGIN, 1.0, 100.0);
    this.minCandidateReports = p.integer("minCandidateReports", 20, 1);
    this.minControlReports = p.integer("minControlReports", 100, 1);
    this.catastropheMinReports = p.integer("catastropheMinReports", 20, 1);
    this.catastropheCeiling = p.fraction("catastropheCeiling", 0.20, 0.0, 1.0);
    this.probes = ProbeJudge.from(params.get("metrics"), p.number("passScore", 95, 0, 100),
        p.number("marginalScore", 75, 0, 100), problems);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    this.hazardAlpha = probes.isEmpty() ? alpha : alpha * 0.8;
    this.failThreshold = Math.log(1 / hazardAlpha);
  }

  /** @return a judge with every default */
  public static HealthGate ofDefaults() {
    return new HealthGate(Map.of());
  }

  /**
   * Makes a judge from a ring's gate spec.
   *
   * @param spec the spec; its params override the defaults
   * @return the judge
   * @throws InvalidPlanException naming every bad parameter
   */
  public static HealthGate fromSpec(GateSpec spec) {
    return new HealthGate(spec.params());
  }

  /** @return the minimum candidate reports a ring needs before it can PASS (with the ring's minSample) */
  public int minCandidateReports() {
    return minCandidateReports;
  }

  @Override
  public Verdict evaluate(GateContext context) {
    ArmStats candidate = context.candidate();
    ArmStats control = context.control();
    HazardComparison hazard = context.hazard(margin, hazardAlpha);
    Map<String, Double> evidence = new LinkedHashMap<>();
    evidence.put("candidateReported", (double) candidate.reported());
    evidence.put("candidateFailures", (double) candidate.failures());
    evidence.put("candidateSilent", (double) candidate.silent());
    evidence.put("candidateRate", candidate.failureRate());
    evidence.put("controlReported", (double) control.reported());
    evidence.put("controlFailures", (double) control.failures());
    evidence.put("controlRate", control.failureRate());
    evidence.put("candidateFailureEvents", (double) hazard.candidateFailures());
    evidence.put("controlFailureEvents", (double) hazard.controlFailures());
    evidence.put("candidateHostHours", hazard.candidateHostHours());
    evidence.put("controlHostHours", hazard.controlHostHours());
    evidence.put("rateRatio", hazard.ratioEstimate());
    evidence.put("rateRatioLower", hazard.ratioLower());
    evidence.put("rateRatioUpper", hazard.ratioUpper());
    evidence.put("logEValue", hazard.logEValue());
    evidence.put("threshold", failThreshold);
    evidence.put("alpha", alpha);
    evidence.put("margin", margin);
    String rates = hazard.describe();

    // Reported failures only: silence is the hazard test's to judge, against the control's silence (a
    // handful of quiet hosts in a small canary under heavy loss is not a catastrophe).
    double excess = reportedFailureShare(candidate) - reportedFailureShare(control);
    if (candidate.reported() >= catastropheMinReports && excess > catastropheCeiling) {
      evidence.put("ceiling", catastropheCeiling);
      return Verdict.fail("catastrophe", String.format(Locale.ROOT, "candidate reported failures %.1f%% (%d/%d: %s)"
          + " exceed the control's %.1f%% by more than %s after %d reports: FAIL",
          100 * reportedFailureShare(candidate), reportedFailures(candidate), candidate.reported(),
          describeReported(candidate), 100 * reportedFailureShare(control), percent(catastropheCeiling),
          candidate.reported()), evidence);
    }

    double e = hazard.logEValue();
    // Rounded for people; a tiny negative value would otherwise print as "-0.0".
    double shown = Math.abs(e) < 0.05 ? 0.0 : e;
    String test = String.format(Locale.ROOT, "log e-value %.1f %s %.1f (ratio ≤ %s at α %s)", shown,
        e >= failThreshold ? "≥" : "<", failThreshold, trim(margin), trim(hazardAlpha));
    if (e >= failThreshold) {
      return Verdict.fail(HAZARD_TEST, rates + "; " + test + ": FAIL", evidence);
    }

    ProbeJudge.Outcome probeOutcome = probes.judge(context, evidence, alpha - hazardAlpha);
    if (probeOutcome.failed()) {
      return Verdict.fail(PROBE_TEST, rates + "; " + probeOutcome.summary() + ": FAIL", evidence);
    }

    ArmStats inRing = context.candidateInRing();
    long neededCandidate = Math.max(context.ring().minSample(), minCandidateReports);
    // The open ring's own endpoints must have reported, not only earlier rings'.
    long ringReported = context.ringIndex() > 0 ? inRing.reported() : candidate.reported();
    if (ringReported < neededCandidate || control.reported() < minControlReports) {
      return Verdict.inconclusive(HAZARD_TEST, "too few reports: candidate " + ringReported + " of "
          + neededCandidate + " needed" + (context.ringIndex() > 0 ? " in this ring" : "") + ", control "
          + control.reported() + " of " + minControlReports + " needed; " + rates + "; " + test, evidence);
    }
    if (probeOutcome.inconclusive()) {
      return Verdict.inconclusive(PROBE_TEST, rates + "; " + test + "; " + probeOutcome.summary(), evidence);
    }
    return Verdict.pass(HAZARD_TEST, rates + "; " + test + (probes.isEmpty() ? "" : "; " + probeOutcome.summary())
        + ": PASS", evidence);
  }

  private static long reportedFailures(ArmStats arm) {
    return arm.crashed() + arm.failedApply() + arm.revertedByAgent();
  }

  private static double reportedFailureShare(ArmStats arm) {
    return arm.reported() == 0 ? 0 : reportedFailures(arm) / (double) arm.reported();
  }

  private static String describeReported(ArmStats arm) {
    return new ArmStats(0, arm.crashed(), arm.failedApply(), 0, arm.revertedByAgent()).describeFailures();
  }

  private static String trim(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
  }

  /** Reads typed parameters, collecting every problem. */
  static final class Params {
    private final Map<String, Object> params;
    private final List<String> problems;
    private final String prefix;

    Params(Map<String, Object> params, List<String> problems, String prefix) {
      this.params = params;
      this.problems = problems;
      this.prefix = prefix;
    }

    double number(String key, double fallback, double min, double max) {
      Object value = params.get(key);
      if (value == null) {
        return fallback;
      }
      if (!(value instanceof Number) || !Double.isFinite(((Number) value).doubleValue())) {
        problems.add(prefix + key + ": must be a number, found " + value);
        return fallback;
      }
      double number = ((Number) value).doubleValue();
      if (number < min || number > max) {
        problems.add(prefix + key + ": " + number + " is outside " + min + ".." + max);
        return fallback;
      }
      return number;
    }

    double fraction(String key, double fallback, double exclusiveMin, double max) {
      double value = number(key, fallback, exclusiveMin, max);
      if (value <= exclusiveMin) {
        problems.add(prefix + key + ": " + value + " must be above " + exclusiveMin);
        return fallback;
      }
      return value;
    }

    int integer(String key, int fallback, int min) {
      Object value = params.get(key);
      if (value == null) {
        return fallback;
      }
      if (!(value instanceof Integer || value instanceof Long)) {
        problems.add(prefix + key + ": must be a whole number, found " + value);
        return fallback;
      }
      long number = ((Number) value).longValue();
      if (number < min || number > Integer.MAX_VALUE) {
        problems.add(prefix + key + ": " + number + " is outside " + min + ".." + Integer.MAX_VALUE);
        return fallback;
      }
      return (int) number;
    }
  }
}
