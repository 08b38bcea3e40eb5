package dev.ringfence.core.gate;

import dev.ringfence.core.health.ProbeSamples;
import dev.ringfence.core.internal.stats.StratifiedShift;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Judges probe metrics with Kayenta's rule on an interval that holds at every look. Per metric: one value
 * per endpoint and arm, compared window by window ({@link StratifiedShift}); the shift estimate comes with
 * a confidence sequence at the metric's share of the probes' α. A metric fails when the interval lies
 * on the worse side beyond {@code tolerance} times the estimate (Kayenta's MannWhitneyClassifier: the
 * interval must exclude the shifts smaller than that fraction of the one estimated, so a significant but
 * vague shift does not fail) and the estimate moves the control's median by more than {@code effectSize}
 * (relative; 0, the default, as in Kayenta, asks for no least effect). A critical metric that fails fails
 * the verdict on its own; otherwise the share of passing metrics (the score) must reach {@code passScore},
 * and a score below {@code marginalScore} fails.
 */
final class ProbeJudge {

  private static final Set<String> FIELDS = Set.of("name", "direction", "tolerance", "effectSize", "critical",
      "minSamples");

  /** One metric to judge. */
  record Metric(String name, boolean higherIsWorse, double tolerance, double effectSize, boolean critical,
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
    double tolerance = p.fraction("tolerance", 0.25, 0, 1);
    double effectSize = p.number("effectSize", 0, 0, 100);
    int minSamples = p.integer("minSamples", 20, 3);
    if (problems.size() > before) {
      return null;
    }
    return new Metric((String) name, "increase".equals(direction), tolerance, effectSize, (Boolean) critical,
        minSamples);
  }

  boolean isEmpty() {
    return metrics.isEmpty();
  }

  /**
   * @param alpha the probes' share of the rollout's α, split evenly between the metrics
   */
  Outcome judge(GateContext context, Map<String, Double> evidence, double alpha) {
    if (metrics.isEmpty()) {
      return new Outcome(false, false, "");
    }
    double metricAlpha = alpha / metrics.size();
    int passed = 0;
    int judged = 0;
    boolean criticalFailed = false;
    boolean missing = false;
    List<String> parts = new ArrayList<>();
    for (Metric metric : metrics) {
      ProbeSamples samples = context.probeSamples(metric.name());
      StratifiedShift.Result r = StratifiedShift.compare(samples.candidate(), samples.candidateWindows(),
          samples.control(), samples.controlWindows(), metricAlpha);
      if (r.candidateCount() < metric.minSamples() || r.controlCount() < metric.minSamples()) {
        missing = true;
        parts.add(metric.name() + " no data (" + r.candidateCount() + "/" + r.controlCount()
            + " endpoints compared, " + metric.minSamples() + " needed)");
        continue;
      }
      double estimate = r.estimate();
      double relative = r.controlMedian() == 0 ? estimate : estimate / Math.abs(r.controlMedian());
      double critical = metric.tolerance() * Math.abs(estimate);
      boolean worse = metric.higherIsWorse()
          ? r.lower() > critical && relative > metric.effectSize()
          : r.upper() < -critical && relative < -metric.effectSize();
      judged++;
      if (!worse) {
        passed++;
      } else if (metric.critical()) {
        criticalFailed = true;
      }
      evidence.put("metric." + metric.name() + ".shift", estimate);
      evidence.put("metric." + metric.name() + ".lower", r.lower());
      evidence.put("metric." + metric.name() + ".upper", r.upper());
      evidence.put("metric." + metric.name() + ".relativeShift", relative);
      parts.add(String.format(Locale.ROOT, "%s %+.3g (%+.1f%%), %s%% interval [%.3g, %.3g], %d vs %d endpoints%s",
          metric.name(), estimate, 100 * relative, trim(100 * (1 - metricAlpha)), r.lower(), r.upper(),
          r.candidateCount(), r.controlCount(), worse ? (metric.critical() ? " FAIL critical" : " FAIL") : " ok"));
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

  private static String trim(double value) {
    String s = String.format(Locale.ROOT, "%.4f", value);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
