package dev.ringfence.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.AgentEvent;
import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.StartAction;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.testing.ManualClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's meters, counted from its events, on a real agent and on events fed by hand. */
class RingfenceAgentMetricsTest {

  private static final String CHANNEL = "content";

  @TempDir Path stateDirectory;
  @TempDir Path payloads;
  private final ManualClock clock = ManualClock.at("2026-12-04T12:00:00Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static byte[] content(long version) {
    return ("rules v" + version + "\n").repeat(50).getBytes(StandardCharsets.UTF_8);
  }

  private Envelope signed(long version, Instant expiresAt, String keyId, PrivateKey key) throws Exception {
    byte[] bytes = content(version);
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    Envelope unsigned = new Envelope(CHANNEL, version, sha256, bytes.length, expiresAt, List.of());
    return unsigned.withSignature(keyId, sign(unsigned.signedBytes(), key));
  }

  private static byte[] sign(byte[] bytes, PrivateKey key) throws GeneralSecurityException {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key);
    signer.update(bytes);
    return signer.sign();
  }

  private Path payload(long version) throws Exception {
    return Files.write(payloads.resolve("v" + version), content(version));
  }

  private double count(String name) {
    return registry.get(name).functionCounter().count();
  }

  private double refusals(String reason) {
    return registry.get("ringfence.agent.refusals").tag("reason", reason).functionCounter().count();
  }

  private double runningVersion() {
    return registry.get("ringfence.agent.version").gauge().value();
  }

  @Test
  void realAgent_startsActivationsConfirmationsRevertsAndRefusalsByReason_areCounted() throws Exception {
    KeyPair release = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    KeyPair stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Instant week = clock.instant().plus(Duration.ofDays(7));
    RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create(Tags.of("channel", CHANNEL));
    RolloutAgent agent = RolloutAgent.builder().stateDirectory(stateDirectory).endpointId("host-7").channel(CHANNEL)
        .trustStore(TrustStore.builder().key("release", release.getPublic()).build()).clock(clock)
        .onEvent(metrics.listener()).build();
    metrics.track(agent);
    metrics.bindTo(registry);
    assertThat(runningVersion()).isNaN(); // before onStart() nothing is decided

    agent.onStart();
    assertThat(count("ringfence.agent.starts")).isEqualTo(1);
    assertThat(runningVersion()).isEqualTo(-1);

    agent.apply(signed(6, week, "release", release.getPrivate()), payload(6));
    assertThat(count("ringfence.agent.activations")).isEqualTo(1);
    assertThat(runningVersion()).isEqualTo(6);
    agent.confirmHealthy();
    assertThat(count("ringfence.agent.confirmations")).isEqualTo(1);

    assertThatThrownBy(() -> agent.apply(signed(6, week, "release", release.getPrivate()), payload(6)))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.STALE_VERSION));
    assertThatThrownBy(() -> agent.apply(signed(8, week, "release", stranger.getPrivate()), payload(8)))
        .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    assertThatThrownBy(() -> agent.apply(signed(9, week, "stranger", stranger.getPrivate()), payload(9)))
        .hasMessageContaining("not in the trust store");
    assertThat(refusals("stale_version")).isEqualTo(1);
    assertThat(refusals("bad_signature")).isEqualTo(1);
    assertThat(refusals("unknown_key")).isEqualTo(1);

    agent.apply(signed(7, week, "release", release.getPrivate()), payload(7));
    assertThat(runningVersion()).isEqualTo(7);
    agent.revertTo(6, "the server's rollout was halted");
    assertThat(count("ringfence.agent.reverts")).isEqualTo(1);
    assertThat(runningVersion()).isEqualTo(6); // the revert's event names v7, the abandoned one
    assertThat(count("ringfence.agent.activations")).isEqualTo(2);

    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getTag("channel")).isEqualTo(CHANNEL);
      assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
    }
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void crashLoop_theAgentsOwnRevert_isCountedWithEveryStart() throws Exception {
    KeyPair release = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create();
    RolloutAgent.Builder builder = RolloutAgent.builder().stateDirectory(stateDirectory).endpointId("host-7")
        .channel(CHANNEL).trustStore(TrustStore.builder().key("release", release.getPublic()).build()).clock(clock)
        .maxFailedStarts(2).onEvent(metrics.listener());
    metrics.bindTo(registry);
    RolloutAgent first = builder.build();
    first.onStart();
    first.apply(signed(6, clock.instant().plus(Duration.ofDays(7)), "release", release.getPrivate()), payload(6));

    StartAction action;
    int restarts = 0;
    do { // every process start of the crash loop builds its agent anew over the same directory
      action = builder.build().onStart().action();
      restarts++;
    } while (action == StartAction.TRIAL);

    assertThat(action).isEqualTo(StartAction.REVERTED);
    assertThat(count("ringfence.agent.starts")).isEqualTo(1 + restarts);
    assertThat(count("ringfence.agent.activations")).isEqualTo(1);
    assertThat(count("ringfence.agent.reverts")).isEqualTo(1);
    metrics.close();
  }

  @Test
  void eventsBeforeBinding_areShownOnceBound() {
    RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create();
    Consumer<AgentEvent> listener = metrics.listener();
    listener.accept(new AgentEvent(AgentEvent.Type.STARTED, 0, "NO_CONTENT: first start"));
    listener.accept(new AgentEvent(AgentEvent.Type.REFUSED, 5, "version: stale",
        new ContentRefusedException(Reason.STALE_VERSION, 5, "refused")));

    metrics.bindTo(registry);

    assertThat(count("ringfence.agent.starts")).isEqualTo(1);
    assertThat(refusals("stale_version")).isEqualTo(1);
    assertThat(registry.find("ringfence.agent.version").gauge()).isNull(); // no agent tracked
    metrics.close();
  }

  @Test
  void refusalOfANewReason_afterBinding_appearsInEveryBoundRegistry() {
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create();
    metrics.bindTo(registry);
    metrics.bindTo(second);

    metrics.listener().accept(new AgentEvent(AgentEvent.Type.REFUSED, 5, "version: stale",
        new ContentRefusedException(Reason.STALE_VERSION, 5, "refused")));
    metrics.listener().accept(new AgentEvent(AgentEvent.Type.REFUSED, 5, "refused without its refusal"));

    assertThat(refusals("stale_version")).isEqualTo(1);
    assertThat(refusals("unknown")).isEqualTo(1);
    assertThat(second.get("ringfence.agent.refusals").tag("reason", "stale_version").functionCounter().count())
        .isEqualTo(1);
    metrics.close();
  }

  @Test
  void close_removesEveryMeterFromEveryRegistry_andStopsCounting() {
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create();
    metrics.listener().accept(new AgentEvent(AgentEvent.Type.REFUSED, 5, "x", new ContentRefusedException(Reason.STALE_VERSION, 5, "refused")));
    metrics.bindTo(registry);
    metrics.bindTo(second);
    metrics.bindTo(second); // once only
    assertThat(registry.getMeters()).hasSize(6); // five event counters and one refusal reason
    assertThat(second.getMeters()).hasSize(6);

    metrics.close();
    metrics.listener().accept(new AgentEvent(AgentEvent.Type.REFUSED, 5, "y", new ContentRefusedException(Reason.BAD_SIGNATURE, 5, "refused")));
    metrics.close();

    assertThat(registry.getMeters()).isEmpty();
    assertThat(second.getMeters()).isEmpty();
    assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void track_afterClose_orASecondAgent_isRefused() throws Exception {
    KeyPair release = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    RolloutAgent.Builder builder = RolloutAgent.builder().stateDirectory(stateDirectory).endpointId("host-7")
        .channel(CHANNEL).trustStore(TrustStore.builder().key("release", release.getPublic()).build()).clock(clock);
    RolloutAgent first = builder.build();
    RolloutAgent second = builder.build();
    RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create();
    metrics.track(first);
    metrics.track(first); // the same agent again: nothing changes

    assertThatThrownBy(() -> metrics.track(second)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("another agent");
    metrics.close();
    assertThatThrownBy(() -> metrics.track(first)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void nullArguments_areRefusedNamingThem() {
    RingfenceAgentMetrics metrics = RingfenceAgentMetrics.create();
    assertThatThrownBy(() -> RingfenceAgentMetrics.create(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("tags");
    assertThatThrownBy(() -> metrics.bindTo(null)).isInstanceOf(NullPointerException.class).hasMessage("registry");
    assertThatThrownBy(() -> metrics.track(null)).isInstanceOf(NullPointerException.class).hasMessage("agent");
    metrics.close();
  }
}
