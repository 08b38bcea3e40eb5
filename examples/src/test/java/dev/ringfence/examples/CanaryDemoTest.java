package dev.ringfence.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.ringfence.core.RolloutState;
import dev.ringfence.examples.demo.CanaryDemo;
import dev.ringfence.examples.demo.DemoResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanaryDemoTest {

  /** The judge's numbers, as its verdicts write them: {@code candidate failure rate 76.0% (38/50: ...)}. */
  private static final Pattern JUDGE_NUMBERS =
      Pattern.compile("candidate failure rate (\\d+\\.\\d)% \\((\\d+)/(\\d+): ([a-z0-9, ]+)\\)");
  private static final Pattern CATASTROPHE = Pattern.compile("is above the 20% ceiling after (\\d+) reports: FAIL$");
  private static final Pattern SPRT = Pattern.compile("SPRT log-LR (-?\\d+\\.\\d) \u2265 (\\d+\\.\\d): FAIL$");

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {CanaryDemo.DEFAULT_SEED, 1, 2, 7, 11, 13, 42, 291, 2024}) // seed 11 halts by the SPRT
  void goodUpdateCompletesAndBadUpdateIsHaltedInTheCanaryRingAndRolledBack(long seed) {
    DemoResult result = CanaryDemo.run(seed, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));

    assertThat(result.goodState()).isEqualTo(RolloutState.COMPLETED);
    assertThat(result.goodOnCandidate()).isEqualTo(result.fleetSize());

    assertThat(result.badState()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(result.badExposed()).isPositive().isLessThanOrEqualTo(result.canaryCap());
    assertThat(result.badExposedPerRing()).containsExactly(result.badExposed(), 0L, 0L, 0L);
    assertThat(result.badReverted()).isEqualTo(result.badExposed());
    assertThat(result.badCrashed()).isPositive().isLessThanOrEqualTo(result.badExposed());

    // The halt comes from the core's health judge, with its numbers.
    assertThat(result.haltCause()).startsWith("ring 'canary' failed its gate: candidate failure rate ");
    Matcher numbers = JUDGE_NUMBERS.matcher(result.haltCause());
    assertThat(numbers.find()).as("judge numbers in '%s'", result.haltCause()).isTrue();
    double rate = Double.parseDouble(numbers.group(1));
    long failures = Long.parseLong(numbers.group(2));
    long reported = Long.parseLong(numbers.group(3));
    assertThat(reported).isPositive().isLessThanOrEqualTo(result.badExposed());
    assertThat(failures).isPositive().isLessThanOrEqualTo(result.badCrashed());
    assertThat(rate).isCloseTo(100.0 * failures / reported, offset(0.05));
    assertThat(numbers.group(4)).containsPattern("\\d+ (crashed|silent)");
    Map<String, Double> evidence = result.haltEvidence();
    assertThat(evidence.get("candidateReported")).isEqualTo((double) reported);
    assertThat(evidence.get("candidateFailures")).isEqualTo((double) failures);
    assertThat(evidence.get("controlReported")).isGreaterThanOrEqualTo(100.0);

    Matcher catastrophe = CATASTROPHE.matcher(result.haltCause());
    Matcher sprt = SPRT.matcher(result.haltCause());
    if (result.haltTest().equals("catastrophe")) {
      assertThat(catastrophe.find()).as("catastrophe in '%s'", result.haltCause()).isTrue();
      assertThat(Long.parseLong(catastrophe.group(1))).isEqualTo(reported).isGreaterThanOrEqualTo(20L);
      assertThat(rate).isGreaterThan(20.0);
    } else {
      assertThat(result.haltTest()).isEqualTo("sprt");
      assertThat(sprt.find()).as("SPRT in '%s'", result.haltCause()).isTrue();
      assertThat(Double.parseDouble(sprt.group(1))).isGreaterThanOrEqualTo(Double.parseDouble(sprt.group(2)));
      assertThat(evidence.get("logLikelihoodRatio")).isGreaterThanOrEqualTo(evidence.get("threshold"));
    }
  }

  @Test
  void sameSeedPrintsTheSameRun() {
    String first = printed(CanaryDemo.DEFAULT_SEED);
    String second = printed(CanaryDemo.DEFAULT_SEED);

    assertThat(second).isEqualTo(first);
    assertThat(first)
        .contains("seed " + CanaryDemo.DEFAULT_SEED)
        .contains("GATE_FAIL")
        .contains("ROLLED_BACK")
        .containsPattern("Blast radius: exposed \\d+ of 5000 endpoints \\(\\d+\\.\\d%\\), crashed \\d+; without"
            + " Ringfence all \\d+ windows hosts would have received it\\.");
    assertThat(first.lines().count()).isLessThanOrEqualTo(60);
    // The judge's verdicts are wrapped over lines, so compare without line breaks.
    assertThat(first.replaceAll("\\s+", " "))
        .contains(": PASS; rollout complete")
        .containsPattern("Evidence: candidate \\d+ reported, \\d+ failed \\(\\d+ silent\\); control \\d+ reported,"
            + " \\d+ failed; ");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {CanaryDemo.DEFAULT_SEED, 1, 42})
  void printsAtMostSixtyLines(long seed) {
    assertThat(printed(seed).lines().count()).isLessThanOrEqualTo(60);
  }

  @Test
  void anotherSeedSimulatesAnotherFleet() {
    assertThat(printed(1)).isNotEqualTo(printed(2));
  }

  private static String printed(long seed) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CanaryDemo.run(seed, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
