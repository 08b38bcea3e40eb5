package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.AgentFixture.key;
import static dev.ringfence.agent.AgentFixture.sign;
import static dev.ringfence.agent.AgentFixture.unsigned;
import static dev.ringfence.agent.RefusalConditions.refusedFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.EnvelopeFormat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.testing.RecordingSignalSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invariant 8, one crafted envelope per refusal, through the public API. */
class EnvelopeVerificationTest {

  private static final String CHANNEL = "channel-291";
  private static final Instant NOW = AgentFixture.NOW;

  private static final KeyPair release1 = key("release-1");
  private static final KeyPair release2 = key("release-2");
  private static final KeyPair stranger = key("stranger");

  @TempDir Path dir;
  /** Downloads live apart from the state directory, and are cleaned up with the test. */
  @TempDir Path payloads;
  private final RecordingSignalSink sink = new RecordingSignalSink(100);
  private AgentFixture fixture;
  private RolloutAgent agent;

  /** release-1, release-2 and release-3 trusted, {@code threshold} of them required. */
  private RolloutAgent agent(int threshold) {
    RolloutAgent built = fixture.builder().trustStore(fixture.trustStore(threshold)).signalSink(sink).build();
    built.onStart();
    return built;
  }

  @BeforeEach
  void start() {
    fixture = AgentFixture.onDirectory(dir, payloads, CHANNEL, "release-1", "release-2", "release-3");
    agent = agent(1);
  }

  private Path payload(long version, byte[] content) {
    return fixture.payload(version, content);
  }

  private Path payload(long version) {
    return payload(version, bytes(version));
  }

  private static Envelope signed(long version) throws Exception {
    return sign(unsigned(CHANNEL, version, bytes(version), NOW.plus(Duration.ofDays(7))), "release-1",
        release1.getPrivate());
  }

  private void assertReported(long version, String text) {
    assertThat(sink.signals()).filteredOn(ApplyResult.class::isInstance).map(ApplyResult.class::cast)
        .anySatisfy(r -> {
          assertThat(r.outcome()).isEqualTo(ApplyOutcome.VALIDATION_FAILED);
          assertThat(r.version()).isEqualTo(version);
          assertThat(r.reason()).contains(text);
        });
    assertThat(agent.activeContent()).as("nothing activated").isEmpty();
  }

  /**
   * Applying v7's {@code envelope} with {@code file} is refused for {@code reason} with a message holding each of
   * {@code messageParts}, reported as a failed validation whose reason holds {@code reported}, and nothing is active.
   */
  private void assertRefusedAndReported(Envelope envelope, Path file, Reason reason, String reported,
      String... messageParts) {
    assertThatThrownBy(() -> agent.apply(envelope, file)).has(refusedFor(reason))
        .hasMessageContainingAll(messageParts);
    assertReported(7, reported);
  }

  @Test
  void apply_validEnvelope_activatesOnTrial() throws Exception {
    ActiveContent active = agent.apply(signed(7), payload(7));
    assertThat(active.version()).isEqualTo(7);
    assertThat(Files.readAllBytes(active.path())).isEqualTo(bytes(7));
  }

  @Test
  void apply_envelopeSurvivesJsonRoundTrip() throws Exception {
    Envelope parsed = Envelope.parse(signed(7).toJson());
    assertThat(parsed).isEqualTo(signed(7));
    assertThat(agent.apply(parsed, payload(7)).version()).isEqualTo(7);
  }

  @Test
  void apply_unknownKey_isRefused() throws Exception {
    Envelope envelope = sign(unsigned(CHANNEL, 7, bytes(7), NOW.plusSeconds(60)), "stranger", stranger.getPrivate());
    assertRefusedAndReported(envelope, payload(7), Reason.UNKNOWN_KEY, "stranger", "keyId: 'stranger'",
        "not in the trust store");
  }

  @Test
  void apply_missingSignature_isRefused() throws Exception {
    Envelope envelope = unsigned(CHANNEL, 7, bytes(7), NOW.plusSeconds(60));
    assertRefusedAndReported(envelope, payload(7), Reason.BAD_SIGNATURE, "none present",
        "signatures: none present");
  }

  @Test
  void apply_tamperedEnvelope_badSignature_isRefused() throws Exception {
    Envelope good = signed(7);
    // Same signature, version changed after signing.
    Envelope tampered = new Envelope(CHANNEL, 8, good.sha256(), good.size(), good.expiresAt(), good.signatures());
    Path file = payload(7);
    assertThatThrownBy(() -> agent.apply(tampered, file)).has(refusedFor(Reason.BAD_SIGNATURE))
        .hasMessageContaining("signatures[release-1]: does not verify");
    // A signature by a trusted key id made with another private key is just as bad.
    Envelope forged = sign(unsigned(CHANNEL, 7, bytes(7), NOW.plusSeconds(60)), "release-1", stranger.getPrivate());
    assertThatThrownBy(() -> agent.apply(forged, file)).has(refusedFor(Reason.BAD_SIGNATURE));
  }

  @Test
  void apply_signaturesBelowThreshold_areRefused() throws Exception {
    agent = null;
    RolloutAgent twoOfThree = agent(2);
    Envelope one = signed(7);
    Path file = payload(7);
    assertThatThrownBy(() -> twoOfThree.apply(one, file)).has(refusedFor(Reason.BELOW_THRESHOLD))
        .hasMessageContaining("1 valid signature(s)").hasMessageContaining("threshold of 2");
    // The same key twice is still one key.
    Envelope sameKeyTwice = sign(one, "release-1", release1.getPrivate());
    assertThatThrownBy(() -> twoOfThree.apply(sameKeyTwice, file)).has(refusedFor(Reason.BELOW_THRESHOLD));
    Envelope two = sign(one, "release-2", release2.getPrivate());
    assertThat(twoOfThree.apply(two, file).version()).isEqualTo(7);
  }

  @Test
  void apply_digestMismatch_isRefused() throws Exception {
    byte[] altered = bytes(7);
    altered[10] ^= 1;
    assertRefusedAndReported(signed(7), payload(7, altered), Reason.DIGEST_MISMATCH, "sha256",
        "sha256: payload of v7 has");
  }

  @Test
  void apply_sizeMismatch_isRefused() throws Exception {
    byte[] longer = (new String(bytes(7), StandardCharsets.UTF_8) + "extra").getBytes(StandardCharsets.UTF_8);
    assertRefusedAndReported(signed(7), payload(7, longer), Reason.DIGEST_MISMATCH, "size",
        "size: payload of v7 has " + longer.length + " bytes");
  }

  @Test
  void apply_wrongChannel_isRefused() throws Exception {
    Envelope other = sign(unsigned("channel-292", 7, bytes(7), NOW.plusSeconds(60)), "release-1",
        release1.getPrivate());
    assertRefusedAndReported(other, payload(7), Reason.WRONG_CHANNEL, "channel-292", "channel: 'channel-292'",
        "'channel-291'");
  }

  @Test
  void apply_versionNotAboveHighestAccepted_rollback_isRefused() throws Exception {
    agent.apply(signed(7), payload(7));
    agent.confirmHealthy();
    Path file = payload(6);
    assertThatThrownBy(() -> agent.apply(signed(6), file)).has(refusedFor(Reason.STALE_VERSION))
        .hasMessageContaining("version: 6 is not above the highest accepted version 7");
    assertThatThrownBy(() -> agent.apply(signed(7), payload(7))).has(refusedFor(Reason.STALE_VERSION));
  }

  @Test
  void apply_expiredEnvelope_freeze_isRefused() throws Exception {
    Envelope expired = sign(unsigned(CHANNEL, 7, bytes(7), NOW), "release-1", release1.getPrivate());
    assertRefusedAndReported(expired, payload(7), Reason.EXPIRED, "expiresAt", "expiresAt: " + NOW);
  }

  @Test
  void apply_knownBadVersion_isRefused_evenWhenValidlySigned() throws Exception {
    agent.apply(signed(7), payload(7));
    for (int start = 0; start < 4; start++) { // 3 failed starts, then the revert
      agent = agent(1);
    }
    Path file = payload(7);
    assertThatThrownBy(() -> agent.apply(signed(7), file)).has(refusedFor(Reason.KNOWN_BAD))
        .hasMessageContaining("version: 7 is known-bad");
  }

  @Test
  void parse_unknownField_isRefused() {
    byte[] json = "{\"schemaVersion\":1,\"channel\":\"c\",\"version\":1,\"sha256\":\"%s\",\"size\":1,\"expiresAt\":\"2026-12-01T00:00:00Z\",\"signatures\":[],\"extra\":1}"
        .formatted("a".repeat(64)).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Envelope.parse(json)).isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("envelope extra: is not a known field");
  }

  @Test
  void parse_unknownFieldWithAnEmptyName_isRefusedNamingItQuoted() {
    // Found by EnvelopeFuzzTest: the message used to read "envelope : is not a known field".
    byte[] json = "{\"schemaVersion\":1,\"\":\"channel-291\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Envelope.parse(json)).isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("envelope \"\": is not a known field")
        .satisfies(e -> assertThat(((MalformedEnvelopeException) e).field()).isEqualTo("\"\""));
  }

  @Test
  void parse_badDigestFormat_isRefused() {
    byte[] json = "{\"schemaVersion\":1,\"channel\":\"c\",\"version\":1,\"sha256\":\"XYZ\",\"size\":1,\"expiresAt\":\"2026-12-01T00:00:00Z\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Envelope.parse(json)).isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("sha256");
  }

  @Test
  void construct_eachBrokenRuleOfTheSignedBytes_isAMalformedEnvelopeNamingTheField() {
    Instant at = Instant.parse("2026-12-01T00:00:00Z");
    String sha = "a".repeat(64);
    assertMalformed(() -> new Envelope(" ", 1, sha, 1, at, List.of()), "channel", "is missing or blank");
    assertMalformed(() -> new Envelope("c\nversion=9", 1, sha, 1, at, List.of()), "channel", "contains a line break");
    assertMalformed(() -> new Envelope("c", -1, sha, 1, at, List.of()), "version", "-1 is negative");
    assertMalformed(() -> new Envelope("c", 1, "A".repeat(64), 1, at, List.of()), "sha256",
        "'" + "A".repeat(64) + "' is not 64 lowercase hex digits");
    assertMalformed(() -> new Envelope("c", 1, sha, -1, at, List.of()), "size", "-1 is negative");
    assertMalformed(() -> new Envelope("c", 1, sha, 1, null, List.of()), "expiresAt", "is missing");
    // The same rules, for a signer that builds the bytes without an Envelope: the protocol's input refusal.
    assertThatThrownBy(() -> EnvelopeFormat.signedBytes("c\r", 1, sha, 1, at))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("channel"))
        .hasMessage("channel: contains a line break");
  }

  private static void assertMalformed(Runnable construct, String field, String reason) {
    assertThatThrownBy(construct::run)
        .isInstanceOfSatisfying(MalformedEnvelopeException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessage("envelope " + field + ": " + reason);
  }

  @Test
  void trustStore_nonEd25519Key_isRefused() throws Exception {
    KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    assertThatThrownBy(() -> TrustStore.builder().key("rsa", rsa.getPublic()))
        .hasMessageContaining("key: for keyId 'rsa' must be an Ed25519 public key, got RSA");
  }

  @Test
  void trustStore_encodedKey_roundTrips() {
    TrustStore store = TrustStore.builder()
        .key("k", TrustStore.ed25519PublicKey(release1.getPublic().getEncoded())).build();
    assertThat(store.key("k")).isPresent();
    assertThat(store.keyIds()).containsExactly("k");
  }

  @Test
  void trustStore_thresholdAboveKeys_isRefused() {
    assertThatThrownBy(() -> TrustStore.builder().key("k", release1.getPublic()).threshold(2).build())
        .hasMessageContaining("threshold: 2 is above the 1 trusted key(s)");
  }
}
