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
    return context(candidate, candidate, 0, control, probes);
  }

  private static GateContext context(ArmStats candidate, ArmStats inRing, int ringIndex, ArmStats control,
      Map<String, ProbeSamples> probes) {
    Plan plan = Fixtures.fourRings();
    return new GateContext() {
      @Override
      public String rolloutId() {
        return "r";
      }

      @Override
      public String channel() {
        return "c";
      }

      @Override
      public long baselineVersion() {
        return 41;
      }

      @Override
      public long candidateVersion() {
        return 42;
      }

      @Override
      public Plan plan() {
        return plan;
      }

      @Override
      public int ringIndex() {
        return ringIndex;
      }

      @Override
      public Instant ringOpenedAt() {
        return Instant.EPOCH;
      }

      @Override
      public Instant now() {
        return Instant.EPOCH.plusSeconds(3600);
      }

      @Override
      public long exposedInRing() {
        return candidate.reported();
      }

      @Override
      public long exposedTotal() {
        return candidate.reported();
      }

      @Override
      public ArmStats candidate() {
        return candidate;
      }

      @Override
      public ArmStats candidateInRing() {
        return inRing;
      }

      @Override
      public ArmStats control() {
        return control;
      }

      @Override
      public Set<String> probeMetrics() {
        return probes.keySet();
      }

      @Override
      public ProbeSamples probeSamples(String metric) {
        return probes.getOrDefault(metric, new ProbeSamples(metric, new double[0], new double[0]));
      }
    };
  }

  private static Verdict judge(ArmStats candidate, ArmStats control) {
    return HealthGate.ofDefaults().evaluate(context(candidate, control, Map.of()));
  }

  @Test
  void catastrophe_twentyReportsAboveTheCeiling_failsWithoutControlData() {
    Verdict verdict = judge(new ArmStats(5, 8, 0, 7, 0), ArmStats.EMPTY);
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.test()).isEqualTo("catastrophe");
    assertThat(verdict.reason()).isEqualTo("candidate failure rate 75.0% (15/20: 8 crashed, 7 silent) is above the"
        + " 20% ceiling after 20 reports: FAIL");
    assertThat(verdict.evidence()).containsEntry("candidateReported", 20.0).containsEntry("candidateSilent", 7.0);
  }

  @Test
  void catastrophe_nineteenReports_waitsForTheTwentieth() {
    assertThat(judge(new ArmStats(0, 19, 0, 0, 0), ArmStats.EMPTY).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
  }

  @Test
  void sprt_candidateThreeTimesWorse_failsWithTheNumbersInOneLine() {
    Verdict verdict = judge(new ArmStats(1938, 40, 0, 22, 0), new ArmStats(9751, 49, 0, 0, 0));
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.test()).isEqualTo("sprt");
    assertThat(verdict.reason()).matches("candidate failure rate 3\\.1% \\(62/2000: 40 crashed, 22 silent\\) vs"
        + " control 0\\.5% \\(49/9800\\), SPRT log-LR \\d+\\.\\d ≥ 4\\.6: FAIL");
    double pi0 = 2000.0 / 11800;
    double pi1 = 3 * 2000.0 / (3 * 2000.0 + 9800);
    double expected = 62 * Math.log(pi1 / pi0) + 49 * Math.log((1 - pi1) / (1 - pi0));
    assertThat(verdict.evidence().get("logLikelihoodRatio")).isCloseTo(expected, org.assertj.core.data.Offset
        .offset(1e-9));
    assertThat(verdict.evidence().get("threshold")).isCloseTo(Math.log(0.95 / 0.01), org.assertj.core.data.Offset
        .offset(1e-12));
  }

  @Test
  void sprt_sameRates_passesOnceBothArmsHaveEnoughReports() {
    Verdict verdict = judge(new ArmStats(995, 5, 0, 0, 0), new ArmStats(9950, 50, 0, 0, 0));
    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.reason()).startsWith("candidate failure rate 0.5% (5/1000: 5 crashed) vs control 0.5% (50/10000)")
        .endsWith(": PASS");
    assertThat(verdict.evidence().get("logLikelihoodRatio")).isNegative();
  }

  @Test
  void regressionInTheNewestRingOnly_failsEvenWhenThePooledArmsPass() {
    ArmStats ringOne = new ArmStats(240, 10, 0, 0, 0); // 4% in ring 1
    ArmStats pooled = new ArmStats(1240, 10, 0, 0, 0); // diluted by 1,000 healthy ring-0 endpoints
    ArmStats control = new ArmStats(9900, 100, 0, 0, 0); // 1%
    Verdict verdict = HealthGate.ofDefaults().evaluate(context(pooled, ringOne, 1, control, Map.of()));
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.reason()).startsWith("ring 'early' alone: candidate failure rate 4.0% (10/250: 10 crashed)");
    assertThat(verdict.evidence().get("logLikelihoodRatio")).isLessThan(4.55); // pooled alone would pass
  }

  @Test
  void laterRing_needsReportsFromItsOwnEndpoints() {
    Verdict verdict = HealthGate.ofDefaults().evaluate(context(new ArmStats(1000, 0, 0, 0, 0),
        new ArmStats(5, 0, 0, 0, 0), 1, new ArmStats(10_000, 0, 0, 0, 0), Map.of()));
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
    assertThatThrownBy(() -> HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("alpha", 0.9, "beta", "x",
        "relativeRisk", 0.5, "minControlReports", 1.5, "speling", 1))))
        .isInstanceOf(InvalidPlanException.class)
        .satisfies(e -> assertThat(((InvalidPlanException) e).problems()).hasSize(5)
            .anyMatch(p -> p.startsWith("gate.params.alpha: 0.9 is outside"))
            .anyMatch(p -> p.startsWith("gate.params.beta: must be a number"))
            .anyMatch(p -> p.startsWith("gate.params.relativeRisk: 0.5 is outside"))
            .anyMatch(p -> p.startsWith("gate.params.minControlReports: must be a whole number"))
            .anyMatch(p -> p.startsWith("gate.params.speling: unknown parameter")));
    assertThatThrownBy(() -> HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("metrics",
        List.of(Map.of("name", "cpu", "direction", "up", "tolerance", -1))))))
        .isInstanceOf(InvalidPlanException.class).hasMessageContaining("gate.params.metrics[0].direction")
        .hasMessageContaining("gate.params.metrics[0].tolerance");
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

  @Test
  void criticalProbe_clearlyWorse_fails_evenWhenFailureRatesAreEqual() {
    SplittableRandom random = new SplittableRandom(7);
    ProbeSamples cpu = new ProbeSamples("cpu", normal(random, 200, 0.60, 0.05), normal(random, 400, 0.40, 0.05));
    HealthGate gate = HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("metrics",
        List.of(Map.of("name", "cpu", "critical", true)))));
    Verdict verdict = gate.evaluate(context(new ArmStats(1000, 0, 0, 0, 0), new ArmStats(10_000, 0, 0, 0, 0),
        Map.of("cpu", cpu)));
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.test()).isEqualTo("mann-whitney");
    assertThat(verdict.reason()).contains("cpu +50%").contains("FAIL critical");
    assertThat(verdict.evidence().get("metric.cpu.p")).isLessThan(1e-6);
  }

  @Test
  void probe_shiftWithinTolerance_passes_andMissingReadingsAreInconclusive() {
    SplittableRandom random = new SplittableRandom(8);
    ProbeSamples latency = new ProbeSamples("latency", normal(random, 500, 105, 5), normal(random, 500, 100, 5));
    HealthGate gate = HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("metrics",
        List.of(Map.of("name", "latency", "critical", true), Map.of("name", "memory")))));
    ArmStats healthy = new ArmStats(1000, 0, 0, 0, 0);
    ArmStats control = new ArmStats(10_000, 0, 0, 0, 0);
    Verdict noMemory = gate.evaluate(context(healthy, control, Map.of("latency", latency)));
    assertThat(noMemory.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(noMemory.reason()).contains("memory no data");
    ProbeSamples memory = new ProbeSamples("memory", normal(random, 50, 300, 10), normal(random, 50, 300, 10));
    Verdict both = gate.evaluate(context(healthy, control, Map.of("latency", latency, "memory", memory)));
    assertThat(both.outcome()).isEqualTo(Outcome.PASS); // +5% latency is significant but inside the 25% tolerance
    assertThat(both.reason()).contains("latency +5%").contains("score 100");
  }

  @Test
  void probe_decreaseIsWorse_failsWhenTheMetricDrops() {
    SplittableRandom random = new SplittableRandom(9);
    ProbeSamples throughput = new ProbeSamples("throughput", normal(random, 100, 50, 5), normal(random, 100, 100, 5));
    HealthGate gate = HealthGate.fromSpec(new GateSpec(HealthGate.TYPE, Map.of("metrics",
        List.of(Map.of("name", "throughput", "direction", "decrease")))));
    Verdict verdict = gate.evaluate(context(new ArmStats(1000, 0, 0, 0, 0), new ArmStats(10_000, 0, 0, 0, 0),
        Map.of("throughput", throughput)));
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL); // score 0 is below the marginal 75
    assertThat(verdict.reason()).containsPattern("throughput -(49|50|51)% \\(p=[0-9.e-]+\\) FAIL; score 0");
  }
}
