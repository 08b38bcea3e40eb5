package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API end to end: builder checks, the crash loop with events, a failing listener. */
class RolloutAgentTest {

  @TempDir Path dir;
  /** Downloads live apart from the state directory, and are cleaned up with the test. */
  @TempDir Path payloads;
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  private AgentFixture fixture;

  @BeforeEach
  void fixture() {
    fixture = AgentFixture.onDirectory(dir, payloads, "c", "k");
  }

  private RolloutAgent agent() {
    return fixture.builder().onEvent(events::add).build();
  }

  @Test
  void builder_missingOrBadSettings_areRefusedWithTheirName() {
    assertThatThrownBy(() -> RolloutAgent.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stateDirectory: is not set");
    assertThatThrownBy(() -> RolloutAgent.builder().clock(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("clock: is null");
    assertThatThrownBy(() -> RolloutAgent.builder().maxFailedStarts(101)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFailedStarts: 101 is outside 1..100");
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
    fixture.onTrialAfter(agent(), 6, 7);
    List<StartResult> starts = AgentFixture.crashLoop(this::agent);
    assertThat(starts).hasSize(4);
    StartResult result = starts.get(3);
    assertThat(result.action()).isEqualTo(StartAction.REVERTED);
    assertThat(result.activeContent().orElseThrow().version()).isEqualTo(6);
    assertThat(events).extracting(AgentEvent::type).containsSubsequence(AgentEvent.Type.ACTIVATED,
        AgentEvent.Type.CONFIRMED, AgentEvent.Type.ACTIVATED, AgentEvent.Type.STARTED, AgentEvent.Type.REVERTED);
    assertThat(events).filteredOn(e -> e.type() == AgentEvent.Type.REVERTED).singleElement()
        .satisfies(e -> assertThat(e.version()).isEqualTo(7));
  }

  @Test
  void maxFailedStarts_isConfigurable() throws Exception {
    java.util.function.Supplier<RolloutAgent> oneStrike = () -> fixture.builder().maxFailedStarts(1).build();
    RolloutAgent first = oneStrike.get();
    first.onStart();
    fixture.apply(first, 1);
    assertThat(oneStrike.get().onStart().action()).isEqualTo(StartAction.TRIAL);
    StartResult second = oneStrike.get().onStart();
    assertThat(second.action()).isEqualTo(StartAction.REVERTED);
    assertThat(second.activeContent()).as("no last-known-good yet: no content, never a crash loop").isEmpty();
  }

  @Test
  void failingListener_neverBreaksTheProtocol() throws Exception {
    RolloutAgent agent = fixture.builder().onEvent(event -> {
      throw new IllegalStateException("listener bug");
    }).build();
    assertThat(agent.onStart().action()).isEqualTo(StartAction.NO_CONTENT);
    assertThat(fixture.apply(agent, 1).version()).isEqualTo(1);
    assertThat(agent.confirmHealthy()).isTrue();
  }

  @Test
  void activeContent_beforeOnStart_isRefused() throws Exception {
    assertThatThrownBy(() -> agent().activeContent()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("call onStart() first");
  }
}
