package dev.ringfence.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the README's comments say {@link QuickStart} prints is what it prints. */
class QuickStartTest {

  @Test
  void main_freshRollout_offersTheCanaryHostAndTheHealthJudgeWaitsForReports() throws Exception {
    String printed = SystemOut.capture(() -> QuickStart.main(new String[0]));

    assertThat(printed.lines()).containsExactly(
        "OFFER(42) ring 0 'canary': admitted to ring 'canary'",
        "INCONCLUSIVE: too few reports: candidate 0 of 20 needed, control 0 of 100 needed; candidate failure rate"
            + " 0.0% (0/0) vs control 0.0% (0/0), SPRT log-LR 0.0 < 4.6");
  }
}
