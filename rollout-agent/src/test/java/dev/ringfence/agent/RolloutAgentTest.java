package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.AgentFixture.sign;
import static dev.ringfence.agent.AgentFixture.unsigned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.protocol.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API end to end: builder checks, the crash loop with events, a failing listener. */
class RolloutAgentTest {

  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @TempDir Path dir;
  /** Downloads live apart from the state directory, and are cleaned up with the test. */
  @TempDir Path payloads;
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

  private RolloutAgent agent(KeyPair key) {
    return RolloutAgent.builder().stateDirectory(dir).endpointId("host-42").channel("c")
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .onEvent(events::add).build();
  }

  @Test
  void builder_missingOrBadSettings_areRefusedWithTheirName() {
    assertThatThrownBy(() -> RolloutAgent.builder().build()).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("stateDirectory: is not set");
    assertThatThrownBy(() -> RolloutAgent.builder().endpointId(" ")).hasMessageContaining("endpointId");
    assertThatThrownBy(() -> RolloutAgent.builder().maxFailedStarts(0))
        .hasMessageContaining("maxFailedStarts: 0 is outside 1..100");
    assertThatThrownBy(() -> RolloutAgent.builder().updateServer(java.net.URI.create("http://h/x")))
        .hasMessageContaining("updateServer");
    assertThatThrownBy(() -> RolloutAgent.builder().stateDirectory(dir).endpointId("e").build())
        .hasMessageContaining("channel: is not set");
  }

  @Test
  void crashLoop_throughThePublicApi_revertsAndPublishesEvents() throws Exception {
    KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    RolloutAgent first = agent(key);
    first.onStart();
    for (long version : new long[] {6, 7}) {
      Envelope envelope = sign(unsigned("c", version, bytes(version), NOW.plusSeconds(60)), "k", key.getPrivate());
      Path payload = Files.write(payloads.resolve("p" + version), bytes(version));
      first.apply(envelope, payload);
      if (version == 6) {
        first.confirmHealthy();
      }
    }
    StartResult result;
    int starts = 0;
    do {
      result = agent(key).onStart();
      starts++;
    } while (result.action() == StartAction.TRIAL);
    assertThat(starts).isEqualTo(4);
    assertThat(result.action()).isEqualTo(StartAction.REVERTED);
    assertThat(result.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThat(events).extracting(AgentEvent::type).containsSubsequence(AgentEvent.Type.ACTIVATED,
        AgentEvent.Type.CONFIRMED, AgentEvent.Type.ACTIVATED, AgentEvent.Type.STARTED, AgentEvent.Type.REVERTED);
    assertThat(events).filteredOn(e -> e.type() == AgentEvent.Type.REVERTED).singleElement()
        .satisfies(e -> assertThat(e.version()).isEqualTo(7));
  }

  @Test
  void maxFailedStarts_isConfigurable() throws Exception {
    KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    java.util.function.Supplier<RolloutAgent> oneStrike = () -> RolloutAgent.builder().stateDirectory(dir)
        .endpointId("host-42").channel("c").trustStore(TrustStore.builder().key("k", key.getPublic()).build())
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).maxFailedStarts(1).build();
    RolloutAgent first = oneStrike.get();
    first.onStart();
    Envelope envelope = sign(unsigned("c", 1, bytes(1), NOW.plusSeconds(60)), "k", key.getPrivate());
    first.apply(envelope, Files.write(payloads.resolve("p1"), bytes(1)));
    assertThat(oneStrike.get().onStart().action()).isEqualTo(StartAction.TRIAL);
    StartResult second = oneStrike.get().onStart();
    assertThat(second.action()).isEqualTo(StartAction.REVERTED);
    assertThat(second.activeContent()).as("no last-known-good yet: no content, never a crash loop").isEmpty();
  }

  @Test
  void failingListener_neverBreaksTheProtocol() throws Exception {
    KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    RolloutAgent agent = RolloutAgent.builder().stateDirectory(dir).endpointId("host-42").channel("c")
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .onEvent(event -> {
          throw new IllegalStateException("listener bug");
        }).build();
    assertThat(agent.onStart().action()).isEqualTo(StartAction.NO_CONTENT);
    Envelope envelope = sign(unsigned("c", 1, bytes(1), NOW.plusSeconds(60)), "k", key.getPrivate());
    Path payload = Files.write(payloads.resolve("p1"), bytes(1));
    assertThat(agent.apply(envelope, payload).version()).isEqualTo(1);
    assertThat(agent.confirmHealthy()).isTrue();
  }

  @Test
  void activeContent_beforeOnStart_isRefused() throws Exception {
    KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    assertThatThrownBy(() -> agent(key).activeContent()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("call onStart() first");
  }
}
