package dev.ringfence.agent.internal;

import static dev.ringfence.agent.internal.Fixtures.activate;
import static dev.ringfence.agent.internal.Fixtures.agent;
import static dev.ringfence.agent.internal.Fixtures.content;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.AgentStorageException;
import dev.ringfence.agent.StartAction;
import dev.ringfence.agent.StartResult;
import dev.ringfence.protocol.SignalSink;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected through the file-system seam at every step of the protocol: the host always ends on
 * the last-known-good or on the fully verified new version, with intact files.
 */
class FaultInjectionTest {

  private static final int SIZE = KillTrialChild.SIZE; // four chunks: a fault can land inside the content

  @TempDir Path root;
  private int trial;

  private Path baseline() {
    Path dir = root.resolve("trial-" + trial++);
    Fixtures.installBaseline(dir, 6, content(6, SIZE), new FaultyFileOps().withoutFsync());
    return dir;
  }

  /** Activation of 7, a restart, and the confirmation, through the given operations: what the kill trials run. */
  private static void protocol(Path dir, FileOps ops) {
    KillTrialChild.run(dir, ops);
  }

  private static long stepsOfProtocol(Path dir) {
    FaultyFileOps counting = new FaultyFileOps().withoutFsync();
    protocol(dir, counting);
    return counting.steps();
  }

  /** A fresh agent on the real file system finds 6 or 7, verified byte for byte. */
  private static long assertOnKnownGoodOrNew(Path dir) throws IOException {
    DefaultRolloutAgent fresh = agent(dir, new FaultyFileOps().withoutFsync(), SignalSink.DISCARD);
    StartResult result = fresh.onStart();
    ActiveContent active = result.active();
    assertThat(active).as("never nothing").isNotNull();
    assertThat(active.version()).isIn(6L, 7L);
    assertThat(Fixtures.intact(active, content(active.version(), SIZE))).as("intact v" + active.version()).isTrue();
    return active.version();
  }

  @Test
  void crashAtEveryStep_tornWritesIncluded_leavesLastKnownGoodOrNewVersion() throws IOException {
    long total = stepsOfProtocol(baseline());
    assertThat(total).isGreaterThan(20);
    int onNew = 0;
    for (long step = 1; step <= total; step++) {
      Path dir = baseline();
      FaultyFileOps ops = new FaultyFileOps().withoutFsync().crashAt(step);
      assertThatThrownBy(() -> protocol(dir, ops)).isInstanceOf(FaultyFileOps.SimulatedCrash.class);
      if (assertOnKnownGoodOrNew(dir) == 7) {
        onNew++;
      }
    }
    // Early crashes keep 6, late ones find 7: both sides of the switch are exercised.
    assertThat(onNew).isBetween(1, (int) total - 1);
  }

  @Test
  void diskFullFromEveryStep_leavesLastKnownGoodOrNewVersion() throws IOException {
    long total = stepsOfProtocol(baseline());
    for (long step = 1; step <= total; step++) {
      Path dir = baseline();
      FaultyFileOps ops = new FaultyFileOps().withoutFsync().diskFullFrom(step);
      try {
        protocol(dir, ops);
      } catch (AgentStorageException expected) {
        assertThat(expected).hasMessageContaining("stateDirectory:");
      }
      assertOnKnownGoodOrNew(dir);
    }
  }

  @Test
  void diskFullWhileStaging_refusesWithStorageException_andKeepsLastKnownGood() throws IOException {
    Path dir = baseline();
    FaultyFileOps ops = new FaultyFileOps();
    DefaultRolloutAgent agent = agent(dir, ops, SignalSink.DISCARD);
    agent.onStart();
    ops.diskFullFrom(ops.steps() + 3); // inside the content write
    assertThatThrownBy(() -> activate(agent, 7, content(7, SIZE))).isInstanceOf(AgentStorageException.class)
        .hasMessageContaining("cannot stage v7").hasMessageContaining("Free space");
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThat(assertOnKnownGoodOrNew(dir)).isEqualTo(6);
    // Once space is back the same version goes through.
    ops.heal();
    assertThat(activate(agent, 7, content(7, SIZE)).version()).isEqualTo(7);
  }

  @Test
  void diskFullAtStart_withVersionOnTrial_runsLastKnownGoodForThatBoot() throws IOException {
    Path dir = baseline();
    DefaultRolloutAgent first = agent(dir);
    first.onStart();
    activate(first, 7, content(7, SIZE));

    FaultyFileOps full = new FaultyFileOps().diskFullFrom(1);
    StartResult result = agent(dir, full, SignalSink.DISCARD).onStart();
    assertThat(result.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(result.reason()).contains("cannot write the state file");
    assertThat(result.active().version()).as("an uncounted trial start could loop forever").isEqualTo(6);

    // Space is back: the trial continues where the disk says it was.
    StartResult next = agent(dir).onStart();
    assertThat(next.action()).isEqualTo(StartAction.TRIAL);
    assertThat(next.failedStarts()).isEqualTo(1);
  }
}
