package dev.ringfence.agent.internal;

import static dev.ringfence.agent.RefusalConditions.refusedFor;
import static dev.ringfence.agent.internal.Fixtures.activate;
import static dev.ringfence.agent.internal.Fixtures.agent;
import static dev.ringfence.agent.internal.Fixtures.content;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.StartAction;
import dev.ringfence.agent.StartResult;
import dev.ringfence.agent.UpdateInProgressException;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.SignalSink;
import dev.ringfence.testing.RecordingSignalSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationProtocolTest {

  @TempDir Path dir;
  private final RecordingSignalSink sink = new RecordingSignalSink(1000);

  private DefaultRolloutAgent start() {
    DefaultRolloutAgent agent = agent(dir, RealFileOps.INSTANCE, sink);
    agent.onStart();
    return agent;
  }

  @Test
  void onStart_freshDirectory_runsNoContent() {
    DefaultRolloutAgent agent = agent(dir, RealFileOps.INSTANCE, sink);
    StartResult result = agent.onStart();
    assertThat(result.action()).isEqualTo(StartAction.NO_CONTENT);
    assertThat(agent.activeContent()).isEmpty();
    assertThat(sink.signals()).singleElement().isInstanceOf(Heartbeat.class);
  }

  @Test
  void onStart_calledTwice_isRefused() {
    DefaultRolloutAgent agent = start();
    assertThatThrownBy(agent::onStart).isInstanceOf(IllegalStateException.class).hasMessageContaining("once");
  }

  @Test
  void confirmHealthy_promotesPending_andRestartsStayOnIt() throws Exception {
    DefaultRolloutAgent agent = start();
    ActiveContent v6 = activate(agent, 6);
    assertThat(agent.state().pending()).isNotNull();
    assertThat(agent.confirmHealthy()).isTrue();
    assertThat(agent.state().lastKnownGood().version()).isEqualTo(6);
    assertThat(agent.confirmHealthy()).isFalse();

    DefaultRolloutAgent restarted = agent(dir, RealFileOps.INSTANCE, sink);
    StartResult result = restarted.onStart();
    assertThat(result.action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
    assertThat(result.active()).isEqualTo(v6);
    assertThat(Fixtures.intact(v6, content(6))).isTrue();
    assertThat(restarted.store().readPointer()).contains(v6.path().getParent().getFileName().toString().equals("A")
        ? Slot.A : Slot.B);
  }

  @Test
  void bootId_incrementsAtEveryStart_andIsPersisted() {
    for (int i = 1; i <= 3; i++) {
      DefaultRolloutAgent agent = start();
      assertThat(agent.state().bootId()).isEqualTo(i);
    }
    assertThat(sink.signals()).extracting(Signal::bootId).containsExactly(1L, 2L, 3L);
  }

  /**
   * The Channel File 291 scenario: the consumer crashes on every load of version 7; with the server
   * unreachable, the agent is back on version 6 after 3 failed starts, and 7 is refused when offered again.
   */
  @Test
  void crashLoop_version7CrashesEveryLoad_agentRevertsTo6ByItself_and7IsRefusedAgain() throws Exception {
    Fixtures.installBaseline(dir, 6, content(6));
    DefaultRolloutAgent running = start();
    activate(running, 7); // the process that activated 7 loads it and crashes

    int crashes = 0;
    StartResult result;
    while (true) {
      DefaultRolloutAgent agent = agent(dir, RealFileOps.INSTANCE, sink);
      result = agent.onStart();
      if (result.active() != null && result.active().version() == 7) {
        crashes++; // the consumer loads 7 and dies: no confirmHealthy()
        assertThat(crashes).isLessThanOrEqualTo(3);
        continue;
      }
      running = agent;
      break;
    }
    assertThat(crashes).isEqualTo(3);
    assertThat(result.action()).isEqualTo(StartAction.REVERTED);
    assertThat(result.active().version()).isEqualTo(6);
    assertThat(Fixtures.intact(result.active(), content(6))).isTrue();
    assertThat(running.state().knownBad()).containsExactly(7L);
    assertThat(running.state().pending()).isNull();
    assertThat(sink.signals()).filteredOn(ApplyResult.class::isInstance).map(ApplyResult.class::cast)
        .filteredOn(r -> r.outcome() == ApplyOutcome.REVERTED_BY_AGENT)
        .singleElement()
        .satisfies(r -> {
          assertThat(r.version()).isEqualTo(7);
          assertThat(r.reason()).contains("failed 3 starts", "back on last-known-good v6", "known-bad");
        });
    // Invariant 9: nothing deleted; 7's bytes stay in their slot for diagnosis.
    assertThat(Files.readAllBytes(running.store().contentFile(Slot.B))).isEqualTo(content(7));

    DefaultRolloutAgent finalRunning = running;
    assertThatThrownBy(() -> activate(finalRunning, 7)).has(refusedFor(Reason.KNOWN_BAD))
        .hasMessageContaining("version: 7 is known-bad");
    // And it stays refused after further restarts.
    DefaultRolloutAgent later = start();
    assertThat(later.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThatThrownBy(() -> activate(later, 7)).has(refusedFor(Reason.KNOWN_BAD));
    // A fix published as a higher version is accepted.
    assertThat(activate(later, 8).version()).isEqualTo(8);
  }

  @Test
  void failedStartCounter_isReportedInHeartbeats() {
    Fixtures.installBaseline(dir, 6, content(6));
    activate(start(), 7);
    List<Integer> counters = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      counters.add(agent(dir, RealFileOps.INSTANCE, sink).onStart().failedStarts());
    }
    assertThat(counters).containsExactly(1, 2, 3);
    assertThat(sink.signals()).filteredOn(Heartbeat.class::isInstance).map(Heartbeat.class::cast)
        .extracting(Heartbeat::failedStarts)
        .as("each start follows a run of v7 that ended unconfirmed, the activating run included").endsWith(1, 2, 3);
  }

  @Test
  void stageAndActivate_versionNotAboveHighest_isRefused() {
    Fixtures.installBaseline(dir, 6, content(6));
    DefaultRolloutAgent agent = start();
    assertThatThrownBy(() -> activate(agent, 6)).has(refusedFor(Reason.STALE_VERSION))
        .hasMessageContaining("version: 6 is not above the highest accepted version 6");
    assertThatThrownBy(() -> activate(agent, 5)).has(refusedFor(Reason.STALE_VERSION));
  }

  @Test
  void stageAndActivate_whilePending_isRefused() {
    DefaultRolloutAgent agent = start();
    activate(agent, 6);
    assertThatThrownBy(() -> activate(agent, 7)).isInstanceOf(UpdateInProgressException.class)
        .hasMessageContaining("version 6 is on trial");
  }

  @Test
  void stageAndActivate_digestMismatch_isRefused_andHostStaysOnLastKnownGood() {
    Fixtures.installBaseline(dir, 6, content(6));
    DefaultRolloutAgent agent = start();
    byte[] bytes = content(7);
    assertThatThrownBy(() -> agent.stageAndActivate(7, SlotStore.chunks(bytes), "0".repeat(64)))
        .hasMessageContaining("sha256");
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThat(start().activeContent().orElseThrow().version()).isEqualTo(6);
  }

  @Test
  void corruptPrimaryStateFile_isRecoveredFromBackup() throws Exception {
    Fixtures.installBaseline(dir, 6, content(6));
    Files.write(dir.resolve("state"), "garbage".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    DefaultRolloutAgent agent = agent(dir, RealFileOps.INSTANCE, sink);
    StartResult result = agent.onStart();
    assertThat(result.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(result.reason()).contains("state is unreadable");
    assertThat(result.active().version()).isEqualTo(6);
    assertThat(agent.state().highestAccepted()).isEqualTo(6);
    assertThat(sink.signals()).anySatisfy(s -> assertThat(s).isInstanceOf(ApplyResult.class));
  }

  @Test
  void bothStateCopiesGone_areRebuiltFromTheSlots_onTheOldestVerifiedVersion() throws Exception {
    Fixtures.installBaseline(dir, 6, content(6));
    DefaultRolloutAgent agent = start();
    activate(agent, 7);
    Files.delete(dir.resolve("state"));
    Files.write(dir.resolve("state.bak"), new byte[] {1, 2, 3});
    StartResult result = agent(dir, RealFileOps.INSTANCE, sink).onStart();
    assertThat(result.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(result.reason()).contains("rebuilt from the slots");
    assertThat(result.active().version()).isEqualTo(6);
    assertThat(Fixtures.intact(result.active(), content(6))).isTrue();
    // Nothing at or below the newest version on disk is accepted again.
    DefaultRolloutAgent next = start();
    assertThat(next.state().highestAccepted()).isEqualTo(7);
  }

  @Test
  void damagedPendingSlot_revertsToLastKnownGood() throws Exception {
    Fixtures.installBaseline(dir, 6, content(6));
    activate(start(), 7);
    Files.write(dir.resolve("slots/B/content"), new byte[] {0});
    StartResult result = agent(dir, RealFileOps.INSTANCE, sink).onStart();
    assertThat(result.action()).isEqualTo(StartAction.REVERTED);
    assertThat(result.reason()).contains("pending v7 in slot B is damaged");
    assertThat(result.active().version()).isEqualTo(6);
  }

  @Test
  void damagedLastKnownGoodSlot_fallsBackToTheOtherVerifiedSlot() throws Exception {
    Fixtures.installBaseline(dir, 6, content(6)); // slot A
    DefaultRolloutAgent agent = start();
    activate(agent, 7); // slot B
    agent.confirmHealthy(); // LKG = 7 in B; A still holds 6
    Files.write(dir.resolve("slots/B/content"), new byte[] {0});
    StartResult result = agent(dir, RealFileOps.INSTANCE, sink).onStart();
    assertThat(result.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(result.reason()).contains("last-known-good v7 in slot B is damaged", "falling back to v6");
    assertThat(result.active().version()).isEqualTo(6);
    assertThat(Fixtures.intact(result.active(), content(6))).isTrue();
  }

  @Test
  void pointerMissing_isRewrittenFromTheState() throws Exception {
    Fixtures.installBaseline(dir, 6, content(6));
    Files.delete(dir.resolve("active"));
    DefaultRolloutAgent agent = start();
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThat(agent.store().readPointer()).contains(Slot.A);
  }

  @Test
  void failingSignalSink_doesNotBreakTheProtocol() {
    DefaultRolloutAgent agent = agent(dir, RealFileOps.INSTANCE, signal -> {
      throw new IllegalStateException("sink down");
    });
    agent.onStart();
    assertThat(activate(agent, 1).version()).isEqualTo(1);
  }
}
