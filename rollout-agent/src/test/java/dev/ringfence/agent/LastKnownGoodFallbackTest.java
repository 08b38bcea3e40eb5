package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.internal.AgentState;
import dev.ringfence.agent.internal.RealFileOps;
import dev.ringfence.agent.internal.SlotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the last-known-good's slot is damaged, the agent falls back only to content that passed the validator: never
 * to a version staged into the free slot whose validation did not finish.
 */
class LastKnownGoodFallbackTest {

  @TempDir Path dir;
  @TempDir Path payloads;

  /** v6 the last-known-good in slot B, v5 in slot A the probation's previous. */
  private AgentFixture v6ConfirmedOverV5() {
    AgentFixture fx = AgentFixture.onDirectory(dir, payloads, "rules", "release-1");
    RolloutAgent first = fx.agent();
    fx.runningConfirmed(first, 5);
    fx.apply(first, 6);
    first.confirmHealthy();
    return fx;
  }

  @Test
  void aVersionWhoseValidationNeverFinished_isNotTakenWhenTheLastKnownGoodIsDamaged() throws Exception {
    AgentFixture fx = v6ConfirmedOverV5();

    // The next process stages v7 into slot A, over v5, and never gets its validation done (as if killed then).
    RolloutAgent second = fx.builder().validationExecutor(task -> {
      throw new RejectedExecutionException("shut down");
    }).build();
    second.onStart();
    assertThatThrownBy(() -> fx.apply(second, 7)).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("validationExecutor: refused the validation of v7 (shut down)")
        .hasMessageContaining("nothing was activated");
    assertThat(new SlotStore(dir, RealFileOps.INSTANCE).load().state().knownBad())
        .as("the content was never judged: not known-bad").doesNotContain(7L);

    Files.write(dir.resolve("slots/B/content"), new byte[] {1, 2, 3}); // a bad sector under v6

    StartResult start = fx.agent().onStart();
    assertThat(start.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(start.activeContent()).as("v7 never passed the validator").isEmpty();
    assertThat(start.reason()).contains("last-known-good v6 in slot B is damaged; no other verified slot holds an"
        + " accepted version");
    AgentState state = new SlotStore(dir, RealFileOps.INSTANCE).load().state();
    assertThat(state.lastKnownGood()).isNull();
    assertThat(state.failedStarts()).as("the probation's counter ended with it").isZero();
    assertThat(Files.exists(dir.resolve("slots/A/content"))).as("nothing deleted").isTrue();
  }

  @Test
  void theProbationsPrevious_isTakenWhenTheLastKnownGoodIsDamaged() throws Exception {
    AgentFixture fx = v6ConfirmedOverV5();
    Files.write(dir.resolve("slots/B/content"), new byte[] {1, 2, 3});

    StartResult start = fx.agent().onStart();
    assertThat(start.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(start.activeContent().map(ActiveContent::version)).contains(5L);
    assertThat(start.reason()).contains("falling back to v5 in slot A");
  }
}
