package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Caps hold exactly under contention: many threads, one rollout, a million decisions. */
class CapConcurrencyTest {

  private static final int THREADS = 8;
  private static final int CALLS = 1_000_000;
  private static final int IDS = 200_000;

  @Test
  void decide_eightThreadsMillionCalls_neverAdmitsMoreThanTheCap_andStaysSticky() throws Exception {
    RolloutStore store = RolloutStores.inMemory();
    RolloutEngine engine = Fixtures.engine(ManualClock.at("2026-11-23T10:00:00Z"), store, new ScriptedGate());
    Rollout rollout = engine.createRollout(Fixtures.spec("caps", Fixtures.fourRings()));
    rollout.start();
    long cap = rollout.spec().plan().rings().get(0).cap();
    String[] ids = new String[IDS];
    for (int i = 0; i < IDS; i++) {
      ids[i] = "host-" + i;
    }
    Cohort cohort = Cohort.withSalt(rollout.spec().salt());
    long cohortSize = java.util.Arrays.stream(ids).filter(id -> cohort.bucket(id) < 100).count();
    assertThat(cohortSize).isGreaterThan(cap * 10); // heavy contention for few places

    Set<String> offered = ConcurrentHashMap.newKeySet();
    List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
    Fixtures.inParallel(THREADS, 1000, Duration.ofMinutes(5), random -> {
      Set<String> seenOffered = new java.util.HashSet<>();
      for (int i = 0; i < CALLS / THREADS; i++) {
        String id = ids[random.nextInt(IDS)];
        Decision d = rollout.decide(id, Fixtures.WINDOWS, 41);
        if (d.kind() == Kind.OFFER) {
          offered.add(id);
          seenOffered.add(id);
        } else if (seenOffered.contains(id)) {
          violations.add(id + " was offered, then told " + d.kind());
        }
      }
    });

    assertThat(violations).isEmpty();
    assertThat(offered).hasSize((int) cap);
    assertThat(rollout.status().exposedPerRing().get(0)).isEqualTo(cap);
    assertThat(rollout.status().exposedTotal()).isEqualTo(cap);
    assertThat(offered).allSatisfy(id -> assertThat(cohort.bucket(id)).isLessThan(100));
    Set<String> journaled = store.read("caps").stream().filter(e -> e instanceof JournalEntry.Admitted)
        .map(e -> ((JournalEntry.Admitted) e).endpointId()).collect(Collectors.toSet());
    assertThat(journaled).isEqualTo(offered);
    // After the storm every offered endpoint still gets the candidate, and nobody else does.
    for (String id : ids) {
      assertThat(rollout.decide(id, Fixtures.WINDOWS, 41).kind() == Kind.OFFER).isEqualTo(offered.contains(id));
    }
  }
}
