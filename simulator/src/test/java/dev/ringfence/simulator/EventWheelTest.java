package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventWheelTest {

  @Test
  void eventsComeDueAtTheirSecond_farOnesFirst_thenTheBucketsInTheOrderAdded() {
    EventWheel wheel = new EventWheel(8); // a ring of 16 seconds
    wheel.add(3, 30);
    wheel.add(3, 31);
    wheel.add(40, 400); // beyond the ring: waits aside
    wheel.add(5, 50);
    List<Long> seen = new ArrayList<>();
    for (int t = 1; t <= 39; t++) {
      int second = t;
      wheel.drain(t, ev -> seen.add(second * 1000L + ev));
    }
    assertThat(seen).containsExactly(3030L, 3031L, 5050L);
    wheel.add(40, 401); // now within the ring: after the one that waited aside
    seen.clear();
    wheel.drain(40, seen::add);
    assertThat(seen).containsExactly(400L, 401L);
  }

  @Test
  void aMillionEventsInOneFarSecond_allComeDue_inOrder() {
    // The run without Ringfence sends most hosts to the seconds just after the vendor's revert; that second's
    // events grow by doubling (an array copied per event made this quadratic: minutes at a million hosts).
    EventWheel wheel = new EventWheel(4);
    int n = 1_000_000;
    for (int i = 0; i < n; i++) {
      wheel.add(100, i);
    }
    long[] next = {0};
    boolean[] inOrder = {true};
    for (int t = 1; t <= 100; t++) {
      wheel.drain(t, ev -> {
        inOrder[0] &= ev == next[0];
        next[0]++;
      });
    }
    assertThat(next[0]).isEqualTo(n);
    assertThat(inOrder[0]).isTrue();
  }

  @Test
  void aBucketThatGrewKeepsItsEvents_secondAfterSecond() {
    EventWheel wheel = new EventWheel(4); // a ring of 8 seconds: seconds 1, 9 and 17 share a bucket
    int drained = 0;
    int[] counts = {100_000, 10, 100_000}; // a big second, a small one in the same bucket, a big one again
    for (int round = 0; round < counts.length; round++) {
      int at = 1 + round * 8;
      while (drained < at - 1) {
        wheel.drain(++drained, ev -> { });
      }
      for (int i = 0; i < counts[round]; i++) {
        wheel.add(at, i);
      }
      long[] seen = {0};
      wheel.drain(++drained, ev -> seen[0] += ev == seen[0] ? 1 : 1_000_000_000L);
      assertThat(seen[0]).as("round %d", round).isEqualTo(counts[round]);
    }
  }
}
