package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent holds a payload in memory while it stages and verifies it: a signed size beyond that is refused. */
class PayloadCapTest {

  @TempDir Path dir;
  @TempDir Path payloads;

  @Test
  void aSignedPayloadAboveTheCap_isRefusedAsTooLarge_beforeAByteIsRead() throws Exception {
    AgentFixture fx = AgentFixture.onDirectory(dir, payloads, "rules", "release-1");
    RolloutAgent agent = fx.agent();
    agent.onStart();
    long size = 3L << 30;
    Path payload = payloads.resolve("big");
    try (RandomAccessFile file = new RandomAccessFile(payload.toFile(), "rw")) {
      file.setLength(size); // sparse: no disk used, and an OutOfMemoryError before the cap
    }
    Envelope envelope = AgentFixture.sign(new Envelope("rules", 7, "0".repeat(64), size,
        AgentFixture.NOW.plus(Duration.ofHours(1)), List.of()), "release-1", AgentFixture.key("release-1").getPrivate());

    assertThatThrownBy(() -> agent.apply(envelope, payload)).isInstanceOfSatisfying(ContentRefusedException.class,
        e -> assertThat(e.reason()).isEqualTo(ContentRefusedException.Reason.PAYLOAD_TOO_LARGE))
        .hasMessageContaining("exceeds " + FetchConfig.MAX_PAYLOAD_BYTES + " bytes");
    assertThat(agent.activeContent()).isEmpty();
  }

  @Test
  void aFetchCapAboveWhatTheAgentHolds_isRefusedNamingIt() {
    assertThatThrownBy(() -> FetchConfig.custom().maxPayloadBytes(FetchConfig.MAX_PAYLOAD_BYTES + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxPayloadBytes: ")
        .hasMessageContaining("holds a payload in memory");
    assertThat(FetchConfig.custom().maxPayloadBytes(FetchConfig.MAX_PAYLOAD_BYTES).build().maxPayloadBytes())
        .isEqualTo(FetchConfig.MAX_PAYLOAD_BYTES);
  }
}
