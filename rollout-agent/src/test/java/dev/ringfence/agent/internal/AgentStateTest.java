package dev.ringfence.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AgentStateTest {

  private static final String SHA = "a".repeat(64);

  private static AgentState sample() {
    return new AgentState(5, 9, new SlotContent(Slot.A, 6, SHA, 10), new SlotContent(Slot.B, 7, SHA, 11), 2, 7,
        new TreeSet<>(java.util.List.of(3L, 5L)));
  }

  @Test
  void encode_decode_roundTrips() throws Exception {
    assertThat(AgentState.decode(sample().encode())).isEqualTo(sample());
    assertThat(AgentState.decode(AgentState.empty().encode())).isEqualTo(AgentState.empty());
  }

  @Test
  void decode_anyFlippedByte_isRefused() {
    byte[] bytes = sample().encode();
    for (int i = 0; i < bytes.length; i++) {
      byte[] copy = bytes.clone();
      copy[i] ^= 0x01;
      assertThatThrownBy(() -> AgentState.decode(copy)).isInstanceOf(ChecksummedText.CorruptException.class);
    }
  }

  @Test
  void decode_truncated_isRefused() {
    byte[] bytes = sample().encode();
    for (int length = 0; length < bytes.length; length++) {
      byte[] copy = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> AgentState.decode(copy)).isInstanceOf(ChecksummedText.CorruptException.class);
    }
  }
}
