package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.AgentFixture.sign;
import static dev.ringfence.agent.AgentFixture.unsigned;
import static dev.ringfence.agent.MockPeers.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Signal;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.RecordingSignalSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks The Update Framework (TUF) names, each played by a malicious update server on 127.0.0.1 against
 * {@link RolloutAgent#checkForUpdate()}, one test per attack. Each test says what the attack is and which
 * defence stops it, and checks that the host keeps what it ran, that nothing outside the agent's files was
 * written, and (where the attack is in the envelope) that the payload was never even requested.
 *
 * <p>{@link EnvelopeVerificationTest} covers each refusal once through {@link RolloutAgent#apply}; this class is
 * the same ground seen as the attacker sees it, over HTTP, with the sequences that make each attack work.
 */
class TufAttackTest {

  private static final String CHANNEL = "channel-291";
  private static final Instant NOW = AgentFixture.NOW;

  private static final KeyPair release1 = AgentFixture.key("release-1");
  private static final KeyPair release2 = AgentFixture.key("release-2");
  private static final KeyPair release3 = AgentFixture.key("release-3");
  private static final KeyPair attacker = AgentFixture.key("attacker");

  @TempDir Path dir;
  private MockWebServer server;
  private ExecutorService threads;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicInteger payloadRequests = new AtomicInteger();
  private final RecordingSignalSink sink = new RecordingSignalSink(1_000);
  private AgentFixture fixture;
  private ManualClock clock;
  private volatile byte[] envelopeJson;
  private volatile Payload payload;
  /** Signals before this index were sent while setting the scene. */
  private int mark;

  /** What the malicious server answers when the payload is requested. */
  private interface Payload {
    MockResponse serve(RecordedRequest request);
  }

  @BeforeEach
  void startServer() {
    fixture = AgentFixture.onDirectory(dir.resolve("agent"), null, CHANNEL, "release-1", "release-2", "release-3");
    clock = fixture.clock();
    threads = Executors.newCachedThreadPool();
    server = MockPeers.updateServer(CHANNEL, request -> respond(200, envelopeJson), request -> {
      payloadRequests.incrementAndGet();
      return payload.serve(request);
    });
  }

  @AfterEach
  void stopServer() {
    stop.countDown();
    server.close();
    threads.shutdownNow();
  }

  /** A 2-of-3 trust store: release-1, release-2, release-3. */
  private RolloutAgent agent(FetchConfig.Builder fetch, long maxVersionJump) {
    RolloutAgent agent = fixture.builder().trustStore(fixture.trustStore(2)).updateServer(MockPeers.base(server))
        .fetchConfig(fetch.build()).fetchExecutor(threads).signalSink(sink).maxVersionJump(maxVersionJump).build();
    agent.onStart();
    return agent;
  }

  private RolloutAgent agent() {
    return agent(FetchConfig.custom().initialBackoff(Duration.ofMillis(1)).maxAttempts(2)
        .attemptTimeout(Duration.ofSeconds(20)), RolloutAgent.DEFAULT_MAX_VERSION_JUMP);
  }

  /** An envelope for {@code content} signed by release-1 and release-2, valid for an hour. */
  private static Envelope release(String channel, long version, byte[] content) {
    return AgentFixture.release(channel, version, content, NOW.plus(Duration.ofHours(1)), "release-1", "release-2");
  }

  /** The server offers {@code envelope} and answers the payload request with {@code content}. */
  private void offer(Envelope envelope, byte[] content) {
    envelopeJson = envelope.toJson();
    payload = request -> respond(200, content);
  }
  /** The server offers {@code envelope} with {@code content}; {@code agent}'s check refuses it, naming each part. */
  private void assertOfferRefused(RolloutAgent agent, Envelope envelope, byte[] content, String... parts) {
    offer(envelope, content);
    assertRefused(agent.checkForUpdate(), parts);
  }


  /** Installs v7 through the server and confirms it: the host's known-good content. */
  private RolloutAgent runningV7() throws Exception {
    RolloutAgent agent = agent();
    offer(release(CHANNEL, 7, bytes(7)), bytes(7));
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(agent.confirmHealthy()).isTrue();
    payloadRequests.set(0);
    mark = sink.signals().size();
    return agent;
  }

  private static UpdateCheck assertRefused(UpdateCheck check, String... reason) {
    assertThat(check.outcome()).as(check.reason()).isEqualTo(UpdateOutcome.REFUSED);
    assertThat(check.reason()).contains(reason);
    return check;
  }

  /** The host still runs v7, byte for byte. */
  private static void assertStillOnV7(RolloutAgent agent) throws IOException {
    ActiveContent active = agent.activeContent().orElseThrow();
    assertThat(active.version()).isEqualTo(7);
    assertThat(Files.readAllBytes(active.path())).isEqualTo(bytes(7));
  }

  private List<Signal> signalsSinceMark() {
    List<Signal> all = sink.signals();
    return all.subList(mark, all.size());
  }

  private void assertRefusalReported(String text) {
    assertThat(signalsSinceMark()).filteredOn(ApplyResult.class::isInstance).map(ApplyResult.class::cast)
        .anySatisfy(r -> {
          assertThat(r.outcome()).isEqualTo(ApplyOutcome.VALIDATION_FAILED);
          assertThat(r.reason()).contains(text);
        });
  }

  /** Every file the agent wrote is one of its own, inside its state directory; no download is left over. */
  private void assertOnlyAgentFiles() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')))
          .allMatch(p -> p.matches("agent/(state|state\\.bak|active|slots/[AB]/(content|manifest))"), "agent file");
    }
  }

  /**
   * Arbitrary installation: the attacker serves content of its choosing. Defence: only an envelope signed by
   * the threshold of trusted keys is considered, and its payload must match the signed SHA-256 and size.
   */
  @Test
  void arbitraryInstallation_unsignedForgedOrSwappedContent_isNeverActivated() throws Exception {
    RolloutAgent agent = runningV7();
    byte[] evil = bytes(8).clone();
    evil[0] ^= 1; // same size as the genuine v8, different bytes

    assertOfferRefused(agent, unsigned(CHANNEL, 8, evil, NOW.plusSeconds(3600)), evil, "signatures: none present");
    Envelope byAttacker = sign(sign(unsigned(CHANNEL, 8, evil, NOW.plusSeconds(3600)), "release-1",
        attacker.getPrivate()), "release-2", attacker.getPrivate());
    assertOfferRefused(agent, byAttacker, evil, "signatures[release-1]: does not verify");
    assertThat(payloadRequests).as("an unsigned or forged envelope never leads to a download").hasValue(0);

    offer(release(CHANNEL, 8, bytes(8)), evil); // the genuine envelope, the attacker's bytes
    assertRefused(agent.checkForUpdate(), "sha256: payload of v8");
    assertThat(payloadRequests).hasValue(1);

    assertStillOnV7(agent);
    assertRefusalReported("sha256");
    assertOnlyAgentFiles();
  }

  /**
   * Endless data: the server sends more than the release's size, or never finishes. Defence: the download is
   * cut as soon as it passes the signed size (and the agent's {@code maxPayloadBytes}), and each attempt has a
   * time limit, so neither the disk nor the update thread can be held forever.
   */
  @Test
  void endlessData_aBodyPastTheSignedSizeIsCut_andAStalledBodyTimesOut() throws Exception {
    RolloutAgent agent = agent(FetchConfig.custom().initialBackoff(Duration.ofMillis(1)).maxAttempts(1)
        .attemptTimeout(Duration.ofSeconds(2)), RolloutAgent.DEFAULT_MAX_VERSION_JUMP);
    byte[] content = bytes(7);
    envelopeJson = release(CHANNEL, 7, content).toJson();
    payload = request -> MockPeers.endless(1L << 30, stop); // claims 1 GiB, then streams until the client hangs up
    assertRefused(agent.checkForUpdate(), "size: payload of v7 exceeds " + content.length + " bytes");
    assertThat(agent.activeContent()).isEmpty();

    payload = request -> MockPeers.stalledHalfWay(content, stop); // the right length, half the bytes, then silence
    long started = System.nanoTime();
    UpdateCheck stalled = agent.checkForUpdate();
    assertThat(stalled.outcome()).as(stalled.reason()).isEqualTo(UpdateOutcome.UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    assertThat(agent.activeContent()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      try (Stream<Path> downloads = Files.list(dir.resolve("agent/downloads"))) {
        assertThat(downloads).as("the cut download is deleted").isEmpty();
      }
    });
    assertOnlyAgentFiles();
  }

  /**
   * Extraneous dependencies: the attacker makes the agent fetch or install something beside the release:
   * another file, a dependency, a path outside the agent's directory. Defence: an envelope names exactly one
   * payload, by channel and version only; unknown fields are refused before anything is fetched; the payload's
   * URL and every file name are built by the agent, never taken from the server; channel names cannot carry
   * path components.
   */
  @Test
  void extraneousDependencies_extraFilesOrPathsInTheEnvelope_areRefusedBeforeAnyFetch() throws Exception {
    RolloutAgent agent = runningV7();
    String genuine = new String(release(CHANNEL, 8, bytes(8)).toJson(), StandardCharsets.UTF_8);
    for (String extra : List.of("\"dependencies\":[{\"channel\":\"kernel-driver\",\"version\":1}]",
        "\"path\":\"../../../etc/cron.d/evil\"", "\"files\":[\"/etc/passwd\"]")) {
      envelopeJson = genuine.replaceFirst("\\{", "{" + extra + ",").getBytes(StandardCharsets.UTF_8);
      payload = request -> respond(200, bytes(8));
      assertRefused(agent.checkForUpdate(), "is not a known field");
    }
    assertOfferRefused(agent, release("channel-291/../other", 8, bytes(8)), bytes(8),
        "channel: 'channel-291/../other'");
    assertThat(payloadRequests).hasValue(0);
    assertStillOnV7(agent);
    assertOnlyAgentFiles();

    for (String name : List.of("../admin", "channel-291/../../x", ".", "..", "a b", "/etc/passwd", "c\u0000")) {
      assertThatThrownBy(() -> RolloutAgent.builder().channel(name)).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel: '");
    }
  }

  /**
   * Fast-forward: an envelope with an absurdly high version. Once accepted, every later genuine release is "not
   * above the highest accepted" and refused, so the endpoint is frozen for good. Defences: a version counts only
   * with the threshold of signatures (one key cannot do it), and even a fully signed envelope may jump at most
   * {@code maxVersionJump} above the highest accepted version ({@link ContentRefusedException.Reason#VERSION_JUMP}), so the genuine next
   * release still goes through.
   */
  @Test
  void fastForward_anAbsurdVersion_isRefused_andTheEndpointStaysUpdatable() throws Exception {
    RolloutAgent agent = runningV7();
    byte[] evil = "attacker".getBytes(StandardCharsets.UTF_8);

    assertOfferRefused(agent,
        sign(unsigned(CHANNEL, Long.MAX_VALUE, evil, NOW.plusSeconds(3600)), "release-1", release1.getPrivate()),
        evil, "1 valid signature(s)", "threshold of 2");
    assertOfferRefused(agent, release(CHANNEL, Long.MAX_VALUE, evil), evil, "version: " + Long.MAX_VALUE,
        "maxVersionJump " + RolloutAgent.DEFAULT_MAX_VERSION_JUMP);
    long justAbove = 7 + RolloutAgent.DEFAULT_MAX_VERSION_JUMP + 1;
    assertOfferRefused(agent, release(CHANNEL, justAbove, evil), evil, "version: " + justAbove);
    assertThat(payloadRequests).hasValue(0);
    assertStillOnV7(agent);
    assertRefusalReported("fast-forward");

    offer(release(CHANNEL, 8, bytes(8)), bytes(8));
    assertThat(agent.checkForUpdate().outcome()).as("the genuine next release").isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(agent.confirmHealthy()).isTrue();

    // A tighter bound for a channel with sequential versions; the largest allowed jump still passes.
    RolloutAgent tight = agent(FetchConfig.custom().initialBackoff(Duration.ofMillis(1)).maxAttempts(1), 1_000);
    assertOfferRefused(tight, release(CHANNEL, 1_009, bytes(1_009)), bytes(1_009),
        "version: 1009 is 1001 above the highest accepted version 8");
    offer(release(CHANNEL, 1_008, bytes(1_008)), bytes(1_008));
    assertThat(tight.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.ACTIVATED);
    assertThatThrownBy(() -> RolloutAgent.builder().maxVersionJump(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxVersionJump: 0 is below 1");
  }

  /**
   * Indefinite freeze: the server keeps serving old metadata so the endpoint never hears of new releases.
   * Defence: envelopes carry {@code expiresAt} and the agent judges it by its own (injected) clock: an expired
   * envelope is refused, and a server that keeps replaying the accepted version's envelope is "up to date" only
   * until that envelope expires; from then on every check is a reported refusal, so the freeze is visible. An
   * older envelope that is still valid is refused as stale at once.
   */
  @Test
  void indefiniteFreeze_replayingTheAcceptedEnvelope_isNoticedAtItsExpiry() throws Exception {
    RolloutAgent agent = runningV7();
    offer(release(CHANNEL, 7, bytes(7)), bytes(7)); // the same envelope, forever

    clock.set(NOW.plus(Duration.ofMinutes(59)));
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UP_TO_DATE);
    assertThat(signalsSinceMark()).as("no alarm while the envelope is valid").isEmpty();

    clock.set(NOW.plus(Duration.ofHours(1)));
    for (int check = 0; check < 3; check++) {
      assertRefused(agent.checkForUpdate(), "expiresAt: " + NOW.plus(Duration.ofHours(1)) + " of v7");
    }
    assertThat(signalsSinceMark()).filteredOn(ApplyResult.class::isInstance).map(ApplyResult.class::cast)
        .hasSize(3).allSatisfy(r -> {
          assertThat(r.outcome()).isEqualTo(ApplyOutcome.VALIDATION_FAILED);
          assertThat(r.version()).as("not counted against v7, which runs fine").isZero();
          assertThat(r.reason()).contains("expiresAt");
        });
    assertThat(payloadRequests).hasValue(0);
    assertStillOnV7(agent);

    // An expired envelope of a new release is refused too, and so is an older one that is still valid.
    assertOfferRefused(agent, release(CHANNEL, 8, bytes(8)), bytes(8), "expiresAt", "of v8");
    clock.set(NOW);
    assertOfferRefused(agent, release(CHANNEL, 6, bytes(6)), bytes(6),
        "version: 6 is not above the highest accepted version 7");
    assertThat(payloadRequests).hasValue(0);
    assertStillOnV7(agent);
  }

  /**
   * Mix-and-match: the attacker combines genuine pieces of different releases: v8's envelope with v7's payload
   * (both genuinely signed), or another channel's envelope. Defence: the envelope binds channel, version, size
   * and SHA-256 under one signature, and the payload must match that envelope.
   */
  @Test
  void mixAndMatch_oneReleasesEnvelopeWithAnotherReleasesPayload_isRefused() throws Exception {
    RolloutAgent agent = agent();
    byte[] v8SameSize = bytes(8);
    assertThat(v8SameSize).hasSameSizeAs(bytes(7));
    assertOfferRefused(agent, release(CHANNEL, 8, v8SameSize), bytes(7), "sha256: payload of v8");
    assertOfferRefused(agent, release(CHANNEL, 8, bytes(8)), bytes(70), "v8");
    assertThat(agent.activeContent()).isEmpty();
    assertRefusalReported("v8");

    offer(release(CHANNEL, 8, bytes(8)), bytes(8));
    assertThat(agent.checkForUpdate().outcome()).as("the matching pair").isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(Files.readAllBytes(agent.activeContent().orElseThrow().path())).isEqualTo(bytes(8));
    assertOnlyAgentFiles();
  }

  /**
   * Rollback: the attacker offers an older, genuinely signed release (with a known flaw), or a version that
   * failed here before. Defences: the persistent {@code highestAccepted} (versions at or below it are refused)
   * and the known-bad list (a version that crashed or failed validation here is never activated again, even
   * freshly re-signed).
   */
  @Test
  void rollback_anOlderOrKnownBadRelease_isNeverActivatedAgain() throws Exception {
    RolloutAgent agent = runningV7();
    assertOfferRefused(agent, release(CHANNEL, 6, bytes(6)), bytes(6),
        "version: 6 is not above the highest accepted version 7");

    offer(release(CHANNEL, 8, bytes(8)), bytes(8));
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.ACTIVATED);
    for (int start = 0; start <= RolloutAgent.DEFAULT_MAX_FAILED_STARTS; start++) {
      agent = agent(); // v8 crashes at every start: 3 trial starts, then the agent reverts
    }
    assertStillOnV7(agent);

    Envelope resigned = sign(sign(unsigned(CHANNEL, 8, bytes(8), NOW.plus(Duration.ofDays(30))), "release-2",
        release2.getPrivate()), "release-3", release3.getPrivate());
    assertOfferRefused(agent, resigned, bytes(8), "version: 8 is known-bad");
    assertThat(payloadRequests).as("only the first, genuine download of v8").hasValue(1);
    assertStillOnV7(agent);
  }

  /**
   * Key compromise below the threshold: the attacker holds one release key of a 2-of-3 trust store. Defence:
   * the threshold counts distinct trusted keys whose signatures verify; the stolen key twice is one key, a
   * second signature under a trusted key id made with the attacker's own key does not verify, and a key id the
   * store does not hold is refused.
   */
  @Test
  void keyCompromiseBelowThreshold_oneStolenKeyCannotSignAnAcceptedRelease() throws Exception {
    RolloutAgent agent = runningV7();
    byte[] evil = bytes(8).clone();
    evil[1] ^= 1;
    Envelope stolen = sign(unsigned(CHANNEL, 8, evil, NOW.plusSeconds(3600)), "release-1", release1.getPrivate());

    assertOfferRefused(agent, stolen, evil, "1 valid signature(s)", "threshold of 2");
    assertOfferRefused(agent, sign(stolen, "release-1", release1.getPrivate()), evil, "1 valid signature(s)");
    assertOfferRefused(agent, sign(stolen, "release-2", attacker.getPrivate()), evil,
        "signatures[release-2]: does not verify");
    assertOfferRefused(agent, sign(stolen, "release-4", attacker.getPrivate()), evil, "keyId: 'release-4'");
    assertThat(payloadRequests).hasValue(0);
    assertStillOnV7(agent);
  }

  /**
   * Wrong software: the attacker serves a genuine release of another product or channel (signed by the same
   * keys, or by that product's own keys). Defence: the signed channel must be this agent's, and only this
   * agent's trust store counts.
   */
  @Test
  void wrongSoftware_anotherChannelsRelease_isRefused() throws Exception {
    RolloutAgent agent = runningV7();
    assertOfferRefused(agent, release("channel-292", 8, bytes(8)), bytes(8),
        "channel: 'channel-292' of v8 is not this agent's channel 'channel-291'");
    Envelope otherProduct = sign(sign(unsigned(CHANNEL, 8, bytes(8), NOW.plusSeconds(3600)), "other-1",
        attacker.getPrivate()), "other-2", attacker.getPrivate());
    assertOfferRefused(agent, otherProduct, bytes(8), "keyId: 'other-1'");
    assertThat(payloadRequests).hasValue(0);
    assertStillOnV7(agent);
    assertRefusalReported("channel-292");
  }
}
