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
        "INCONCLUSIVE: too few reports: candidate 0 of 20 needed, control 0 of 100 needed; candidate 0 failures in"
            + " 0 host-h (0 per 1,000 h) vs control 0 in 0 host-h (0 per 1,000 h): ratio -, 99% interval [0, ∞);"
            + " log e-value 0.0 < 4.6 (ratio ≤ 1.25 at α 0.01)");
  }
}
