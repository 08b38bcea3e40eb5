package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clean restart is not a crash: the clean-shutdown marker keeps a start on trial from being counted. */
class CleanShutdownTest {

  @TempDir Path dir;
  @TempDir Path payloads;
  private AgentFixture fixture;

  private RolloutAgent agent() {
    return fixture.agent();
  }

  /** v6 confirmed, v7 applied and on trial, not yet started. */
  @BeforeEach
  void v7OnTrial() {
    fixture = AgentFixture.onDirectory(dir, payloads, "c", "k");
    fixture.onTrialAfter(agent(), 6, 7);
  }

  @Test
  void onStart_afterACleanShutdown_doesNotCountTheStart_andConsumesTheMarker() {
    RolloutAgent run = agent();
    assertThat(run.onStart().failedStarts()).isEqualTo(1);
    run.onCleanShutdown();
    assertThat(dir.resolve("clean-shutdown")).exists();

    StartResult next = agent().onStart();

    assertThat(next.action()).isEqualTo(StartAction.TRIAL);
    assertThat(next.failedStarts()).isEqualTo(1);
    assertThat(next.reason()).contains("clean shutdown, not counted");
    assertThat(next.activeContent().orElseThrow().version()).isEqualTo(7);
    assertThat(dir.resolve("clean-shutdown")).doesNotExist();
    assertThat(agent().onStart().failedStarts()).as("the marker counts once: a crash after it counts").isEqualTo(2);
  }

  @Test
  void cleanShutdownsBetweenEveryStart_neverRevertAVersionThatNeverCrashed() {
    for (int restart = 0; restart < 10; restart++) {
      RolloutAgent run = agent();
      StartResult start = run.onStart();
      assertThat(start.action()).as("restart %d", restart).isEqualTo(StartAction.TRIAL);
      run.onCleanShutdown();
    }
    StartResult last = agent().onStart();
    assertThat(last.action()).isEqualTo(StartAction.TRIAL);
    assertThat(last.failedStarts()).isEqualTo(1);
  }

  @Test
  void crashesWithoutAMarker_stillRevertAfterMaxFailedStarts() {
    agent().onStart();
    agent().onStart();
    agent().onStart();
    StartResult fourth = agent().onStart();
    assertThat(fourth.action()).isEqualTo(StartAction.REVERTED);
    assertThat(fourth.activeContent().orElseThrow().version()).isEqualTo(6);
  }

  @Test
  void cleanShutdownAtTheLastAllowedStart_theNextStartStaysOnTrial() {
    StartResult fourth = AgentFixture.startAfterACleanThirdRun(this::agent);

    assertThat(fourth.action()).as("the third run did not crash: no revert").isEqualTo(StartAction.TRIAL);
    assertThat(fourth.activeContent().orElseThrow().version()).isEqualTo(7);
    assertThat(agent().onStart().action()).as("and the next crash reverts").isEqualTo(StartAction.REVERTED);
  }

  @Test
  void staleMarkerOfAnOlderBoot_isIgnoredAndRemoved() throws Exception {
    RolloutAgent run = agent();
    run.onStart();
    run.onCleanShutdown();
    byte[] marker = Files.readAllBytes(dir.resolve("clean-shutdown"));
    agent().onStart(); // consumes it
    Files.write(dir.resolve("clean-shutdown"), marker); // as if a kill had kept the start from removing it

    StartResult next = agent().onStart();

    assertThat(next.failedStarts()).as("a marker of an older boot proves nothing about the last run").isEqualTo(2);
    assertThat(dir.resolve("clean-shutdown")).doesNotExist();
  }

  @Test
  void corruptMarker_countsTheStartAsUsual() throws Exception {
    agent().onStart();
    Files.writeString(dir.resolve("clean-shutdown"), "ringfence-clean-shutdown v1\nbootId=2\nchecksum=00000000\n");

    StartResult next = agent().onStart();

    assertThat(next.failedStarts()).isEqualTo(2);
    assertThat(next.action()).isEqualTo(StartAction.TRIAL);
  }

  @Test
  void onCleanShutdown_beforeOnStart_isRefused() {
    assertThatThrownBy(() -> agent().onCleanShutdown()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before onStart()");
  }
}
