package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.testing.BoundedFuzzTest;

/**
 * Fuzzes the journal record decoder with arbitrary payloads (docs/fuzzing.md): a payload is refused with a
 * {@link StoreException} that says why, or it is an entry that encodes back to an equal entry. Anything else
 * escaping is a finding. Corpus: {@code JournalCodecFuzzTestInputs/}.
 */
class JournalCodecFuzzTest {

  @BoundedFuzzTest
  void decode(byte[] payload) {
    JournalEntry entry;
    try {
      entry = JournalCodec.decode(payload);
    } catch (StoreException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(JournalCodec.decode(JournalCodec.encode(entry))).isEqualTo(entry);
  }
}
