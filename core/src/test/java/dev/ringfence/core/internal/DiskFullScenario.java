package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.core.Cohort;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditTrail;
import dev.ringfence.core.store.FileRolloutStore;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * A whole rollout on the file journal (create, start, admissions, a ring passing, pause, resume, halt, every
 * exposed endpoint reverting, the rollback finishing) on a disk that fills up somewhere in it. When a write is
 * refused for want of space, the step that met it must have changed nothing; then, with the disk completely
 * full, new endpoints are held, a tick changes nothing and commands throw a {@link StoreException} saying the
 * disk is full and nothing was recorded; then the space is freed and the same engine and store go on from that
 * step to the end. Finally the store is reopened: no torn tail, the transitions are exactly the ones the
 * engine published (gapless), every endpoint offered the candidate is admitted, the audit trail verifies and
 * holds every transition once, and an engine rebuilt from it has the same state.
 */
final class DiskFullScenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Small, so that the scenario compacts too and a compaction meets the full disk. */
  static final long COMPACT_AFTER = 3_000;

  /** A disk the scenario runs on: it may fill up on its own, and the scenario fills and frees it. */
  interface Space {
    /** @return how the store opens its files on this disk */
    FileJournalStore.FileOpener files();

    /** @return writes refused so far for want of space */
    int refusals();

    /** Leaves no free byte at all. */
    void fillCompletely();

    /** Frees the space again. */
    void freeAll();

    /**
     * @return whether a full disk refuses every byte; a real file system may still take small appends into
     *     the last block a file already has
     */
    boolean fullToTheByte();
  }

  private final Path dir;
  private final Space disk;
  private final boolean expectFill;
  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  private final ScriptedGate gate = new ScriptedGate();
  private final Set<String> offered = new LinkedHashSet<>();
  private final List<JournalEntry.Transitioned> published = new ArrayList<>();
  private final Set<String> reported = new HashSet<>();
  private FileJournalStore store;
  private RolloutEngine engine;
  private Rollout rollout;
  boolean filled;
  int heldDecisions;
  int refusedCommands;
  private int newEndpoints;

  /**
   * @param dir the journal directory, on {@code disk}
   * @param disk the disk, with as much free space as the trial starts with
   * @param expectFill whether the disk must fill during the run
   */
  DiskFullScenario(Path dir, Space disk, boolean expectFill) {
    this.dir = dir;
    this.disk = disk;
    this.expectFill = expectFill;
  }

  /** Runs the scenario to its end, filling and freeing the disk once it fills, and checks the restart. */
  void run() {
    store = FileJournalStore.open(dir, COMPACT_AFTER, disk.files());
    try {
      runOnOpenStore();
    } finally {
      store.close();
    }
    checkAfterRestart();
  }

  private void runOnOpenStore() {
    engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .gate(ScriptedGate.TYPE, spec -> gate).build());
    engine.events().onTransition(published::add);
    step("create", () -> {
      rollout = engine.createRollout(Fixtures.spec("r", Fixtures.fourRings()));
      return true;
    });
    step("start", () -> command(() -> rollout.start()));
    Cohort cohort = Cohort.withSalt(rollout.spec().salt());
    List<String> ring0 = endpoints(cohort, 0, 100, 20);
    List<String> ring1 = endpoints(cohort, 100, 1_000, 20);
    ring0.forEach(this::ask);
    clock.advance(Duration.ofMinutes(31));
    step("tick: ring 0 passes", () -> tickUntil(1));
    ring1.forEach(this::ask);
    step("pause", () -> command(() -> rollout.pause("a look")));
    step("resume", () -> command(() -> rollout.resume("looked")));
    step("halt", () -> command(() -> rollout.halt("crash reports")));
    step("tick: the rollback has started", () -> { // at once, or on the tick after a refused start
      engine.tick();
      return rollout.state() == RolloutState.ROLLING_BACK;
    });
    for (String id : offered) { // every exposed endpoint comes back on the baseline
      step("revert " + id, () -> rollout.decide(id, Fixtures.WINDOWS, 41).kind() == Kind.REVERT
          && rollout.stragglers().stream().noneMatch(id::equals));
    }
    step("tick: rollback finishes", () -> {
      engine.tick();
      return rollout.state() == RolloutState.ROLLED_BACK;
    });
    if (expectFill) {
      assertThat(filled).as("the disk filled during the trial").isTrue();
    }
  }

  private static List<String> endpoints(Cohort cohort, int from, int to, int count) {
    return IntStream.range(0, 20_000).mapToObj(i -> "h" + i)
        .filter(id -> cohort.bucket(id) >= from && cohort.bucket(id) < to).limit(count)
        .collect(Collectors.toList());
  }

  private void ask(String id) {
    step("decide " + id, () -> {
      Decision d = rollout.decide(id, Fixtures.WINDOWS, 41);
      if (d.kind() == Kind.OFFER) {
        offered.add(id);
        if (reported.add(id)) {
          rollout.ingest(new Heartbeat(id, 1, 1, 42, 0));
        }
        return true;
      }
      return !d.reason().contains("store");
    });
  }

  private boolean tickUntil(int ring) {
    engine.tick();
    return rollout.status().ringIndex() == ring;
  }

  private static boolean command(Runnable command) {
    command.run();
    return true;
  }

  /**
   * Runs one step. If the disk fills during it, checks what the failure did, holds the engine on a full disk
   * for a while, frees space, and runs the step again: now it must succeed.
   */
  private void step(String name, Supplier<Boolean> op) {
    int refusals = disk.refusals();
    RolloutState stateBefore = rollout == null ? null : rollout.state();
    int publishedBefore = published.size();
    boolean done;
    try {
      done = op.get();
    } catch (StoreException e) {
      assertThat(e).as(name).hasMessageContaining("No space left on device")
          .hasMessageContaining("nothing was recorded");
      refusedCommands++;
      assertThat(published).as(name).hasSize(publishedBefore);
      if (rollout != null) {
        assertThat(rollout.state()).as(name).isEqualTo(stateBefore);
      }
      done = false;
    }
    if (disk.refusals() > refusals && !filled) {
      filled = true;
      holdOnAFullDisk();
      disk.freeAll();
    }
    if (!done) {
      assertThat(filled).as("%s failed, but the disk never filled", name).isTrue();
      assertThat(op.get()).as("%s once space is free again", name).isTrue();
    }
  }

  /** Nothing can be written: new endpoints are held, ticks change nothing, commands are refused. */
  private void holdOnAFullDisk() {
    disk.fillCompletely();
    if (rollout == null) {
      assertThatThrownBy(() -> engine.createRollout(Fixtures.spec("r", Fixtures.fourRings())))
          .isInstanceOf(StoreException.class).hasMessageContaining("No space left on device");
      refusedCommands++;
      return;
    }
    RolloutState state = rollout.state();
    int ring = rollout.status().ringIndex();
    long exposed = rollout.status().exposedTotal();
    boolean strict = disk.fullToTheByte();
    for (int i = 0; i < 20; i++) {
      String id = "new-" + newEndpoints++;
      if (rollout.decide(id, Fixtures.WINDOWS, 41).kind() == Kind.OFFER) {
        assertThat(strict).as("an OFFER on a disk without a free byte").isFalse();
        offered.add(id); // a real disk took it into a block the journal had: checked to be durable at the end
      } else {
        heldDecisions++;
      }
    }
    clock.advance(Duration.ofMinutes(40)); // the ring's bake time passes: the engine would advance if it could
    engine.tick();
    clock.advance(Duration.ofMinutes(-40)); // and back: the scenario's own timing stays as it was
    if (!strict) {
      return; // a tick or a command may fit into the journal's last block; the restart check covers them
    }
    assertThat(rollout.state()).isEqualTo(state);
    assertThat(rollout.status().ringIndex()).isEqualTo(ring);
    assertThat(rollout.status().exposedTotal()).isEqualTo(exposed);
    if (state == RolloutState.RUNNING || state == RolloutState.PAUSED) {
      assertThatThrownBy(() -> rollout.halt("while the disk is full")).isInstanceOf(StoreException.class)
          .hasMessageContaining("No space left on device").hasMessageContaining("nothing was recorded");
      refusedCommands++;
      assertThat(rollout.state()).isEqualTo(state);
    }
  }

  private void checkAfterRestart() {
    RolloutState state = rollout.state();
    List<Long> exposedPerRing = rollout.status().exposedPerRing();
    try (FileRolloutStore reopened = RolloutStores.file(dir)) {
      assertThat(reopened.recoveryReport()).as("no torn tail: a cut-short write was taken back").isEmpty();
      List<JournalEntry> entries = reopened.read("r");
      List<JournalEntry.Transitioned> transitions = entries.stream()
          .filter(e -> e instanceof JournalEntry.Transitioned).map(e -> (JournalEntry.Transitioned) e)
          .collect(Collectors.toList());
      assertThat(transitions).extracting(JournalEntry.Transitioned::sequence)
          .containsExactlyElementsOf(oneTo(published.size()));
      assertThat(transitions).extracting(t -> t.sequence() + " " + t.trigger() + " " + t.to())
          .containsExactlyElementsOf(published.stream().map(t -> t.sequence() + " " + t.trigger() + " " + t.to())
              .collect(Collectors.toList()));
      Set<String> admitted = entries.stream().filter(e -> e instanceof JournalEntry.Admitted)
          .map(e -> ((JournalEntry.Admitted) e).endpointId()).collect(Collectors.toSet());
      assertThat(admitted).as("every endpoint offered the candidate was durably admitted").containsAll(offered);
      assertThat(AuditTrail.verify(reopened.auditFile())).isEmpty();
      assertThat(auditedSequences(reopened.auditFile())).containsExactlyElementsOf(
          oneTo(published.size()));
      RolloutEngine rebuilt = RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(reopened)
          .gate(ScriptedGate.TYPE, spec -> gate).build());
      assertThat(rebuilt.rollout("r").state()).isEqualTo(state).isEqualTo(RolloutState.ROLLED_BACK);
      assertThat(rebuilt.rollout("r").status().exposedPerRing()).isEqualTo(exposedPerRing);
    }
  }

  private static List<Long> auditedSequences(Path audit) {
    List<Long> sequences = new ArrayList<>();
    for (String line : AuditTrail.lines(audit)) {
      try {
        JsonNode entry = JSON.readTree(line).get("entry");
        if ("transition".equals(entry.get("type").asText())) {
          sequences.add(entry.get("sequence").asLong());
        }
      } catch (IOException e) {
        throw new AssertionError(line, e);
      }
    }
    return sequences;
  }

  /** @return 1, 2, ..., n */
  private static List<Long> oneTo(int n) {
    return LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
  }
}
