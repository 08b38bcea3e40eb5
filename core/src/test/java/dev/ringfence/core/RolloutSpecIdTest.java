package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A rollout id is a URL path segment of the admin API: it must survive the path's normalisation. */
class RolloutSpecIdTest {

  private static RolloutSpec spec(String id) {
    return RolloutSpec.builder(id).channel("rules").baseline(1).candidate(2).plan(Fixtures.fourRings()).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "..", ".hidden", "", "a/b", "r 1"})
  void anIdThatIsNotASafePathSegment_isRefusedNamingTheField(String id) {
    assertThatThrownBy(() -> spec(id)).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.field()).isEqualTo("id")).hasMessageContaining("not start with '.'");
  }

  @Test
  void dotsInsideAnId_andEveryOtherAllowedChar_areKept() {
    assertThat(spec("rules-2026.12.05_r1").id()).isEqualTo("rules-2026.12.05_r1");
    assertThat(spec("a..b").id()).isEqualTo("a..b");
    assertThat(spec("x".repeat(128)).id()).hasSize(128);
    assertThatThrownBy(() -> spec("x".repeat(129))).isInstanceOf(InvalidInputException.class);
  }
}
