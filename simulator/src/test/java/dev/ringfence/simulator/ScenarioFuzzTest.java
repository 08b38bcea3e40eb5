package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the scenario file reader (docs/fuzzing.md): a document is refused with an
 * {@link InvalidScenarioException} that names the file, or it is a scenario whose durations all read. Anything
 * else escaping is a finding. Corpus: {@code ScenarioFuzzTestInputs/}.
 */
class ScenarioFuzzTest {

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parse(byte[] json) {
    Scenario scenario;
    try {
      scenario = ScenarioReader.parse(json, "fuzz.json");
    } catch (InvalidScenarioException e) {
      assertThat(e.getMessage()).startsWith("fuzz.json");
      return;
    }
    assertThat(scenario.stopAfterDuration()).isPositive();
    scenario.vendorRevertDuration();
    assertThat(scenario.fleet().interval()).isPositive();
    assertThat(scenario.fleet().jitterDuration()).isGreaterThanOrEqualTo(java.time.Duration.ZERO);
    assertThat(scenario.fleet().bootDuration()).isPositive();
    assertThat(scenario.candidate().crashDelayDuration()).isGreaterThanOrEqualTo(java.time.Duration.ZERO);
    assertThat(scenario.agent().confirmAfterDuration()).isPositive();
  }
}
