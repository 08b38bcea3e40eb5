package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RolloutRuntimeInputTest {

  @Test
  void aVisibleFirstChar_isNeverWhitespace_soTheBlankScanMaySkipIt() {
    int visible = 0;
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      if (RolloutRuntime.startsVisibly(String.valueOf(c))) {
        visible++;
        assertThat(Character.isWhitespace(c)).as("U+%04X", (int) c).isFalse();
      }
    }
    assertThat(visible).as("every char from U+0021 to U+167F").isEqualTo(0x1680 - 0x21);
  }
}
