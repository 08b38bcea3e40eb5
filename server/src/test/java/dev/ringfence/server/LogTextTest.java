package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

  @Test
  void of_plainText_isTheSameString() {
    String plain = "rollout r1 on rules: v1 -> v2 by ops (Grüße, 日本, \uD83D\uDE00)";
    assertThat(LogText.of(plain)).isSameAs(plain);
  }

  @Test
  void of_lineBreaksAndControls_areEscaped() {
    assertThat(LogText.of("r1\n[ringfence-tick] WARN HALTED\r\n")).isEqualTo("r1\\n[ringfence-tick] WARN HALTED\\r\\n");
    assertThat(LogText.of("a\tb\u0000c\u001bd\u007fe\u0085f")).isEqualTo("a\\tb\\u0000c\\u001bd\\u007fe\\u0085f");
    assertThat(LogText.of("x\u2028y\u2029z")).isEqualTo("x\\u2028y\\u2029z");
  }

  @Test
  void of_loneSurrogates_areEscaped_andPairsKept() {
    assertThat(LogText.of("a\uD83Db")).isEqualTo("a\\ud83db");
    assertThat(LogText.of("a\uDE00b")).isEqualTo("a\\ude00b");
    assertThat(LogText.of("\uD83D")).isEqualTo("\\ud83d");
    assertThat(LogText.of("\uD83D\uDE00")).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void of_null_isTheWordNull() {
    assertThat(LogText.of(null)).isEqualTo("null");
  }
}
