package dev.ringfence.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The probation fields of the state file: appended only while a probation runs, both or neither. */
class AgentStateProbationTest {

  private static final String SHA = "b".repeat(64);
  private static final SlotContent V6 = new SlotContent(Slot.A, 6, SHA, 10);
  private static final SlotContent V7 = new SlotContent(Slot.B, 7, SHA, 11);

  private static AgentState inProbation() {
    return new AgentState(5, 9, V7, null, 2, 7, new TreeSet<>(List.of(3L)), V6, 4_102_444_800_000L);
  }

  @Test
  void encode_appendsBothFieldsAfterKnownBad_andRoundTrips() throws Exception {
    String text = new String(inProbation().encode(), StandardCharsets.UTF_8);
    assertThat(text).contains("\nknownBad=3\nprevious=A 6 " + SHA + " 10\nprobationUntil=4102444800000\nchecksum=");
    assertThat(AgentState.decode(inProbation().encode())).isEqualTo(inProbation());
  }

  @Test
  void aStateWithoutProbation_isByteForByteTheOldFormat_andReadsAsNoProbation() throws Exception {
    AgentState plain = new AgentState(5, 9, V7, null, 0, 7, new TreeSet<>(List.of(3L)));
    String text = new String(plain.encode(), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("previous", "probationUntil");
    AgentState read = AgentState.decode(plain.encode());
    assertThat(read.previous()).isNull();
    assertThat(read.probationUntil()).isZero();
    assertThat(read.inProbation(0)).isFalse();
  }

  @Test
  void inProbation_onlyBeforeProbationUntil() {
    assertThat(inProbation().inProbation(4_102_444_799_999L)).isTrue();
    assertThat(inProbation().inProbation(4_102_444_800_000L)).isFalse();
  }

  @Test
  void oneFieldWithoutTheOther_orANegativeTime_isCorrupt() {
    assertThatThrownBy(() -> AgentState.decode(reencodedWithout("probationUntil")))
        .isInstanceOf(ChecksummedText.CorruptException.class).hasMessage("previous without probationUntil");
    assertThatThrownBy(() -> AgentState.decode(reencodedWithout("previous")))
        .isInstanceOf(ChecksummedText.CorruptException.class).hasMessage("probationUntil without previous");
    Map<String, String> fields = fields();
    fields.put("probationUntil", "-1");
    assertThatThrownBy(() -> AgentState.decode(ChecksummedText.encode(AgentState.HEADER, fields)))
        .isInstanceOf(ChecksummedText.CorruptException.class).hasMessage("probationUntil -1 is negative");
  }

  @Test
  void aVersionOnTrial_hasNoProbation() {
    AgentState both = new AgentState(5, 9, V7, V6, 1, 7, new TreeSet<>(), V6, 4_102_444_800_000L);
    assertThat(both.previous()).isNull();
    assertThat(both.probationUntil()).isZero();
  }

  private static Map<String, String> fields() {
    try {
      return new LinkedHashMap<>(ChecksummedText.decode(AgentState.HEADER, inProbation().encode()));
    } catch (ChecksummedText.CorruptException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] reencodedWithout(String key) {
    Map<String, String> fields = fields();
    fields.remove(key);
    return ChecksummedText.encode(AgentState.HEADER, fields);
  }
}
