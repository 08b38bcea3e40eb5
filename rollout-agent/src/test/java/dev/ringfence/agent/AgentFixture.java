package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint for the agent's tests, through the public API: Ed25519 release keys, envelopes signed with them, the
 * trust store that holds them, and agents over one state directory (or one {@link MemoryDisk}) with an injected
 * {@link ManualClock} at {@link #NOW}. Each {@link #agent()} is a new process start over the same disk.
 *
 * <p>Keys are made from their key id (a seeded generator), so a run reproduces; a key id that is not one of the
 * trusted ones at construction is an attacker's or a stranger's key: {@link #key(String)} makes it all the same.
 */
final class AgentFixture {

  /** The time every agent test starts at. */
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  /** The endpoint id of the fixture's agents. */
  static final String ENDPOINT = "host-42";

  private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();

  private final Consumer<RolloutAgent.Builder> disk;
  private final @Nullable MemoryDisk memoryDisk;
  private final @Nullable Path payloads;
  private final String channel;
  private final List<String> trusted;
  private final ManualClock clock = new ManualClock(NOW);
  private final AtomicLong payloadCount = new AtomicLong();

  private AgentFixture(Consumer<RolloutAgent.Builder> disk, @Nullable MemoryDisk memoryDisk,
      @Nullable Path payloads, String channel, String... trusted) {
    this.disk = disk;
    this.memoryDisk = memoryDisk;
    this.payloads = payloads;
    this.channel = channel;
    this.trusted = List.of(trusted);
  }

  /**
   * @param stateDirectory the agent's state directory (a test's temp dir)
   * @param payloads where {@link #payload} writes payload files, apart from the state directory; null for a test
   *     that downloads everything over HTTP
   * @param channel the agent's channel
   * @param trustedKeyIds the release keys its trust store holds
   * @return a fixture over a directory on disk
   */
  static AgentFixture onDirectory(Path stateDirectory, @Nullable Path payloads, String channel,
      String... trustedKeyIds) {
    return new AgentFixture(b -> b.stateDirectory(stateDirectory), null, payloads, channel, trustedKeyIds);
  }

  /** @return a fixture over a {@link MemoryDisk}; payloads go onto the disk too */
  static AgentFixture onMemoryDisk(MemoryDisk memoryDisk, String channel, String... trustedKeyIds) {
    return new AgentFixture(b -> b.memoryDisk(memoryDisk), memoryDisk, null, channel, trustedKeyIds);
  }

  /** @return the clock every agent of this fixture reads */
  ManualClock clock() {
    return clock;
  }

  /** @return the channel */
  String channel() {
    return channel;
  }

  /** @return the Ed25519 key pair of this key id, the same at every run */
  static KeyPair key(String keyId) {
    return KEYS.computeIfAbsent(keyId, AgentFixture::generate);
  }

  /** @return a trust store of the trusted keys, {@code threshold} of them required */
  TrustStore trustStore(int threshold) {
    TrustStore.Builder store = TrustStore.builder();
    trusted.forEach(id -> store.key(id, key(id).getPublic()));
    return store.threshold(threshold).build();
  }

  /** @return a trust store of the trusted keys, one signature required */
  TrustStore trustStore() {
    return trustStore(1);
  }

  /**
   * @return a builder with the disk, {@link #ENDPOINT}, the channel, {@link #trustStore()} and the clock set;
   *     a test adds or overrides what it needs
   */
  RolloutAgent.Builder builder() {
    RolloutAgent.Builder builder = RolloutAgent.builder().endpointId(ENDPOINT).channel(channel)
        .trustStore(trustStore()).clock(clock);
    disk.accept(builder);
    return builder;
  }

  /** @return a new agent from {@link #builder()}: a process start, before {@code onStart()} */
  RolloutAgent agent() {
    return builder().build();
  }

  /**
   * @param keyIds who signs, in this order
   * @return the envelope of {@code content} as {@code version} on the fixture's channel, valid for an hour
   */
  Envelope release(long version, byte[] content, String... keyIds) {
    return release(channel, version, content, NOW.plus(Duration.ofHours(1)), keyIds);
  }

  /** @return the envelope of {@code content} as {@code version} on {@code channel}, signed by each key id */
  static Envelope release(String channel, long version, byte[] content, Instant expiresAt, String... keyIds) {
    try {
      Envelope envelope = unsigned(channel, version, content, expiresAt);
      for (String id : keyIds) {
        envelope = sign(envelope, id, key(id).getPrivate());
      }
      return envelope;
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Signs {@link #bytes(long)} of the version with the first trusted key and applies it: staged, validated and
   * activated on trial.
   *
   * @return what the agent runs now
   */
  ActiveContent apply(RolloutAgent agent, long version) {
    return agent.apply(release(version, bytes(version), trusted.get(0)), payload(version, bytes(version)));
  }

  /**
   * A process start, then {@code version} applied and confirmed healthy: the agent's last-known-good.
   *
   * @return the agent
   */
  RolloutAgent runningConfirmed(RolloutAgent agent, long version) {
    agent.onStart();
    apply(agent, version);
    agent.confirmHealthy();
    return agent;
  }

  /** {@code good} applied and confirmed after a process start, then {@code trial} applied: on trial, not restarted. */
  void onTrialAfter(RolloutAgent agent, long good, long trial) {
    runningConfirmed(agent, good);
    apply(agent, trial);
  }

  /**
   * A crash loop: new agents start, each start a crash, until one is no longer on trial (at most 100 starts).
   *
   * @return what each start returned, in order
   */
  static List<StartResult> crashLoop(Supplier<RolloutAgent> agents) {
    List<StartResult> starts = new ArrayList<>();
    StartResult result;
    do {
      result = agents.get().onStart();
      starts.add(result);
    } while (result.action() == StartAction.TRIAL && starts.size() < 100);
    return starts;
  }

  /**
   * Two crashed runs and a third that shuts down cleanly at the last allowed start (three counted), then a new start.
   *
   * @return what the start after the clean shutdown returned
   */
  static StartResult startAfterACleanThirdRun(Supplier<RolloutAgent> agents) {
    agents.get().onStart();
    agents.get().onStart();
    RolloutAgent third = agents.get();
    assertThat(third.onStart().failedStarts()).as("the third run's start is the third counted").isEqualTo(3);
    third.onCleanShutdown();
    return agents.get().onStart();
  }

  /** @return a new payload file with these bytes, in the payload directory or on the memory disk */
  Path payload(long version, byte[] content) {
    if (memoryDisk != null) {
      return memoryDisk.putPayload("p" + version + "-" + payloadCount.incrementAndGet(), content);
    }
    if (payloads == null) {
      throw new IllegalStateException("this fixture has no payload directory");
    }
    try {
      return Files.write(payloads.resolve("p" + version + "-" + payloadCount.incrementAndGet()), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the content of a version: "rules vN\n" a hundred times */
  static byte[] bytes(long version) {
    return ("rules v" + version + "\n").repeat(100).getBytes(StandardCharsets.UTF_8);
  }

  /** @return an envelope of {@code content} with no signature */
  static Envelope unsigned(String channel, long version, byte[] content, Instant expiresAt)
      throws GeneralSecurityException {
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    return new Envelope(channel, version, sha, content.length, expiresAt, List.of());
  }

  /** @return the envelope with one more signature, under {@code keyId}, made with {@code key} */
  static Envelope sign(Envelope envelope, String keyId, PrivateKey key) throws GeneralSecurityException {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key);
    signer.update(envelope.signedBytes());
    return envelope.withSignature(keyId, signer.sign());
  }

  /** A seeded SHA1PRNG: the same key pair for the same key id at every run. */
  private static KeyPair generate(String keyId) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(("ringfence agent test key " + keyId).getBytes(StandardCharsets.UTF_8));
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no Ed25519 in this JDK", e);
    }
  }
}
