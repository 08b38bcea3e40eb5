package dev.ringfence.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.protocol.ApplyResult;
import org.junit.jupiter.api.Test;

/** A reason cut to the protocol's limit never ends or starts in half a surrogate pair, which the server refuses. */
class ReasonTruncationTest {

  private static final String EMOJI = "\uD83D\uDCA5"; // one code point, two chars

  private static boolean hasLoneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1)))) {
        return true;
      }
      if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void anApplyResultsReason_isCutBeforeAPairTheLimitWouldSplit() {
    String reason = "x".repeat(ApplyResult.MAX_REASON - 1) + EMOJI + "tail";
    String cut = SignalReporter.truncate(reason);
    assertThat(cut).hasSize(ApplyResult.MAX_REASON - 1).isEqualTo("x".repeat(ApplyResult.MAX_REASON - 1));
    assertThat(hasLoneSurrogate(cut)).isFalse();
    String whole = "x".repeat(ApplyResult.MAX_REASON - 2) + EMOJI + "tail";
    assertThat(SignalReporter.truncate(whole)).as("a pair that fits stays").endsWith(EMOJI)
        .hasSize(ApplyResult.MAX_REASON);
  }

  @Test
  void aChildValidatorsLastLines_startAfterAPairTheCutWouldSplit() throws Exception {
    String output = "head " + EMOJI + "y".repeat(499);
    String kept = ChildJvmValidator.lastLines(output);
    assertThat(kept).isEqualTo("..." + "y".repeat(499));
    assertThat(hasLoneSurrogate(kept)).isFalse();
  }
}
