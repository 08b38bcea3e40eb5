package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.LintFinding;
import dev.ringfence.core.plan.LintRule;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalCodecTest {

  private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123456789Z");

  @Test
  void everyEntryType_roundTripsToAnEqualEntry() {
    Map<String, Double> evidence = new LinkedHashMap<>();
    evidence.put("candidateRate", 0.031);
    evidence.put("nan", Double.NaN);
    evidence.put("logLikelihoodRatio", -1.25);
    Verdict verdict = Verdict.fail("sprt", "candidate failure rate 3.1% (62/2000): FAIL", evidence);
    List<JournalEntry> entries = List.of(
        new JournalEntry.Created("r", AT, Fixtures.spec("r", Fixtures.fourRings()), List.of(
            new LintFinding(LintRule.NO_GATE, 3, "all", "has no gate", "lab ring, twelve machines"))),
        new JournalEntry.Transitioned("r", 1, AT, RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START, 0,
            "started by operator", null),
        new JournalEntry.Transitioned("r", 2, AT, RolloutState.RUNNING, RolloutState.HALTED, Trigger.GATE_FAIL, 0,
            "ring 'canary' failed: \"quotes\" and ünïcödé 😀", verdict),
        new JournalEntry.Admitted("r", AT, "host-42", 1),
        new JournalEntry.VerdictRecorded("r", AT, 0, verdict),
        new JournalEntry.Reverted("r", AT, "host-42"));
    for (JournalEntry entry : entries) {
      byte[] bytes = JournalCodec.encode(entry);
      assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("\n");
      assertThat(JournalCodec.decode(bytes)).isEqualTo(entry);
    }
  }

  @Test
  void newerFormat_isRefusedWithAClearError() {
    byte[] future = "{\"v\":2,\"type\":\"admitted\",\"rolloutId\":\"r\",\"at\":\"2026-11-23T10:00:00Z\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> JournalCodec.decode(future)).isInstanceOf(StoreException.class)
        .hasMessageContaining("format 2 is newer").hasMessageContaining("upgrade");
  }

  @Test
  void garbage_isRefusedWithAStoreException() {
    assertThatThrownBy(() -> JournalCodec.decode("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> JournalCodec.decode("{\"v\":1,\"type\":\"what\",\"rolloutId\":\"r\",\"at\":\"2026-11-23T10:00:00Z\"}"
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(StoreException.class).hasMessageContaining("'what'");
    assertThatThrownBy(() -> JournalCodec.decode("{\"v\":1,\"type\":\"admitted\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(StoreException.class).hasMessageContaining("rolloutId");
  }
}
