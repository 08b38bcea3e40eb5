package dev.ringfence.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.BoundedFuzzTest;
import dev.ringfence.testing.ManualClock;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the plan reader with arbitrary documents (docs/fuzzing.md). A document is either refused with an
 * {@link InvalidPlanException} that lists at least one problem, or it is a plan that writes back to an equal
 * plan, lints without failing and becomes a rollout (or is refused by the linter or a gate factory with
 * their own typed exceptions). Anything else escaping is a finding. Corpus: {@code PlanFuzzTestInputs/}.
 */
class PlanFuzzTest {

  @BoundedFuzzTest
  void fromJson(byte[] document) {
    Plan plan;
    try {
      plan = Plans.fromJson(new String(document, StandardCharsets.UTF_8));
    } catch (InvalidPlanException e) {
      assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
      return;
    }
    assertThat(Plans.fromJson(Plans.toJson(plan))).isEqualTo(plan);
    PlanLinter.lint(plan);
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom()
        .clock(ManualClock.at("2026-11-23T10:00:00Z")).store(RolloutStores.inMemory()).build());
    try {
      engine.createRollout(RolloutSpec.builder("fuzz").channel("fuzz").baseline(1).candidate(2).plan(plan).build());
    } catch (PlanLintException e) {
      assertThat(e.findings()).isNotEmpty();
    } catch (InvalidPlanException e) {
      // A gate type that is not registered, or gate params its factory refuses.
      assertThat(e.problems()).isNotEmpty();
    }
  }
}
