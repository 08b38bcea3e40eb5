package dev.ringfence.core.gate;

import dev.ringfence.core.health.ProbeSamples;
import dev.ringfence.core.internal.stats.MannWhitney;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Judges probe metrics the way Kayenta does: per metric a one-sided Mann-Whitney U test of the
 * candidate's readings against the control's, plus a tolerance on the relative shift of the median,
 * so that a statistically clear but tiny change does not fail a rollout. A critical metric that fails
 * fails the verdict on its own; otherwise the share of passing metrics (the score) must reach
 * {@code passScore}, and a score below {@code marginalScore} fails.
 */
final class ProbeJudge {

  private static final Set<String> FIELDS = Set.of("name", "direction", "tolerance", "confidence", "critical",
      "minSamples");

  /** One metric to judge. */
  record Metric(String name, boolean higherIsWorse, double tolerance, double confidence, boolean critical,
      int minSamples) {}

  /** The judgement of every metric together. */
  record Outcome(boolean failed, boolean inconclusive, String summary) {}

  private final List<Metric> metrics;
  private final double passScore;
  private final double marginalScore;

  private ProbeJudge(List<Metric> metrics, double passScore, double marginalScore) {
    this.metrics = List.copyOf(metrics);
    this.passScore = passScore;
    this.marginalScore = marginalScore;
  }

  static ProbeJudge from(Object param, double passScore, double marginalScore, List<String> problems) {
    List<Metric> metrics = new ArrayList<>();
    if (param != null) {
      if (!(param instanceof List)) {
        problems.add("gate.params.metrics: must be a list of metric objects");
      } else {
        List<?> list = (List<?>) param;
        for (int i = 0; i < list.size(); i++) {
          Metric metric = metric(list.get(i), "gate.params.metrics[" + i + "]", problems);
          if (metric != null) {
            metrics.add(metric);
          }
        }
      }
    }
    if (marginalScore > passScore) {
      problems.add("gate.params.marginalScore: " + marginalScore + " is above passScore " + passScore);
    }
    return new ProbeJudge(metrics, passScore, marginalScore);
  }

  private static Metric metric(Object value, String path, List<String> problems) {
    if (!(value instanceof Map)) {
      problems.add(path + ": must be an object with at least a name");
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    int before = problems.size();
    for (String key : map.keySet()) {
      if (!FIELDS.contains(key)) {
        problems.add(path + "." + key + ": unknown field; known fields are " + new java.util.TreeSet<>(FIELDS));
      }
    }
    Object name = map.get("name");
    if (!(name instanceof String) || ((String) name).isBlank()) {
      problems.add(path + ".name: must be a non-blank string");
    }
    Object direction = map.getOrDefault("direction", "increase");
    if (!"increase".equals(direction) && !"decrease".equals(direction)) {
      problems.add(path + ".direction: '" + direction + "' must be 'increase' (higher is worse) or 'decrease'");
    }
    Object critical = map.getOrDefault("critical", Boolean.FALSE);
    if (!(critical instanceof Boolean)) {
      problems.add(path + ".critical: must be true or false");
    }
    HealthGate.Params p = new HealthGate.Params(map, problems, path + ".");
    double tolerance = p.number("tolerance", 0.25, 0, 100);
    double confidence = p.fraction("confidence", 0.98, 0.5, 0.999_999);
    int minSamples = p.integer("minSamples", 20, 3);
    if (problems.size() > before) {
      return null;
    }
    return new Metric((String) name, "increase".equals(direction), tolerance, confidence, (Boolean) critical,
        minSamples);
  }


  boolean isEmpty() {
    return metrics.isEmpty();
  }

  Outcome judge(GateContext context, Map<String, Double> evidence) {
    if (metrics.isEmpty()) {
      return new Outcome(false, false, "");
    }
    int passed = 0;
    int judged = 0;
    boolean criticalFailed = false;
    boolean missing = false;
    List<String> parts = new ArrayList<>();
    for (Metric metric : metrics) {
      ProbeSamples samples = context.probeSamples(metric.name());
      double[] candidate = samples.candidate();
      double[] control = samples.control();
      if (candidate.length < metric.minSamples() || control.length < metric.minSamples()) {
        missing = true;
        parts.add(metric.name() + " no data (" + candidate.length + "/" + control.length + " readings of "
            + metric.minSamples() + ")");
        continue;
      }
      MannWhitney.Result result = MannWhitney.test(candidate, candidate.length, control, control.length);
      double p = metric.higherIsWorse() ? result.pGreater() : result.pLess();
      double shift = relativeShift(result.candidateMedian(), result.controlMedian(), result.hodgesLehmannShift());
      boolean worse = metric.higherIsWorse() ? shift > metric.tolerance() : shift < -metric.tolerance();
      boolean failed = worse && p < 1 - metric.confidence();
      judged++;
      if (!failed) {
        passed++;
      } else if (metric.critical()) {
        criticalFailed = true;
      }
      evidence.put("metric." + metric.name() + ".p", p);
      evidence.put("metric." + metric.name() + ".shift", shift);
      parts.add(String.format(Locale.ROOT, "%s %+.0f%% (p=%.3g)%s", metric.name(), 100 * shift, p,
          failed ? (metric.critical() ? " FAIL critical" : " FAIL") : " ok"));
    }
    double score = judged == 0 ? 0 : 100.0 * passed / judged;
    evidence.put("probeScore", score);
    String summary = "probes: " + String.join(", ", parts) + String.format(Locale.ROOT, "; score %.0f", score);
    if (criticalFailed) {
      return new Outcome(true, false, summary);
    }
    if (missing) {
      return new Outcome(false, true, summary);
    }
    if (score < marginalScore) {
      return new Outcome(true, false, summary);
    }
    return new Outcome(false, score < passScore, summary);
  }

  /**
   * Shift of the candidate relative to the control: by the medians, or, when the control's median is
   * 0, by the Hodges-Lehmann shift itself (an absolute change from nothing).
   */
  private static double relativeShift(double candidateMedian, double controlMedian, double hodgesLehmann) {
    if (controlMedian == 0) {
      return hodgesLehmann;
    }
    return (candidateMedian - controlMedian) / Math.abs(controlMedian);
  }
}
