package dev.ringfence.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.AgentStorageException;
import dev.ringfence.agent.StartResult;
import dev.ringfence.protocol.SignalSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the agent's on-disk records (docs/fuzzing.md): the state file's decoder on raw bytes, the same decoder
 * past its checksum (the harness appends a valid {@code checksum=} line, so the fields themselves are fuzzed),
 * and a whole agent start on a disk whose state file holds such a record. Only
 * {@link ChecksummedText.CorruptException} may leave the decoder, and only {@link AgentStorageException} a
 * start; what a start then runs must be intact content. Corpus: {@code AgentStateFuzzTestInputs/}.
 */
class AgentStateFuzzTest {

  private static final Path DIR = Path.of("agent");
  private static final byte[] V1 = Fixtures.content(1, 64);
  private static final byte[] V2 = Fixtures.content(2, 64);
  /** v1 confirmed in one slot, v2 pending in the other: both copies of the state name both. */
  private static final MemoryFileOps GOLDEN = golden();

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void decode(byte[] bytes) throws IOException {
    decodeOrRefuse(bytes);
  }

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void decode_checksummedBody(byte[] body) throws IOException {
    decodeOrRefuse(checksummed(body));
  }

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void onStart_stateFileHoldsChecksummedBody(byte[] body) throws IOException {
    MemoryFileOps ops = GOLDEN.copy();
    ops.writeAndForce(DIR.resolve("state"), List.of(checksummed(body)));
    DefaultRolloutAgent agent = Fixtures.agent(DIR, ops, SignalSink.DISCARD);
    StartResult result;
    try {
      result = agent.onStart();
    } catch (AgentStorageException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(result).isNotNull();
    if (agent.activeContent().isPresent()) {
      ActiveContent active = agent.activeContent().get();
      byte[] onDisk = ops.readAllBytes(active.path());
      assertThat(Digests.sha256Hex(onDisk)).as("digest of what the agent runs").isEqualTo(active.sha256());
      assertThat(onDisk).isEqualTo(active.version() == 1 ? V1 : V2);
    }
  }

  private static void decodeOrRefuse(byte[] bytes) throws IOException {
    AgentState state;
    try {
      state = AgentState.decode(bytes);
    } catch (ChecksummedText.CorruptException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    try {
      assertThat(AgentState.decode(state.encode())).isEqualTo(state);
    } catch (ChecksummedText.CorruptException e) {
      throw new AssertionError("a decoded state does not read back: " + e.getMessage(), e);
    }
  }

  /** The body, then the checksum line the real encoder writes after it. */
  static byte[] checksummed(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return (text + "checksum=" + Digests.sha256Hex(text.getBytes(StandardCharsets.UTF_8)) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static MemoryFileOps golden() {
    MemoryFileOps ops = new MemoryFileOps();
    Fixtures.installBaseline(DIR, 1, V1, ops);
    DefaultRolloutAgent agent = Fixtures.agent(DIR, ops, SignalSink.DISCARD);
    agent.onStart();
    Fixtures.activate(agent, 2, V2);
    return ops;
  }
}
