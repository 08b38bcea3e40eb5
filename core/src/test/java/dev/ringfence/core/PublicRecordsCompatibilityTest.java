package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.plan.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The public configuration records keep the constructors 0.1.0 shipped (docs/engine.md, "Public records"):
 * a component may only be appended, and when one is, the old canonical constructor stays as an explicit one
 * that fills the new component with its default. This test calls each 0.1.0 constructor with exactly its
 * 0.1.0 arity, so a component added without the old constructor fails to compile here first, and checks that
 * the constructor and the builder make equal values.
 */
class PublicRecordsCompatibilityTest {

  @Test
  void ring_010Constructor_equalsTheBuilder() {
    Ring byConstructor = new Ring("canary", Selector.ALL, 100, 500, Duration.ofMinutes(30), 50,
        GateSpec.timeAndSample());
    Ring byBuilder = Ring.named("canary").share(100).cap(500).bakeTime(Duration.ofMinutes(30)).minSample(50)
        .gate(GateSpec.timeAndSample()).build();

    assertThat(byConstructor).isEqualTo(byBuilder);
  }

  @Test
  void plan_010Constructor_equalsTheBuilder() {
    Ring everyone = everyone();
    Plan byBuilder = Plan.builder("p").ring(everyone).rollbackTimeout(Duration.ofMinutes(30)).build();
    Plan byConstructor = new Plan(byBuilder.schemaVersion(), "p", List.of(everyone),
        byBuilder.maxNewExposuresPerHour(), List.of(), Set.of(), Duration.ofMinutes(30), List.of());

    assertThat(byConstructor).isEqualTo(byBuilder);
  }

  @Test
  void rolloutSpecAndEndpointAttributes_010Constructors_equalTheBuilders() {
    Ring everyone = everyone();
    Plan plan = Plan.builder("p").ring(everyone).rollbackTimeout(Duration.ofMinutes(30)).build();
    RolloutSpec byBuilder = RolloutSpec.builder("r1").channel("rules").baseline(1).candidate(2).plan(plan).salt(7)
        .build();

    assertThat(new RolloutSpec("r1", "rules", 1, 2, plan, 7)).isEqualTo(byBuilder);
    assertThat(new EndpointAttributes("windows", "22631", "eu-west", "lab", Set.of("tenant:acme")))
        .isEqualTo(EndpointAttributes.builder().os("windows").osBuild("22631").region("eu-west").tier("lab")
            .tags("tenant:acme").build());
  }

  /** The one ring of the plans here: everyone at once, judged on time and sample. */
  private static Ring everyone() {
    return Ring.named("everyone").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.timeAndSample()).build();
  }
}
