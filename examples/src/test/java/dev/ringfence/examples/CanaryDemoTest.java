package dev.ringfence.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.RolloutState;
import dev.ringfence.examples.demo.CanaryDemo;
import dev.ringfence.examples.demo.DemoResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanaryDemoTest {

  private static final Pattern CRASH_NUMBERS =
      Pattern.compile("(\\d+) of (\\d+) exposed endpoints crashed \\((\\d+\\.\\d)%\\) >= 20% ceiling");

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {CanaryDemo.DEFAULT_SEED, 1, 7, 42, 291})
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

    assertThat(result.haltCause()).startsWith("ring 'canary' failed its gate: ");
    Matcher numbers = CRASH_NUMBERS.matcher(result.haltCause());
    assertThat(numbers.find()).as("crash numbers in '%s'", result.haltCause()).isTrue();
    assertThat(Long.parseLong(numbers.group(1))).isEqualTo(result.badCrashed());
    assertThat(Long.parseLong(numbers.group(2))).isBetween(10L, result.badExposed());
    assertThat(Double.parseDouble(numbers.group(3))).isGreaterThanOrEqualTo(20.0);
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
