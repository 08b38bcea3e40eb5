package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.internal.AgentState;
import dev.ringfence.agent.internal.RealFileOps;
import dev.ringfence.agent.internal.SlotStore;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.testing.RecordingSignalSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probation: a version confirmed healthy keeps the version it replaced as the previous one for a while, and a crash
 * loop that starts after the confirmation (a crash later than the health window) brings the host back to the
 * previous version by itself, as a trial's crash loop does. Every agent here is a process start over the same
 * directory, with the fixture's manual clock.
 */
class ProbationTest {

  private static final Duration DAY = Duration.ofHours(24);

  @TempDir Path dir;
  @TempDir Path payloads;
  private AgentFixture fixture;
  private RecordingSignalSink sink = new RecordingSignalSink(1_000);
  private final List<AgentEvent> events = new ArrayList<>();

  private RolloutAgent agent() {
    return fixture.builder().signalSink(sink).onEvent(events::add).build();
  }

  private static void assertStart(StartResult start, StartAction action, long active, String... reasons) {
    assertThat(start.action()).isEqualTo(action);
    assertThat(start.activeContent().orElseThrow().version()).isEqualTo(active);
    assertThat(start.reason()).contains(reasons);
  }

  private AgentState state() throws IOException {
    return new SlotStore(dir, RealFileOps.INSTANCE).load().state();
  }

  /** v6 confirmed; v7 applied, run and confirmed at {@link AgentFixture#NOW}: v7 is in probation, v6 previous. */
  @BeforeEach
  void v7ConfirmedOverV6() {
    fixture = AgentFixture.onDirectory(dir, payloads, "c", "k");
    RolloutAgent first = agent();
    first.onStart();
    fixture.apply(first, 6);
    assertThat(first.confirmHealthy()).isTrue();
    fixture.apply(first, 7);
    RolloutAgent second = agent();
    assertThat(second.onStart().action()).isEqualTo(StartAction.TRIAL);
    assertThat(second.confirmHealthy()).isTrue();
    sink = new RecordingSignalSink(1_000); // what the tests' starts send, without the setup's
    events.clear();
  }

  @Test
  void confirmHealthy_startsAProbation_keepingTheReplacedVersionAsPrevious() throws IOException {
    AgentState state = state();
    assertThat(state.lastKnownGood().version()).isEqualTo(7);
    assertThat(state.previous().version()).as("the version v7 replaced, still in its slot").isEqualTo(6);
    assertThat(state.probationUntil()).isEqualTo(AgentFixture.NOW.plus(DAY).toEpochMilli());
    assertThat(Files.readString(dir.resolve("state")))
        .contains("\nknownBad=\nprevious=A 6 ", "\nprobationUntil=" + state.probationUntil() + "\nchecksum=");
  }

  @Test
  void uncleanStartsInProbation_areCounted_andAtTheLimitTheAgentGoesBackToThePrevious() throws IOException {
    for (int start = 1; start <= 3; start++) {
      StartResult result = agent().onStart(); // and v7 crashes later in the run
      assertThat(result.action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
      assertThat(result.activeContent().orElseThrow().version()).isEqualTo(7);
      assertThat(result.failedStarts()).as("start %d is counted", start).isEqualTo(start);
      assertThat(result.reason()).contains("in probation until", "start " + start + " of 3");
    }

    assertStart(agent().onStart(), StartAction.REVERTED, 6, "v7 crash-looped after confirmation",
        "back on previous v6", "v7 marked known-bad");
    AgentState state = state();
    assertThat(state.lastKnownGood().version()).isEqualTo(6);
    assertThat(state.knownBad()).containsExactly(7L);
    assertThat(state.previous()).as("the probation is over").isNull();
    assertThat(Files.readAllBytes(dir.resolve("slots/B/content"))).as("nothing deleted")
        .isEqualTo(AgentFixture.bytes(7));
    List<ApplyResult> reverted = sink.signals(ApplyResult.class).stream()
        .filter(r -> r.outcome() == ApplyOutcome.REVERTED_BY_AGENT).toList();
    assertThat(reverted).hasSize(1);
    assertThat(reverted.get(0).version()).as("the abandoned version").isEqualTo(7);
    assertThat(reverted.get(0).reason()).contains("crash-looped after confirmation");
    assertThat(events).anyMatch(e -> e.type() == AgentEvent.Type.REVERTED && e.version() == 7);
    assertThat(agent().onStart().action()).as("v6 runs on, unguarded").isEqualTo(StartAction.LAST_KNOWN_GOOD);
  }

  @Test
  void aSlowCrashLoop_confirmingEveryRunBeforeItCrashes_stillGoesBack() throws IOException {
    // The simulator's late crash: each run passes its health window, confirms, and crashes 30 minutes later.
    for (int run = 1; run <= 3; run++) {
      RolloutAgent agent = agent();
      assertThat(agent.onStart().failedStarts()).isEqualTo(run);
      fixture.clock().advance(Duration.ofMinutes(10));
      assertThat(agent.confirmHealthy()).as("nothing on trial: nothing to promote").isFalse();
      fixture.clock().advance(Duration.ofMinutes(22));
    }
    assertThat(agent().onStart().action()).isEqualTo(StartAction.REVERTED);
    assertThat(state().lastKnownGood().version()).isEqualTo(6);
  }

  @Test
  void confirmHealthy_inProbation_isIdempotent_andWritesNothing() throws IOException {
    RolloutAgent run = agent();
    run.onStart();
    byte[] before = Files.readAllBytes(dir.resolve("state"));

    assertThat(run.confirmHealthy()).isFalse();
    assertThat(run.confirmHealthy()).isFalse();

    assertThat(Files.readAllBytes(dir.resolve("state"))).isEqualTo(before);
    assertThat(state().failedStarts()).as("an unclean start in probation stays counted").isEqualTo(1);
  }

  @Test
  void previousSlotNoLongerVerifies_atTheLimit_keepsRunning_endsTheProbation_andReports() throws IOException {
    agent().onStart();
    agent().onStart();
    agent().onStart();
    Files.writeString(dir.resolve("slots/A/content"), "overwritten");

    assertStart(agent().onStart(), StartAction.LAST_KNOWN_GOOD, 7, "crash-looped after confirmation",
        "previous v6 in slot A no longer verifies", "cannot revert, still running v7");
    AgentState state = state();
    assertThat(state.previous()).isNull();
    assertThat(state.failedStarts()).isZero();
    assertThat(state.knownBad()).isEmpty();
    assertThat(sink.signals(ApplyResult.class)).anyMatch(r -> r.outcome() == ApplyOutcome.CRASHED && r.version() == 7
        && r.reason().contains("cannot revert"));
    assertThat(agent().onStart().failedStarts()).as("no longer counted").isZero();
  }

  @Test
  void probationEnds_atProbationUntil_andLaterStartsAreNotCounted() throws IOException {
    agent().onStart();
    fixture.clock().advance(DAY);

    StartResult start = agent().onStart();

    assertThat(start.action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
    assertThat(start.failedStarts()).isZero();
    assertThat(start.reason()).contains("its probation ended");
    assertThat(state().previous()).isNull();
    for (int i = 0; i < 5; i++) {
      assertThat(agent().onStart().action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
    }
    assertThat(state().lastKnownGood().version()).isEqualTo(7);
  }

  @Test
  void probationOfZero_turnsItOff() throws IOException {
    RolloutAgent first = fixture.builder().probation(Duration.ZERO).build();
    first.onStart();
    fixture.apply(first, 8);
    RolloutAgent run = fixture.builder().probation(Duration.ZERO).build();
    run.onStart();
    assertThat(run.confirmHealthy()).isTrue();
    assertThat(state().previous()).isNull();
    assertThat(Files.readString(dir.resolve("state"))).doesNotContain("previous=", "probationUntil=");
    for (int start = 0; start < 5; start++) {
      StartResult result = fixture.builder().probation(Duration.ZERO).build().onStart();
      assertThat(result.action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
      assertThat(result.failedStarts()).isZero();
    }
  }

  @Test
  void cleanShutdownInProbation_exemptsTheNextStart_evenAtTheLimit() throws IOException {
    StartResult clean = AgentFixture.startAfterACleanThirdRun(this::agent);

    assertThat(clean.action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
    assertThat(clean.failedStarts()).isEqualTo(3);
    assertThat(clean.reason()).contains("in probation after a clean shutdown, not counted");
    assertThat(dir.resolve("clean-shutdown")).doesNotExist();
    assertThat(agent().onStart().action()).as("the start after an unclean run is judged again")
        .isEqualTo(StartAction.REVERTED);
  }

  @Test
  void aHealthyHost_restartingUncleanlyOnceOrTwice_isNotReverted() throws IOException {
    agent().onStart(); // a power cut
    fixture.clock().advance(Duration.ofHours(3));
    agent().onStart(); // another
    for (int restart = 0; restart < 10; restart++) { // then planned restarts only
      fixture.clock().advance(Duration.ofHours(1));
      RolloutAgent run = agent();
      assertThat(run.onStart().action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
      run.onCleanShutdown();
    }
    fixture.clock().advance(DAY);
    StartResult after = agent().onStart();
    assertThat(after.action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
    assertThat(after.activeContent().orElseThrow().version()).isEqualTo(7);
    assertThat(state().knownBad()).isEmpty();
    assertThat(sink.signals(ApplyResult.class)).noneMatch(r -> r.outcome() == ApplyOutcome.REVERTED_BY_AGENT);
  }

  @Test
  void aNewerUpdate_endsTheProbation_andMayTakeThePreviousSlot() throws IOException {
    RolloutAgent run = agent();
    run.onStart();
    fixture.apply(run, 8);
    AgentState state = state();
    assertThat(state.previous()).isNull();
    assertThat(state.pending().version()).isEqualTo(8);
    assertThat(state.pending().slot().name()).as("the free slot, v6's").isEqualTo("A");
    assertThat(state.failedStarts()).isZero();
  }

  @Test
  void serverRevert_inProbation_goesToThePrevious_andEndsIt() throws IOException {
    RolloutAgent run = agent();
    run.onStart();
    assertThat(run.revertTo(6, "halted").version()).isEqualTo(6);
    AgentState state = state();
    assertThat(state.lastKnownGood().version()).isEqualTo(6);
    assertThat(state.previous()).isNull();
    assertThat(state.knownBad()).containsExactly(7L);
  }

  @Test
  void builder_probation_checksItsArgument() {
    assertThatThrownBy(() -> RolloutAgent.builder().probation(null)).isInstanceOf(NullPointerException.class)
        .hasMessageStartingWith("probation: is null");
    assertThatThrownBy(() -> RolloutAgent.builder().probation(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("probation: PT-1S is outside PT0S..P3650D");
    assertThatThrownBy(() -> RolloutAgent.builder().probation(Duration.ofDays(3651)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("probation: PT87624H is outside");
    assertThat(RolloutAgent.DEFAULT_PROBATION).isEqualTo(DAY);
  }
}
