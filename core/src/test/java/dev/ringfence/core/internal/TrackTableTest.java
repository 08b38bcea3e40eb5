package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The track table: lookups by id through its tags, misses, growth, and a reader racing the writer. */
class TrackTableTest {

  private static Track track(String id) {
    return new Track(id, 0, 0, 0);
  }

  @Test
  void findsEveryTrackByAnEqualId_missesOthers_andKeepsTheFirstOfAnId() {
    TrackTable table = new TrackTable();
    for (int i = 0; i < 50_000; i++) {
      assertThat(table.putIfAbsent(track("host-" + i))).isNull();
    }
    assertThat(table.size()).isEqualTo(50_000);
    assertThat(table.capacity()).isGreaterThan(50_000 * 4 / 3);
    for (int i = 0; i < 50_000; i++) {
      String id = new String("host-" + i); // equal, not the same instance
      assertThat(table.get(id)).as(id).isNotNull().extracting(t -> t.id).isEqualTo(id);
    }
    int falseHints = 0;
    for (int i = 50_000; i < 100_000; i++) {
      assertThat(table.get("host-" + i)).isNull();
      falseHints += table.mightContain("host-" + i) ? 1 : 0;
    }
    for (int i = 0; i < 50_000; i++) {
      assertThat(table.mightContain("host-" + i)).isTrue();
    }
    assertThat(falseHints).as("absent ids whose tag matched on their probe run").isLessThan(50);
    Track first = table.get("host-7");
    assertThat(table.putIfAbsent(track("host-7"))).isSameAs(first);
    Set<String> seen = new HashSet<>();
    table.forEach(t -> seen.add(t.id));
    assertThat(seen).hasSize(50_000);
  }

  /** Ids whose String.hashCode collide ("Aa" and "BB") share index and tag: told apart by equals. */
  @Test
  void collidingHashCodes_areToldApart() {
    TrackTable table = new TrackTable();
    List<String> ids = List.of("AaAa", "AaBB", "BBAa", "BBBB");
    for (String id : ids) {
      table.putIfAbsent(track(id));
    }
    for (String id : ids) {
      assertThat(table.get(id).id).isEqualTo(id);
    }
    assertThat(table.get("CCCC")).isNull();
  }

  /** A reader never sees a half-added track and, once an insertion returned, always finds it. */
  @Test
  void aReaderRacingTheWriter_findsWhatWasAdded() throws Exception {
    TrackTable table = new TrackTable();
    int n = 200_000;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      int[] published = new int[1];
      Future<?> writer = pool.submit(() -> {
        go.await();
        for (int i = 0; i < n; i++) {
          table.putIfAbsent(track("e" + i));
          synchronized (published) {
            published[0] = i + 1;
          }
        }
        return null;
      });
      Future<List<String>> reader = pool.submit(() -> {
        go.await();
        List<String> problems = new ArrayList<>();
        for (int round = 0; round < 2_000 && problems.isEmpty(); round++) {
          int upTo;
          synchronized (published) {
            upTo = published[0];
          }
          for (int k = 0; k < 50; k++) {
            int i = (int) ((round * 7919L + k * 104_729L) % Math.max(1, upTo));
            if (upTo > 0 && table.get("e" + i) == null) {
              problems.add("e" + i + " added but not found");
            }
          }
        }
        return problems;
      });
      go.countDown();
      writer.get(60, TimeUnit.SECONDS);
      assertThat(reader.get(60, TimeUnit.SECONDS)).isEmpty();
      assertThat(table.size()).isEqualTo(n);
    } finally {
      pool.shutdownNow();
    }
  }
}
