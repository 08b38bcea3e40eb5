package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.RefusalConditions.refusedFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.InvalidSignalException;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link RolloutAgent#revertTo} (the server's REVERT) and {@link MemoryDisk} (the simulator's disk): the
 * same protocol as on a real disk, a restart is a new agent over the same disk.
 */
class ServerRevertTest {

  private final MemoryDisk disk = new MemoryDisk();
  private final AgentFixture fixture = AgentFixture.onMemoryDisk(disk, "c", "k");
  private final List<Signal> signals = new CopyOnWriteArrayList<>();
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

  private RolloutAgent agent() {
    return fixture.builder().endpointId("host-7").signalSink(signals::add).onEvent(events::add).build();
  }

  @Test
  void revertTo_whileOnTrial_goesBackToLastKnownGoodAndMarksKnownBad() {
    RolloutAgent agent = agent();
    fixture.onTrialAfter(agent, 41, 42);

    ActiveContent back = agent.revertTo(41, "rollout halted");

    assertThat(back.version()).isEqualTo(41);
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(41);
    assertThat(signals.get(signals.size() - 1)).isInstanceOfSatisfying(Heartbeat.class,
        h -> assertThat(h.version()).isEqualTo(41));
    assertThat(events.get(events.size() - 1).type()).isEqualTo(AgentEvent.Type.REVERTED);
    assertThat(events.get(events.size() - 1).detail()).contains("rollout halted", "v42 marked known-bad");
    // survives a restart, and v42 never comes back
    RolloutAgent restarted = agent();
    assertThat(restarted.onStart().activeContent().orElseThrow().version()).isEqualTo(41);
    assertThatThrownBy(() -> fixture.apply(restarted, 42)).has(refusedFor(Reason.KNOWN_BAD));
  }

  @Test
  void revertTo_afterConfirmation_usesTheOtherSlot_nothingDeleted() {
    RolloutAgent agent = fixture.runningConfirmed(agent(), 41);
    fixture.apply(agent, 42);
    agent.confirmHealthy();
    long held = disk.bytesHeld();

    assertThat(agent.revertTo(41, "halted after it was confirmed").version()).isEqualTo(41);

    // The state shrinks (the revert ends v42's probation: two state copies lose previous= and probationUntil=), but
    // a deleted slot would take v42's 1,000 content bytes with it.
    assertThat(disk.bytesHeld()).as("v42's bytes stay in their slot").isGreaterThan(held - bytes(42).length);
    RolloutAgent restarted = agent();
    assertThat(restarted.onStart().activeContent().orElseThrow().version()).isEqualTo(41);
    assertThatThrownBy(() -> fixture.apply(restarted, 42)).has(refusedFor(Reason.KNOWN_BAD));
    fixture.apply(restarted, 43); // the fix, as a new version, is accepted
    assertThat(restarted.activeContent().orElseThrow().version()).isEqualTo(43);
  }

  @Test
  void revertTo_theRunningVersion_changesNothing() {
    RolloutAgent agent = fixture.runningConfirmed(agent(), 41);
    int before = events.size();
    assertThat(agent.revertTo(41, "already there").version()).isEqualTo(41);
    assertThat(events).hasSize(before);
  }

  @Test
  void revertTo_aVersionNoSlotHolds_isRefusedAndChangesNothing() {
    RolloutAgent agent = fixture.runningConfirmed(agent(), 40);
    fixture.apply(agent, 41);
    agent.confirmHealthy();
    fixture.apply(agent, 42); // overwrites v40's slot

    assertThatThrownBy(() -> agent.revertTo(40, "too old")).isInstanceOf(RevertUnavailableException.class)
        .hasMessageContaining("version: v40").hasMessageContaining("last-known-good v41")
        .hasMessageContaining("on trial v42");
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(42);
    assertThatThrownBy(() -> agent.revertTo(41, null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("reason");
  }

  @Test
  void memoryDisk_crashLoop_revertsOnTheFourthStart_likeOnARealDisk() {
    fixture.onTrialAfter(agent(), 41, 42);
    List<StartResult> starts = AgentFixture.crashLoop(this::agent);
    assertThat(starts).hasSize(4);
    StartResult result = starts.get(3);
    assertThat(result.activeContent().orElseThrow().version()).isEqualTo(41);
    assertThatThrownBy(() -> disk.putPayload("../state", new byte[1])).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("name");
  }

  @Test
  void heartbeatAndCrashReport_useTheAgentsSignalOrder() {
    RolloutAgent agent = agent();
    agent.onStart();
    fixture.apply(agent, 41);
    agent.heartbeat();
    agent.reportCrash(41, "crash dump found");
    Signal beat = signals.get(signals.size() - 2);
    Signal crash = signals.get(signals.size() - 1);
    assertThat(beat).isInstanceOfSatisfying(Heartbeat.class, h -> assertThat(h.version()).isEqualTo(41));
    assertThat(crash).isInstanceOfSatisfying(dev.ringfence.protocol.ApplyResult.class, r -> {
      assertThat(r.outcome()).isEqualTo(dev.ringfence.protocol.ApplyOutcome.CRASHED);
      assertThat(r.reason()).isEqualTo("crash dump found");
    });
    assertThat(crash.order()).isGreaterThan(beat.order());
    assertThatThrownBy(() -> agent.reportCrash(-1, "x")).hasMessageContaining("version");
  }

  @Test
  void probeReading_isSentOnTheRunningVersion_andACopiedDiskIsIndependent() {
    RolloutAgent agent = fixture.runningConfirmed(agent(), 41);
    MemoryDisk image = disk.copy();
    agent.reportProbe("cpu", 12.5);
    assertThat(signals.get(signals.size() - 1)).isInstanceOfSatisfying(dev.ringfence.protocol.ProbeReading.class,
        p -> assertThat(p.version()).isEqualTo(41));
    assertThatThrownBy(() -> agent.reportProbe("cpu", Double.NaN))
        .isInstanceOf(dev.ringfence.protocol.InvalidSignalException.class);
    fixture.apply(agent, 42);
    RolloutAgent fromImage = fixture.builder().memoryDisk(image).endpointId("host-8").build();
    assertThat(fromImage.onStart().activeContent().orElseThrow().version())
        .as("the image was taken before v42").isEqualTo(41);
  }
}
