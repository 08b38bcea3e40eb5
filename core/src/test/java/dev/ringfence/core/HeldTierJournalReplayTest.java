package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.store.JournalFormat;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A journal written before held tiers were canaried replays to the state it had then: the held tier's rings are
 * appended after the plan's, so every ring number in the old journal keeps its meaning.
 *
 * <p>{@code replay/held-tier-journal.jsonl} was written by the engine at commit 54dbca1 (held tiers admitted all at
 * once in the last ring): three rollouts of a two-ring plan holding tier {@code critical} over 2,000 endpoints (every
 * tenth critical), one paused in the last ring with 12 critical endpoints admitted there, one completed, one halted
 * in the last ring and rolled back past its deadline. {@code held-tier-journal.expected} is what that engine said
 * afterwards: each rollout's status and every endpoint it offered the candidate or told to revert.
 */
class HeldTierJournalReplayTest {

  private static final String DIR = "/dev/ringfence/core/replay/";

  static EndpointAttributes attributes(int i) {
    return i % 10 == 0
        ? EndpointAttributes.builder().os("windows").osBuild("22631").region("eu-west").tier("critical").build()
        : Fixtures.WINDOWS;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = HeldTierJournalReplayTest.class.getResourceAsStream(DIR + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void journalWrittenBeforeHeldTierCanaries_replaysToTheSameStatusAndDecisions() throws IOException {
    RolloutStore store = RolloutStores.inMemory();
    for (String line : resource("held-tier-journal.jsonl").split("\n")) {
      store.append(JournalFormat.decode(line.getBytes(StandardCharsets.UTF_8)));
    }
    RolloutEngine engine = Fixtures.engine(ManualClock.at("2026-11-23T13:33:00Z"), store, new ScriptedGate());

    StringBuilder now = new StringBuilder();
    for (String name : List.of("in-flight", "completed", "halted")) {
      Rollout r = engine.rollout(name);
      RolloutStatus s = r.status();
      int planRings = r.spec().plan().rings().size();
      // The held tier's two rings were not in the old journal: they exist now, and nobody is in them.
      assertThat(s.exposedPerRing().subList(planRings, s.exposedPerRing().size())).containsOnly(0L);
      now.append("rollout ").append(name).append(' ').append(s.state()).append(' ').append(s.ringIndex())
          .append(' ').append(s.ringName()).append(' ').append(s.ringOpenedAt()).append(' ')
          .append(s.exposedPerRing().subList(0, planRings)).append(' ').append(s.exposedTotal()).append(' ')
          .append(s.revertedCount()).append(' ').append(s.lastVerdict() == null ? null : s.lastVerdict().outcome())
          .append('\n');
      now.append("cause ").append(s.cause()).append('\n');
      for (int i = 0; i < 2000; i++) {
        Decision d = r.decide("host-" + i, attributes(i), 41);
        if (d.kind() == Decision.Kind.OFFER || d.kind() == Decision.Kind.REVERT) {
          now.append("host-").append(i).append(' ').append(d.kind()).append(' ').append(d.ringIndex()).append(' ')
              .append(d.ringName()).append('\n');
        }
      }
    }
    assertThat(now.toString()).isEqualTo(resource("held-tier-journal.expected"));
  }

  @Test
  void journalWrittenBeforeHeldTierCanaries_keepsItsHeldAdmissionsInTheLastRing() throws IOException {
    RolloutStore store = RolloutStores.inMemory();
    for (String line : resource("held-tier-journal.jsonl").split("\n")) {
      store.append(JournalFormat.decode(line.getBytes(StandardCharsets.UTF_8)));
    }
    Rollout inFlight = Fixtures.engine(ManualClock.at("2026-11-23T13:33:00Z"), store, new ScriptedGate())
        .rollout("in-flight");
    List<String> critical = new ArrayList<>();
    for (int i = 0; i < 2000; i += 10) {
      Decision d = inFlight.decide("host-" + i, attributes(i), 41);
      if (d.kind() == Decision.Kind.OFFER) {
        critical.add(d.ringName());
      }
    }
    // Admitted by the old engine when the last ring opened: still offered, still named by the ring they joined.
    assertThat(critical).hasSize(12).containsOnly("all");
  }
}
