package dev.ringfence.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.HealthGate;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.testing.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The judge on hand-made arm statistics: every branch of the verdict, with its numbers. */
class HealthGateTest {

  /** A context with chosen arms and probe readings. */
  private static GateContext context(ArmStats candidate, ArmStats control, Map<String, ProbeSamples> probes) {
    return context(candidate, candidate, 0, control, probes, QUIET);
  }

  /** No failures in either arm yet: the hazard test has nothing against the candidate. */
  private static final HazardComparison QUIET = new HazardComparison(0, 0, 100, 10_000, Double.NaN, 1.25, 0, 0.01, 0,
      Double.POSITIVE_INFINITY);

  private static GateContext context(ArmStats candidate, ArmStats inRing, int ringIndex, ArmStats control,
      Map<String, ProbeSamples> probes, HazardComparison hazard) {
    return new FixedContext("r", "c", 41, 42, Fixtures.fourRings(), ringIndex, Instant.EPOCH,
        Instant.EPOCH.plusSeconds(3600), candidate.reported(), candidate.reported(), candidate, inRing, control, hazard,
        probes);
  }

  /** A context whose every answer is chosen; it checks that the judge asks for the hazard test at its margin. */
  private record FixedContext(String rolloutId, String channel, long baselineVersion, long candidateVersion, Plan plan,
      int ringIndex, Instant ringOpenedAt, Instant now, long exposedInRing, long exposedTotal, ArmStats candidate,
      ArmStats candidateInRing, ArmStats control, HazardComparison hazard, Map<String, ProbeSamples> probes)
      implements GateContext {

    @Override
    public HazardComparison hazard(double margin, double alpha) {
      assertThat(margin).isEqualTo(hazard.margin());
      return hazard;
    }

    @Override
    public Set<String> probeMetrics() {
      return probes.keySet();
    }

    @Override
    public ProbeSamples probeSamples(String metric) {
      return probes.getOrDefault(metric, new ProbeSamples(metric, new double[0], new double[0]));
    }
  }

  private static Verdict judge(ArmStats candidate, ArmStats control) {
    return HealthGate.ofDefaults().evaluate(context(candidate, control, Map.of()));
  }

  @Test
  void catastrophe_twentyReportsAboveTheCeiling_failsWithoutControlData() {
    Verdict verdict = judge(new ArmStats(5, 8, 0, 7, 0), ArmStats.EMPTY);
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.test()).isEqualTo("catastrophe");
    assertThat(verdict.reason()).isEqualTo("candidate reported failures 40.0% (8/20: 8 crashed) exceed the"
        + " control's 0.0% by more than 20% after 20 reports: FAIL");
    assertThat(verdict.evidence()).containsEntry("candidateReported", 20.0).containsEntry("candidateSilent", 7.0);
  }

  @Test
  void catastrophe_silenceAlone_isLeftToTheHazardTest() {
    // Seven of thirty quiet at once under heavy loss, or a whole-fleet outage: not a catastrophe.
    assertThat(judge(new ArmStats(23, 0, 0, 7, 0), new ArmStats(3_741, 0, 0, 100, 0)).outcome())
        .isNotEqualTo(Outcome.FAIL);
    assertThat(judge(new ArmStats(20, 0, 0, 80, 0), new ArmStats(150, 0, 0, 850, 0)).outcome())
        .isNotEqualTo(Outcome.FAIL);
  }

  @Test
  void catastrophe_nineteenReports_waitsForTheTwentieth() {
    assertThat(judge(new ArmStats(0, 19, 0, 0, 0), ArmStats.EMPTY).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
  }

  @Test
  void hazardTest_eValueAtTheThreshold_failsWithTheNumbersInOneLine() {
    HazardComparison bad = new HazardComparison(12, 3, 150, 9_800, 261.3, 1.25, Math.log(100), 0.01, 64,
        Double.POSITIVE_INFINITY);
    Verdict verdict = HealthGate.ofDefaults().evaluate(context(new ArmStats(138, 12, 0, 0, 0),
        new ArmStats(138, 12, 0, 0, 0), 0, new ArmStats(9_997, 3, 0, 0, 0), Map.of(), bad));
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.test()).isEqualTo(HealthGate.HAZARD_TEST);
    assertThat(verdict.reason()).isEqualTo("candidate 12 failures in 150 host-h (80 per 1,000 h) vs control 3 in"
        + " 9,800 host-h (0.31 per 1,000 h): ratio 261, 99% interval [64, ∞); log e-value 4.6 ≥ 4.6 (ratio ≤ 1.25"
        + " at α 0.01): FAIL");
    assertThat(verdict.evidence()).containsEntry("logEValue", Math.log(100)).containsEntry("rateRatioLower", 64.0)
        .containsEntry("candidateHostHours", 150.0);
    assertThat(verdict.evidence().get("threshold")).isCloseTo(Math.log(100), org.assertj.core.data.Offset
        .offset(1e-12));
  }

  @Test
  void hazardTest_belowTheThreshold_passesOnceBothArmsHaveEnoughReports() {
    HazardComparison even = new HazardComparison(5, 50, 1_000, 10_000, 1.0, 1.25, -3.2, 0.01, 0.25, 4);
    Verdict verdict = HealthGate.ofDefaults().evaluate(context(new ArmStats(995, 5, 0, 0, 0),
        new ArmStats(995, 5, 0, 0, 0), 0, new ArmStats(9950, 50, 0, 0, 0), Map.of(), even));
    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.reason()).startsWith("candidate 5 failures in 1,000 host-h (5 per 1,000 h) vs control 50 in"
        + " 10,000 host-h (5 per 1,000 h): ratio 1, 99% interval [0.25, 4]; log e-value -3.2 < 4.6 (ratio ≤ 1.25").endsWith(": PASS");
  }

  @Test
  void withProbes_theHazardTestGetsFourFifthsOfAlpha() {
    HealthGate gate = HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("alpha", 0.05, "metrics",
        List.of(Map.of("name", "cpu")))));
    HazardComparison quiet = new HazardComparison(0, 0, 100, 10_000, Double.NaN, 1.25, 0, 0.04, 0, Double.POSITIVE_INFINITY);
    Verdict verdict = gate.evaluate(context(new ArmStats(1000, 0, 0, 0, 0), new ArmStats(1000, 0, 0, 0, 0), 0,
        new ArmStats(10_000, 0, 0, 0, 0), Map.of(), quiet));
    assertThat(verdict.evidence().get("threshold")).isCloseTo(Math.log(1 / 0.04), org.assertj.core.data.Offset
        .offset(1e-12));
  }

  @Test
  void laterRing_needsReportsFromItsOwnEndpoints() {
    Verdict verdict = HealthGate.ofDefaults().evaluate(context(new ArmStats(1000, 0, 0, 0, 0),
        new ArmStats(5, 0, 0, 0, 0), 1, new ArmStats(10_000, 0, 0, 0, 0), Map.of(), QUIET));
    assertThat(verdict.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(verdict.reason()).startsWith("too few reports: candidate 5 of 20 needed in this ring");
  }

  @Test
  void tooFewReports_inEitherArm_isInconclusive_neverPass() {
    Verdict fewCandidates = judge(new ArmStats(19, 0, 0, 0, 0), new ArmStats(10_000, 0, 0, 0, 0));
    assertThat(fewCandidates.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(fewCandidates.reason()).startsWith("too few reports: candidate 19 of 20 needed, control 10000 of 100");
    Verdict fewControls = judge(new ArmStats(500, 0, 0, 0, 0), new ArmStats(99, 0, 0, 0, 0));
    assertThat(fewControls.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(judge(ArmStats.EMPTY, ArmStats.EMPTY).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
  }

  @Test
  void params_overrideDefaults_andBadOnesAreAllReportedWithTheirPaths() {
    HealthGate strict = HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("catastropheCeiling", 0.5,
        "catastropheMinReports", 10)));
    assertThat(strict.evaluate(context(new ArmStats(6, 4, 0, 0, 0), ArmStats.EMPTY, Map.of())).outcome())
        .isEqualTo(Outcome.INCONCLUSIVE); // 40% is under a 50% ceiling
    assertThatThrownBy(() -> HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("alpha", 0.9, "margin", "x",
        "relativeRisk", 3, "minControlReports", 1.5, "speling", 1))))
        .isInstanceOf(InvalidPlanException.class)
        .satisfies(e -> assertThat(((InvalidPlanException) e).problems()).hasSize(5)
            .anyMatch(p -> p.startsWith("gate.params.alpha: 0.9 is outside"))
            .anyMatch(p -> p.startsWith("gate.params.margin: must be a number"))
            .anyMatch(p -> p.startsWith("gate.params.relativeRisk: unknown parameter"))
            .anyMatch(p -> p.startsWith("gate.params.minControlReports: must be a whole number"))
            .anyMatch(p -> p.startsWith("gate.params.speling: unknown parameter")));
    assertThatThrownBy(() -> HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("margin", 0.5))))
        .isInstanceOf(InvalidPlanException.class).hasMessageContaining("gate.params.margin: 0.5 is outside 1.0..100.0");
    assertThatThrownBy(() -> HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("metrics",
        List.of(Map.of("name", "cpu", "direction", "up", "tolerance", -1, "confidence", 0.9))))))
        .isInstanceOf(InvalidPlanException.class).hasMessageContaining("gate.params.metrics[0].direction")
        .hasMessageContaining("gate.params.metrics[0].tolerance")
        .hasMessageContaining("gate.params.metrics[0].confidence: unknown field");
  }

  private static double[] normal(SplittableRandom random, int n, double mean, double sd) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller, seeded.
      double u = 1 - random.nextDouble();
      out[i] = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
    return out;
  }

  /**
   * The verdict of a health gate watching one probe metric, {@code metric}, on its {@code samples}, when 1,000
   * candidate and 10,000 control endpoints report no failures.
   */
  private static Verdict probeVerdict(Map<String, Object> metric, ProbeSamples samples) {
    HealthGate gate = HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("metrics", List.of(metric))));
    return gate.evaluate(context(new ArmStats(1000, 0, 0, 0, 0), new ArmStats(10_000, 0, 0, 0, 0),
        Map.of(samples.metric(), samples)));
  }

  @Test
  void criticalProbe_clearlyWorse_fails_evenWhenFailureRatesAreEqual() {
    SplittableRandom random = new SplittableRandom(7);
    ProbeSamples cpu = new ProbeSamples("cpu", normal(random, 200, 0.60, 0.05), normal(random, 400, 0.40, 0.05));
    Verdict verdict = probeVerdict(Map.of("name", "cpu", "critical", true), cpu);
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.test()).isEqualTo(HealthGate.PROBE_TEST);
    assertThat(verdict.reason()).containsPattern("cpu \\+0\\.\\d+ \\(\\+(49|50|51)\\.\\d%\\)")
        .contains("200 vs 400 endpoints FAIL critical");
    assertThat(verdict.evidence().get("metric.cpu.lower")).isGreaterThan(0.15);
    assertThat(verdict.evidence().get("metric.cpu.upper")).isLessThan(0.25);
  }

  @Test
  void probe_shiftUnderTheEffectSize_passes_andMissingReadingsAreInconclusive() {
    SplittableRandom random = new SplittableRandom(8);
    ProbeSamples latency = new ProbeSamples("latency", normal(random, 500, 105, 5), normal(random, 500, 100, 5));
    Verdict significant = probeVerdict(Map.of("name", "latency", "critical", true), latency);
    assertThat(significant.outcome()).isEqualTo(Outcome.FAIL); // +5% is clear and no least effect was asked for
    HealthGate gate = HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("metrics",
        List.of(Map.of("name", "latency", "critical", true, "effectSize", 0.10), Map.of("name", "memory")))));
    ArmStats healthy = new ArmStats(1000, 0, 0, 0, 0);
    ArmStats control = new ArmStats(10_000, 0, 0, 0, 0);
    Verdict noMemory = gate.evaluate(context(healthy, control, Map.of("latency", latency)));
    assertThat(noMemory.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(noMemory.reason()).contains("memory no data");
    ProbeSamples memory = new ProbeSamples("memory", normal(random, 50, 300, 10), normal(random, 50, 300, 10));
    Verdict both = gate.evaluate(context(healthy, control, Map.of("latency", latency, "memory", memory)));
    assertThat(both.outcome()).isEqualTo(Outcome.PASS); // +5% latency is clear but under the 10% effect size
    assertThat(both.reason()).containsPattern("latency \\+[0-9.]+ \\(\\+(4|5)\\.\\d%\\)").contains("score 100");
  }

  @Test
  void probe_decreaseIsWorse_failsWhenTheMetricDrops() {
    SplittableRandom random = new SplittableRandom(9);
    ProbeSamples throughput = new ProbeSamples("throughput", normal(random, 100, 50, 5), normal(random, 100, 100, 5));
    Verdict verdict = probeVerdict(Map.of("name", "throughput", "direction", "decrease"), throughput);
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL); // score 0 is below the marginal 75
    assertThat(verdict.reason()).containsPattern("throughput -[0-9.]+ \\(-(49|50|51)\\.\\d%\\), 99\\.8% interval \\[-")
        .contains(" FAIL; score 0");
  }
}
