package dev.ringfence.agent.internal;

import static dev.ringfence.agent.internal.Fixtures.agent;
import static dev.ringfence.agent.internal.Fixtures.content;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.StartResult;
import dev.ringfence.protocol.SignalSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 6: a child JVM runs activation of v7 over v6 (stage, verify, mark pending, switch pointer,
 * restart, confirm) and is killed with SIGKILL at a seeded step (a chunk of a write, an fsync, a rename,
 * a directory sync, a deletion). After each kill a fresh agent must find either v7 or v6, byte for byte,
 * never a mix and never nothing. Trials: {@code -Dringfence.killTrials} (100 by default, 1,000 with
 * {@code -Pstress}); seed: {@code -Dringfence.killSeed} (default 291).
 */
class KillNineActivationTest {

  @TempDir Path root;

  @Test
  void killNineAtSeededSteps_freshAgentFindsNewOrLastKnownGood_withIntactFiles() throws Exception {
    int trials = Integer.getInteger("ringfence.killTrials", 100);
    long seed = Long.getLong("ringfence.killSeed", 291L);
    Path dry = root.resolve("dry-run");
    Fixtures.installBaseline(dry, 6, content(6, KillTrialChild.SIZE));
    FaultyFileOps counting = new FaultyFileOps().withoutFsync();
    KillTrialChild.run(dry, counting);
    long totalSteps = counting.steps();

    Random random = new Random(seed);
    int onNew = 0;
    int onOld = 0;
    int completed = 0;
    for (int trial = 0; trial < trials; trial++) {
      Path dir = root.resolve("trial-" + trial);
      Fixtures.installBaseline(dir, 6, content(6, KillTrialChild.SIZE), new FaultyFileOps().withoutFsync());
      // Mostly steps inside the protocol; one in twenty past its end, so a finished run is checked too.
      long killStep = 1 + random.nextInt((int) (totalSteps * 21 / 20));
      String outcome = runChild(dir, killStep);
      if (outcome.startsWith("DONE")) {
        completed++;
      }
      ActiveContent active = freshStart(dir, trial, killStep, outcome);
      if (active.version() == 7) {
        onNew++;
      } else {
        onOld++;
      }
    }
    String report = String.format("kill -9 trials=%d seed=%d steps=%d: on v7 (new)=%d, on v6 (last-known-good)=%d,"
        + " child finished before its kill point=%d, violations=0", trials, seed, totalSteps, onNew, onOld, completed);
    System.out.println(report);
    Files.writeString(Path.of("target", "kill-nine-report.txt"), report + System.lineSeparator());
    assertThat(onNew + onOld).isEqualTo(trials);
    if (trials >= 50) {
      assertThat(onNew).as("some kills land after the switch").isPositive();
      assertThat(onOld).as("some kills land before the switch").isPositive();
    }
  }

  private static String runChild(Path dir, long killStep) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xshare:auto", "-Xmx64m", "-cp", System.getProperty("java.class.path"), KillTrialChild.class.getName(),
        dir.toString(), Long.toString(killStep)))
        .redirectErrorStream(true)
        .start();
    StringBuilder output = new StringBuilder();
    String outcome = null;
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        output.append(line).append('\n');
        if (line.startsWith("KILL-POINT")) {
          outcome = line;
          child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no finally blocks
          break;
        }
        if (line.startsWith("DONE")) {
          outcome = line;
        }
      }
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exits").isTrue();
    assertThat(outcome).as("child output:\n%s", output).isNotNull();
    if (outcome.startsWith("KILL-POINT")) {
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    } else {
      assertThat(child.exitValue()).as("child output:\n%s", output).isZero();
    }
    return outcome;
  }

  private static ActiveContent freshStart(Path dir, int trial, long killStep, String outcome) throws IOException {
    DefaultRolloutAgent fresh = agent(dir, RealFileOps.INSTANCE, SignalSink.DISCARD);
    StartResult result = fresh.onStart();
    String where = "trial " + trial + ", killed at step " + killStep + " (" + outcome + "): " + result;
    ActiveContent active = result.active();
    assertThat(active).as("never nothing; " + where).isNotNull();
    assertThat(active.version()).as(where).isIn(6L, 7L);
    assertThat(Fixtures.intact(active, content(active.version(), KillTrialChild.SIZE))).as("intact; " + where).isTrue();
    assertThat(fresh.store().readPointer()).as("pointer agrees; " + where).contains(
        Slot.valueOf(active.path().getParent().getFileName().toString()));
    return active;
  }
}
