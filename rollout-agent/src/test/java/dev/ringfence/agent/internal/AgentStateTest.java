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

  @Test
  void decode_outOfRangeFields_areCorruptNamingTheField() {
    // Found by AgentStateFuzzTest: a checksummed state with pending version -2 made onStart() throw
    // InvalidSignalException from the revert report, so the agent could not start at all.
    String good = new String(sample().encode(), java.nio.charset.StandardCharsets.UTF_8);
    String body = good.substring(0, good.lastIndexOf("checksum="));
    java.util.Map<String, String> edits = java.util.Map.of(
        "pending=B 7 ", "pending=B -2 ",
        "lastKnownGood=A 6 " + SHA + " 10", "lastKnownGood=A 6 " + SHA + " -1",
        "knownBad=3,5", "knownBad=3,-5",
        "highestAccepted=7", "highestAccepted=-2",
        "bootId=9", "bootId=4294967296",
        "generation=5", "generation=-1");
    java.util.Map<String, String> expected = java.util.Map.of(
        "pending=B 7 ", "version -2 is negative",
        "lastKnownGood=A 6 " + SHA + " 10", "size -1 is negative",
        "knownBad=3,5", "knownBad entry -5 is negative",
        "highestAccepted=7", "highestAccepted -2 is below -1",
        "bootId=9", "bootId 4294967296 is outside",
        "generation=5", "generation -1 is negative");
    edits.forEach((from, to) -> {
      assertThat(body).contains(from);
      byte[] bytes = AgentStateFuzzTest.checksummed(body.replace(from, to).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThatThrownBy(() -> AgentState.decode(bytes)).isInstanceOf(ChecksummedText.CorruptException.class)
          .hasMessageContaining(expected.get(from));
    });
  }
}
