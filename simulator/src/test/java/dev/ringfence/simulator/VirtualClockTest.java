package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class VirtualClockTest {

  private static final Instant START = Instant.parse("2024-07-19T04:09:00Z");

  @Test
  void standsStill_untilAdvancedOrSet() {
    VirtualClock clock = new VirtualClock(START);
    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli());

    clock.advance(Duration.ofSeconds(10));
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(10));
    clock.set(START.plusSeconds(60));
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(60));
  }

  @Test
  void movingBack_isRefusedAndLeavesTheTime() {
    VirtualClock clock = new VirtualClock(START);
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a virtual clock only moves forward, not by PT-1S");
    assertThatThrownBy(() -> clock.set(START.minusMillis(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a virtual clock only moves forward, not back to 2024-07-19T04:08:59.999Z");
    assertThat(clock.instant()).isEqualTo(START);
  }

  @Test
  void withZone_isAViewThatMovesWithTheClock() {
    VirtualClock clock = new VirtualClock(START);
    ZoneId paris = ZoneId.of("Europe/Paris");
    Clock view = clock.withZone(paris);

    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
    assertThat(view.getZone()).isEqualTo(paris);
    clock.advance(Duration.ofMinutes(5));
    assertThat(view.instant()).isEqualTo(START.plusSeconds(300));
    assertThat(view.withZone(ZoneOffset.UTC).instant()).isEqualTo(clock.instant());
  }
}
