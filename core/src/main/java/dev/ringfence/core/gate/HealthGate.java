package dev.ringfence.core.gate;

import dev.ringfence.core.health.ArmStats;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The built-in health judge, gate type {@value #TYPE}: compares the candidate arm with the control
 * arm and halts a bad candidate by itself. See {@code docs/judge.md} for the statistics.
 *
 * <ol>
 *   <li><b>Catastrophe fast path.</b> Once at least {@code catastropheMinReports} (20) exposed
 *       endpoints have reported or gone silent, a candidate failure share above {@code
 *       catastropheCeiling} (20%) is FAIL at once, without control data or bake time.
 *   <li><b>Sequential test.</b> A Wald SPRT on where failures land. Given the arms' sizes, under H0
 *       (the candidate fails no more often than the control) each failed endpoint is a candidate with
 *       probability {@code π0 = n_t / (n_t + n_c)}; under H1 (it fails {@code relativeRisk} times as
 *       often) with {@code π1 = R n_t / (R n_t + n_c)}. The log-likelihood ratio {@code x_t ln(π1/π0)
 *       + x_c ln((1-π1)/(1-π0))} is compared with {@code ln((1-β)/α)}; crossing it is FAIL. The SPRT
 *       is built for continuous monitoring: looking at it on every tick does not inflate false halts
 *       the way re-running a fixed-sample test would. The control's own failure rate is not needed
 *       (it cancels out), so a low baseline rate does not hide a regression.
 *   <li><b>Probe metrics</b> (optional): each compared with a one-sided Mann-Whitney U test and a
 *       tolerance on the relative shift of the median; a critical metric that fails is FAIL.
 *   <li><b>Enough data.</b> PASS needs at least {@code max(ring.minSample, minCandidateReports)}
 *       candidate reports and {@code minControlReports} control reports; before that the verdict is
 *       INCONCLUSIVE, which never opens the next ring.
 * </ol>
 */
public final class HealthGate implements Gate {

  /** The gate type, as written in plans. */
  public static final String TYPE = "health";

  /** The factory registered under {@value #TYPE} by default. */
  public static final GateFactory FACTORY = HealthGate::fromSpec;

  private static final Set<String> PARAMS = Set.of("alpha", "beta", "relativeRisk", "minCandidateReports",
      "minControlReports", "catastropheMinReports", "catastropheCeiling", "metrics", "passScore", "marginalScore");

  private final double alpha;
  private final double beta;
  private final double relativeRisk;
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
    this.beta = p.fraction("beta", 0.05, 0.0, 0.5);
    this.relativeRisk = p.number("relativeRisk", 3.0, 1.0, 1_000.0);
    this.minCandidateReports = p.integer("minCandidateReports", 20, 1);
    this.minControlReports = p.integer("minControlReports", 100, 1);
    this.catastropheMinReports = p.integer("catastropheMinReports", 20, 1);
    this.catastropheCeiling = p.fraction("catastropheCeiling", 0.20, 0.0, 1.0);
    this.probes = ProbeJudge.from(params.get("metrics"), p.number("passScore", 95, 0, 100),
        p.number("marginalScore", 75, 0, 100), problems);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    this.failThreshold = Math.log((1 - beta) / alpha);
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

  @Override
  public Verdict evaluate(GateContext context) {
    ArmStats candidate = context.candidate();
    ArmStats control = context.control();
    Map<String, Double> evidence = new LinkedHashMap<>();
    evidence.put("candidateReported", (double) candidate.reported());
    evidence.put("candidateFailures", (double) candidate.failures());
    evidence.put("candidateSilent", (double) candidate.silent());
    evidence.put("candidateRate", candidate.failureRate());
    evidence.put("controlReported", (double) control.reported());
    evidence.put("controlFailures", (double) control.failures());
    evidence.put("controlRate", control.failureRate());
    String rates = "candidate failure rate " + describe(candidate) + " vs control " + control.describeRate();

    if (candidate.reported() >= catastropheMinReports && candidate.failureRate() > catastropheCeiling) {
      evidence.put("ceiling", catastropheCeiling);
      return Verdict.fail("catastrophe", "candidate failure rate " + describe(candidate) + " is above the "
          + percent(catastropheCeiling) + " ceiling after " + candidate.reported() + " reports: FAIL", evidence);
    }

    double llr = logLikelihoodRatio(candidate, control);
    evidence.put("logLikelihoodRatio", llr);
    evidence.put("threshold", failThreshold);
    evidence.put("alpha", alpha);
    evidence.put("beta", beta);
    evidence.put("relativeRisk", relativeRisk);
    // Rounded for people; a tiny negative value would otherwise print as "-0.0".
    double shown = Math.abs(llr) < 0.05 ? 0.0 : llr;
    String sprt = String.format(Locale.ROOT, "SPRT log-LR %.1f %s %.1f", shown, llr >= failThreshold ? "≥" : "<",
        failThreshold);
    if (llr >= failThreshold) {
      return Verdict.fail("sprt", rates + ", " + sprt + ": FAIL", evidence);
    }

    // Beyond the first ring, the ring's own endpoints are judged too: a regression that only the newest
    // ring shows must not hide behind the healthy earlier rings.
    ArmStats inRing = context.candidateInRing();
    String ringName = "ring '" + context.ring().name() + "' alone: ";
    if (context.ringIndex() > 0) {
      evidence.put("ringReported", (double) inRing.reported());
      evidence.put("ringFailures", (double) inRing.failures());
      if (inRing.reported() >= catastropheMinReports && inRing.failureRate() > catastropheCeiling) {
        return Verdict.fail("catastrophe", ringName + "candidate failure rate " + describe(inRing) + " is above the "
            + percent(catastropheCeiling) + " ceiling after " + inRing.reported() + " reports: FAIL", evidence);
      }
      double ringLlr = logLikelihoodRatio(inRing, control);
      evidence.put("ringLogLikelihoodRatio", ringLlr);
      if (ringLlr >= failThreshold) {
        return Verdict.fail("sprt", String.format(Locale.ROOT, "%scandidate failure rate %s vs control %s, SPRT"
            + " log-LR %.1f ≥ %.1f: FAIL", ringName, describe(inRing), control.describeRate(), ringLlr,
            failThreshold), evidence);
      }
    }

    ProbeJudge.Outcome probeOutcome = probes.judge(context, evidence);
    if (probeOutcome.failed()) {
      return Verdict.fail("mann-whitney", rates + "; " + probeOutcome.summary() + ": FAIL", evidence);
    }

    long neededCandidate = Math.max(context.ring().minSample(), minCandidateReports);
    // The open ring's own endpoints must have reported, not only earlier rings'.
    long ringReported = context.ringIndex() > 0 ? inRing.reported() : candidate.reported();
    if (ringReported < neededCandidate || control.reported() < minControlReports) {
      return Verdict.inconclusive("sprt", "too few reports: candidate " + ringReported + " of "
          + neededCandidate + " needed" + (context.ringIndex() > 0 ? " in this ring" : "") + ", control "
          + control.reported() + " of " + minControlReports + " needed; " + rates + ", " + sprt, evidence);
    }
    if (probeOutcome.inconclusive()) {
      return Verdict.inconclusive("mann-whitney", rates + ", " + sprt + "; " + probeOutcome.summary(), evidence);
    }
    return Verdict.pass("sprt", rates + ", " + sprt + (probes.isEmpty() ? "" : "; " + probeOutcome.summary())
        + ": PASS", evidence);
  }

  /**
   * The SPRT statistic. With no control reports (or no reports at all) there is nothing to compare
   * and the statistic is 0.
   */
  double logLikelihoodRatio(ArmStats candidate, ArmStats control) {
    double nt = candidate.reported();
    double nc = control.reported();
    if (nt == 0 || nc == 0) {
      return 0;
    }
    double pi0 = nt / (nt + nc);
    double pi1 = relativeRisk * nt / (relativeRisk * nt + nc);
    return candidate.failures() * Math.log(pi1 / pi0) + control.failures() * Math.log((1 - pi1) / (1 - pi0));
  }

  private static String describe(ArmStats arm) {
    return arm.failures() == 0 ? arm.describeRate() : arm.describeRate().replace(")", ": "
        + arm.describeFailures() + ")");
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
        problems.add(prefix + key + ": " + number + " is below " + min);
        return fallback;
      }
      return (int) number;
    }
  }
}
