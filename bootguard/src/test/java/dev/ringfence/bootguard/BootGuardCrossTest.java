package dev.ringfence.bootguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.StartAction;
import dev.ringfence.agent.StartCounter;
import dev.ringfence.agent.StartResult;
import dev.ringfence.agent.internal.AgentState;
import dev.ringfence.agent.internal.RealFileOps;
import dev.ringfence.agent.internal.SlotStore;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Signal;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java agent and the C guard over one state directory, each reading what the other wrote. */
class BootGuardCrossTest {

  private static final Path GUARD = Host.binary("ringfence.bootguard");
  private static final Path GUARD_ASAN = Host.binary("ringfence.bootguardAsan");

  @TempDir Path dir;
  @TempDir Path payloads;
  @TempDir Path scratch;

  @Test
  void javaActivates_guardCountsAndReverts_javaOnlyReadsTheCount() throws Exception {
    Host host = Host.withV7OnTrial(dir, payloads, StartCounter.BOOT_GUARD);
    for (int boot = 1; boot <= 3; boot++) {
      Host.Run run = Host.guard(GUARD, dir, "start");
      assertThat(run.exit()).as(run.stderr()).isZero();
      assertThat(run.stdout()).isEqualTo("TRIAL B 7\n");
      StartResult start = host.agent().onStart(); // and the consumer crashes: no confirmation
      assertThat(start.action()).isEqualTo(StartAction.TRIAL);
      assertThat(start.failedStarts()).as("boot %d: counted once, by the guard", boot).isEqualTo(boot);
      assertThat(start.reason()).contains("counted by the boot guard");
    }
    Host.Run revert = Host.guard(GUARD_ASAN, dir, "start");
    assertThat(revert.exit()).as(revert.stderr()).isEqualTo(10);
    assertThat(revert.stdout()).isEqualTo("REVERTED A 6\n");
    assertThat(revert.stderr()).contains("v7 failed 3 starts without a confirmation", "v7 marked known-bad");

    // The JVM runs again, on v6: the agent is the one that can tell the server what the guard did, and does, once.
    List<Signal> sent = new ArrayList<>();
    StartResult start = host.agent(sent::add).onStart();
    assertThat(start.action()).isEqualTo(StartAction.REVERTED);
    assertThat(start.reason()).startsWith("the boot guard reverted v7 since the agent last ran (v7 known-bad)");
    assertThat(Files.readAllBytes(start.activeContent().orElseThrow().path())).isEqualTo(Host.content(6));
    assertThat(sent).filteredOn(ApplyResult.class::isInstance).singleElement().satisfies(s -> {
      assertThat(((ApplyResult) s).outcome()).isEqualTo(ApplyOutcome.REVERTED_BY_AGENT);
      assertThat(s.version()).isEqualTo(7);
    });
    AgentState state = new SlotStore(dir, RealFileOps.INSTANCE).load().state();
    assertThat(state.knownBad()).containsExactly(7L);
    assertThat(Files.readAllBytes(dir.resolve("slots/B/content"))).as("nothing deleted").isEqualTo(Host.content(7));
    assertThat(Host.guard(GUARD, dir, "start").stdout()).isEqualTo("LAST_KNOWN_GOOD A 6\n");
    List<Signal> later = new ArrayList<>();
    assertThat(host.agent(later::add).onStart().action()).as("reported once").isEqualTo(StartAction.LAST_KNOWN_GOOD);
    assertThat(later).noneMatch(ApplyResult.class::isInstance);
  }

  /**
   * The Java agent confirms v7 and starts its probation (ten years long here: the guard judges it by the machine's
   * wall clock, the agent by its fixed test clock); the guard then counts the crash loop that follows, writes the
   * probation fields back as the agent writes them, and goes back to v6 at the limit.
   */
  @Test
  void javaConfirmsIntoProbation_guardCountsTheCrashLoop_andRevertsToThePrevious() throws Exception {
    Duration probation = Duration.ofDays(3650);
    Host host = new Host(dir, payloads, StartCounter.BOOT_GUARD);
    RolloutAgent activating = host.agent(probation);
    activating.onStart();
    host.apply(activating, 6);
    activating.confirmHealthy();
    host.apply(activating, 7);
    assertThat(Host.guard(GUARD, dir, "start").stdout()).isEqualTo("TRIAL B 7\n");
    RolloutAgent healthy = host.agent(probation);
    healthy.onStart();
    assertThat(healthy.confirmHealthy()).isTrue();
    AgentState confirmed = new SlotStore(dir, RealFileOps.INSTANCE).load().state();
    assertThat(confirmed.previous().version()).isEqualTo(6);
    assertThat(confirmed.probationUntil()).isEqualTo(Host.NOW.plus(probation).toEpochMilli());
    assertThat(Host.guard(GUARD_ASAN, dir, "status").stdout()).contains("previous=A 6 ",
        "probationUntil=" + confirmed.probationUntil() + "\n");

    for (int boot = 1; boot <= 3; boot++) {
      Host.Run run = Host.guard(boot == 1 ? GUARD_ASAN : GUARD, dir, "start");
      assertThat(run.exit()).as(run.stderr()).isZero();
      assertThat(run.stdout()).isEqualTo("LAST_KNOWN_GOOD B 7\n");
      assertThat(run.stderr()).contains("in probation, start " + boot + " of 3");
      StartResult start = host.agent(probation).onStart(); // and v7 crashes later in this run
      assertThat(start.failedStarts()).as("boot %d: counted once, by the guard", boot).isEqualTo(boot);
      assertThat(start.reason()).contains("in probation", "counted by the boot guard");
      SlotStore.Loaded loaded = new SlotStore(dir, RealFileOps.INSTANCE).load();
      AgentState state = loaded.state();
      assertThat(state.previous()).as("the guard keeps the probation fields").isEqualTo(confirmed.previous());
      SlotStore java = new SlotStore(scratch.resolve("boot" + boot), RealFileOps.INSTANCE);
      java.load();
      java.writeState(new AgentState(state.generation() - 1, state.bootId(), state.lastKnownGood(), state.pending(),
          state.failedStarts(), state.highestAccepted(), state.knownBad(), state.previous(), state.probationUntil()));
      assertThat(Files.readString(dir.resolve("state"))).as("byte for byte the Java agent's encoding")
          .isEqualTo(Files.readString(scratch.resolve("boot" + boot).resolve("state")));
    }
    Host.Run revert = Host.guard(GUARD_ASAN, dir, "start");
    assertThat(revert.exit()).as(revert.stderr()).isEqualTo(10);
    assertThat(revert.stdout()).isEqualTo("REVERTED A 6\n");
    assertThat(revert.stderr()).contains("v7 crash-looped after confirmation", "v7 marked known-bad");

    List<Signal> sent = new ArrayList<>();
    StartResult after = host.agent(sent::add).onStart();
    assertThat(after.action()).as("the probation's revert, told to the server").isEqualTo(StartAction.REVERTED);
    assertThat(sent).filteredOn(ApplyResult.class::isInstance).singleElement().satisfies(s -> {
      assertThat(((ApplyResult) s).outcome()).isEqualTo(ApplyOutcome.REVERTED_BY_AGENT);
      assertThat(s.version()).isEqualTo(7);
    });
    assertThat(Files.readAllBytes(after.activeContent().orElseThrow().path())).isEqualTo(Host.content(6));
    AgentState state = new SlotStore(dir, RealFileOps.INSTANCE).load().state();
    assertThat(state.knownBad()).containsExactly(7L);
    assertThat(state.previous()).isNull();
    assertThat(Files.readAllBytes(dir.resolve("slots/B/content"))).as("nothing deleted").isEqualTo(Host.content(7));
  }

  @Test
  void guardWrites_theJavaAgentsBytes_forTheSameState() throws Exception {
    Host host = Host.withV7OnTrial(dir, payloads, StartCounter.BOOT_GUARD);
    Host.guard(GUARD, dir, "start");
    Host.guard(GUARD, dir, "start");
    Host.guard(GUARD, dir, "start");
    assertThat(Host.guard(GUARD, dir, "start").exit()).isEqualTo(10);
    SlotStore.Loaded loaded = new SlotStore(dir, RealFileOps.INSTANCE).load();
    assertThat(loaded.problems()).isEmpty();
    AgentState state = loaded.state();
    SlotStore java = new SlotStore(scratch, RealFileOps.INSTANCE);
    java.writeState(new AgentState(state.generation() - 1, state.bootId(), state.lastKnownGood(), state.pending(),
        state.failedStarts(), state.highestAccepted(), state.knownBad()));
    java.pointTo(state.active());
    assertThat(Files.readString(dir.resolve("state"))).isEqualTo(Files.readString(scratch.resolve("state")));
    assertThat(Files.readString(dir.resolve("state.bak"))).isEqualTo(Files.readString(dir.resolve("state")));
    assertThat(Files.readString(dir.resolve("active"))).isEqualTo(Files.readString(scratch.resolve("active")));
  }

  @Test
  void bootGuardSetting_withoutTheGuard_theAgentCountsRatherThanNobody() throws Exception {
    Host host = Host.withV7OnTrial(dir, payloads, StartCounter.BOOT_GUARD);
    assertThat(Host.guard(GUARD, dir, "start").exit()).isZero();
    assertThat(host.agent().onStart().failedStarts()).isEqualTo(1);
    StartResult unguarded = host.agent().onStart(); // the guard did not run before this start
    assertThat(unguarded.failedStarts()).isEqualTo(2);
    assertThat(unguarded.reason()).contains("the boot guard did not run before this start", "counted by the agent");
    assertThat(Host.guard(GUARD, dir, "start").stdout()).isEqualTo("TRIAL B 7\n");
    assertThat(host.agent().onStart().failedStarts()).isEqualTo(3);
    assertThat(Host.guard(GUARD, dir, "start").exit()).as("reverts after 3 starts, not 2 and not 4").isEqualTo(10);
  }

  @Test
  void agentSetting_javaCountsAndReverts_guardReadsTheResult() throws Exception {
    Host host = Host.withV7OnTrial(dir, payloads, StartCounter.AGENT);
    host.agent().onStart();
    host.agent().onStart();
    Host.Run status = Host.guard(GUARD_ASAN, dir, "status");
    assertThat(status.exit()).as(status.stderr()).isZero();
    assertThat(status.stdout()).contains("failedStarts=2\n", "pending=B 7 ").endsWith("STATUS B 7\n");
    host.agent().onStart();
    assertThat(host.agent().onStart().action()).isEqualTo(StartAction.REVERTED);
    Host.Run start = Host.guard(GUARD_ASAN, dir, "start");
    assertThat(start.exit()).as(start.stderr()).isZero();
    assertThat(start.stdout()).isEqualTo("LAST_KNOWN_GOOD A 6\n");
    assertThat(Host.guard(GUARD, dir, "status").stdout()).contains("knownBad=7\n");
  }

  @Test
  void guardConfirms_andHonoursTheJavaAgentsCleanShutdownMarker() throws Exception {
    Host host = Host.withV7OnTrial(dir, payloads, StartCounter.BOOT_GUARD);
    Host.guard(GUARD, dir, "start");
    RolloutAgent run = host.agent();
    assertThat(run.onStart().failedStarts()).isEqualTo(1);
    run.onCleanShutdown();
    Host.Run clean = Host.guard(GUARD_ASAN, dir, "start");
    assertThat(clean.stderr()).contains("after a clean shutdown, not counted: still 1 of 3");
    assertThat(dir.resolve("clean-shutdown")).doesNotExist();
    assertThat(host.agent().onStart().failedStarts()).isEqualTo(1);
    Host.Run confirm = Host.guard(GUARD_ASAN, dir, "confirm");
    assertThat(confirm.exit()).as(confirm.stderr()).isZero();
    assertThat(confirm.stdout()).isEqualTo("CONFIRMED B 7\n");
    StartResult next = host.agent().onStart();
    assertThat(next.action()).isEqualTo(StartAction.LAST_KNOWN_GOOD);
    assertThat(next.activeContent().orElseThrow().version()).isEqualTo(7);
    assertThat(Host.guard(GUARD, dir, "confirm").exit()).as("nothing on trial").isEqualTo(5);
  }

  @Test
  void damagedStateCopies_statusRefuses_theGuardsStartRebuildsAsTheJavaAgentWould() throws Exception {
    Host host = Host.withV7OnTrial(dir, payloads, StartCounter.BOOT_GUARD);
    Files.writeString(dir.resolve("state"), "ringfence-agent-state v1\ngeneration=9\n");
    Files.writeString(dir.resolve("state.bak"), "garbage");
    assertThat(Host.guard(GUARD, dir, "status").exit()).isEqualTo(3);
    assertThat(Files.readString(dir.resolve("state.bak"))).as("status writes nothing").isEqualTo("garbage");

    Host.Run run = Host.guard(GUARD_ASAN, dir, "start");
    assertThat(run.exit()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("RECOVERED A 6\n");
    assertThat(run.stderr()).contains("state is unreadable (no checksum line (torn or truncated))",
        "state.bak is unreadable", "rebuilt from the slots, running v6 from slot A as last-known-good");
    assertThat(Files.readAllBytes(dir.resolve("slots/A/content"))).isEqualTo(Host.content(6));
    assertThat(Files.readAllBytes(dir.resolve("slots/B/content"))).as("nothing deleted").isEqualTo(Host.content(7));

    StartResult next = host.agent().onStart();
    assertThat(next.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThat(next.reason()).as("the guard counted this start").doesNotContain("did not run");
    assertThat(Host.guard(GUARD, dir, "start").stdout()).isEqualTo("LAST_KNOWN_GOOD A 6\n");
  }

  @Test
  void badArguments_exit2WithTheUsage() throws Exception {
    Host.Run run = Host.guard(GUARD, dir, "reboot");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.stderr()).contains("usage: ringfence-bootguard", "10 reverted to the last-known-good");
  }
}
