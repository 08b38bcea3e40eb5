package dev.ringfence.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.ContentValidator;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.EnvelopeSignature;
import dev.ringfence.agent.MalformedEnvelopeException;
import dev.ringfence.agent.StartResult;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.SignalSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed golden vectors ({@code docs/protocol/vectors/}) against the agent's code, byte for byte: the
 * generator still writes exactly the committed files, and each file read on its own (as an implementation in
 * another language reads it) agrees with the envelope parser, the verifier, the signal signer and
 * {@code onStart()}.
 */
class ProtocolVectorsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;

  private static JsonNode read(String name) throws Exception {
    return MAPPER.readTree(Files.readAllBytes(ProtocolVectors.DIR.resolve(name)));
  }

  @Test
  void generator_writesExactlyTheCommittedFiles() throws Exception {
    List<String> written = new ArrayList<>();
    for (Map.Entry<String, byte[]> file : ProtocolVectors.files().entrySet()) {
      Path path = ProtocolVectors.DIR.resolve(file.getKey());
      if (!Files.exists(path)) {
        Files.createDirectories(path.getParent());
        Files.write(path, file.getValue());
        written.add(file.getKey());
        continue;
      }
      assertThat(new String(Files.readAllBytes(path), StandardCharsets.UTF_8))
          .as("%s: the code no longer makes the committed vector; a format change needs a new protocol version",
              file.getKey())
          .isEqualTo(new String(file.getValue(), StandardCharsets.UTF_8));
    }
    assertThat(written).as("vector files written for the first time: commit them").isEmpty();
  }

  @Test
  void keys_seedsGiveThePublishedPublicKeys() throws Exception {
    for (JsonNode key : read("keys.json").get("ed25519")) {
      byte[] seed = HEX.parseHex(key.get("seedHex").asText());
      byte[] x509 = Base64.getDecoder().decode(key.get("publicKeyX509Base64").asText());
      assertThat(HEX.formatHex(x509)).endsWith(key.get("publicKeyHex").asText());
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(KeyFactory.getInstance("Ed25519")
          .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed)));
      signer.update(new byte[] {1, 2, 3});
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(TrustStore.ed25519PublicKey(x509));
      verifier.update(new byte[] {1, 2, 3});
      assertThat(verifier.verify(signer.sign())).as(key.get("keyId").asText()).isTrue();
    }
  }

  @Test
  void validEnvelopes_parseToTheirSignedBytesAndPassEveryCheck() throws Exception {
    JsonNode vectors = read("envelopes.json");
    Map<String, PublicKey> keys = publicKeys();
    for (JsonNode v : vectors.get("valid")) {
      String name = v.get("name").asText();
      byte[] json = v.get("envelopeJson").asText().getBytes(StandardCharsets.UTF_8);
      Envelope envelope = Envelope.parse(json);
      assertThat(new String(envelope.signedBytes(), StandardCharsets.UTF_8)).as(name)
          .isEqualTo(v.get("signedBytes").asText());
      assertThat(HEX.formatHex(envelope.signedBytes())).as(name).isEqualTo(v.get("signedBytesHex").asText());
      assertThat(envelope.toJson()).as(name + ": the agent writes the same JSON").isEqualTo(json);
      int i = 0;
      for (JsonNode sig : v.get("signatures")) {
        EnvelopeSignature parsed = envelope.signatures().get(i++);
        assertThat(parsed.keyId()).isEqualTo(sig.get("keyId").asText());
        byte[] signature = HEX.parseHex(sig.get("signatureHex").asText());
        assertThat(Base64.getDecoder().decode(parsed.signature())).isEqualTo(signature);
        assertThat(ProtocolVectors.key(parsed.keyId()).sign(envelope.signedBytes()))
            .as(name + ": Ed25519 is deterministic, the seed signs the same bytes").isEqualTo(signature);
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(keys.get(parsed.keyId()));
        verifier.update(HEX.parseHex(v.get("signedBytesHex").asText()));
        assertThat(verifier.verify(signature)).as(name).isTrue();
      }
      byte[] payload = Base64.getDecoder().decode(v.get("payloadBase64").asText());
      verifier(vectors).verify(envelope, now(vectors), state(vectors));
      EnvelopeVerifier.checkPayload(envelope, payload.length, Digests.sha256Hex(payload));
    }
  }

  @Test
  void refusedEnvelopes_areRefusedForTheirReason() throws Exception {
    JsonNode vectors = read("envelopes.json");
    // The vectors' reason names; "malformed" is a parse error (MalformedEnvelopeException), the rest refusals.
    Map<String, Reason> byReason = Map.of("bad_signature", Reason.BAD_SIGNATURE, "unknown_key", Reason.UNKNOWN_KEY,
        "below_threshold", Reason.BELOW_THRESHOLD, "wrong_channel", Reason.WRONG_CHANNEL, "expired", Reason.EXPIRED,
        "known_bad", Reason.KNOWN_BAD, "stale", Reason.STALE_VERSION, "version_jump", Reason.VERSION_JUMP,
        "digest_mismatch", Reason.DIGEST_MISMATCH);
    TreeSet<String> reasonsSeen = new TreeSet<>();
    for (JsonNode v : vectors.get("refused")) {
      String reason = v.get("reason").asText();
      reasonsSeen.add(reason);
      byte[] payload = Base64.getDecoder().decode(v.get("payloadBase64").asText());
      Executable check = () -> {
        Envelope envelope = Envelope.parse(v.get("envelopeJson").asText().getBytes(StandardCharsets.UTF_8));
        verifier(vectors).verify(envelope, now(vectors), state(vectors));
        EnvelopeVerifier.checkPayload(envelope, payload.length, Digests.sha256Hex(payload));
      };
      if (reason.equals("malformed")) {
        MalformedEnvelopeException refused = assertThrows(MalformedEnvelopeException.class, check,
            v.get("name").asText());
        assertThat(refused.field()).isEqualTo(v.get("field").asText());
      } else {
        ContentRefusedException refused = assertThrows(ContentRefusedException.class, check, v.get("name").asText());
        assertThat(refused.reason()).as(v.get("name").asText()).isEqualTo(byReason.get(reason));
      }
    }
    TreeSet<String> expected = new TreeSet<>(byReason.keySet());
    expected.add("malformed");
    assertThat(reasonsSeen).as("one vector per refusal reason at least").isEqualTo(expected);
  }

  @Test
  void signalBatches_bodyCanonicalBytesAndMacAreTheAgents() throws Exception {
    JsonNode vectors = read("signal-batches.json");
    String endpoint = vectors.get("endpointId").asText();
    byte[] key = HEX.parseHex(vectors.get("hmacKeyHex").asText());
    for (JsonNode b : vectors.get("batches")) {
      byte[] body = b.get("body").asText().getBytes(StandardCharsets.UTF_8);
      long timestamp = b.get("timestampMillis").asLong();
      String nonce = b.get("nonce").asText();
      assertThat(ProtocolVectors.body(signals(MAPPER.readTree(body)))).as("the sink writes this body").isEqualTo(body);
      assertThat(HEX.formatHex(ProtocolVectors.sha256(body))).isEqualTo(b.get("bodySha256").asText());
      assertThat(new String(EndpointCredentials.canonical(endpoint, timestamp, nonce, body), StandardCharsets.UTF_8))
          .isEqualTo(b.get("canonical").asText());
      assertThat(new EndpointCredentials(endpoint, ProtocolVectors.TOKEN, key)
          .sign(timestamp, nonce, body)).as(b.get("name").asText()).isEqualTo(b.get("signature").asText());
    }
  }

  @Test
  void starts_turnTheFilesBeforeIntoTheFilesAfter() throws Exception {
    JsonNode vectors = read("starts.json");
    assertThat(vectors.get("maxFailedStarts").asInt()).isEqualTo(3); // Fixtures.agent's limit
    for (JsonNode start : vectors.get("starts")) {
      String name = start.get("name").asText();
      Path home = dir.resolve(name);
      for (Map.Entry<String, JsonNode> file : start.get("before").properties()) {
        Path path = home.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue().asText(), StandardCharsets.UTF_8);
      }
      StartResult result = Fixtures.agent(home, RealFileOps.INSTANCE, SignalSink.DISCARD, ContentValidator.ACCEPT_ALL)
          .onStart();
      Map<String, String> expected = new TreeMap<>();
      start.get("after").properties().forEach(e -> expected.put(e.getKey(), e.getValue().asText()));
      assertThat(ProtocolVectors.snapshot(home)).as(name).isEqualTo(expected);
      JsonNode r = start.get("result");
      assertThat(result.action().name()).as(name).isEqualTo(r.get("action").asText());
      assertThat(result.activeContent().map(a -> a.version()).orElse(0L)).as(name).isEqualTo(r.get("version").asLong());
      assertThat(result.failedStarts()).as(name).isEqualTo(r.get("failedStarts").asInt());
    }
  }

  private static Map<String, PublicKey> publicKeys() throws Exception {
    Map<String, PublicKey> keys = new TreeMap<>();
    for (JsonNode key : read("keys.json").get("ed25519")) {
      keys.put(key.get("keyId").asText(),
          TrustStore.ed25519PublicKey(Base64.getDecoder().decode(key.get("publicKeyX509Base64").asText())));
    }
    return keys;
  }

  private static EnvelopeVerifier verifier(JsonNode vectors) throws Exception {
    JsonNode agent = vectors.get("agent");
    Map<String, PublicKey> keys = publicKeys();
    TrustStore.Builder trust = TrustStore.builder().threshold(agent.get("threshold").asInt());
    agent.get("trustedKeyIds").forEach(id -> trust.key(id.asText(), keys.get(id.asText())));
    return new EnvelopeVerifier(trust.build(), agent.get("channel").asText(), agent.get("maxVersionJump").asLong());
  }

  private static Instant now(JsonNode vectors) {
    return Instant.parse(vectors.get("agent").get("now").asText());
  }

  private static AgentState state(JsonNode vectors) {
    JsonNode agent = vectors.get("agent");
    TreeSet<Long> bad = new TreeSet<>();
    agent.get("knownBad").forEach(v -> bad.add(v.asLong()));
    return new AgentState(1, 1, null, null, 0, agent.get("highestAccepted").asLong(), bad);
  }

  /** Signals from a batch body, through the protocol's records (which check every value). */
  private static List<Signal> signals(JsonNode array) {
    List<Signal> out = new ArrayList<>();
    for (JsonNode s : array) {
      String id = s.get("endpointId").asText();
      long boot = s.get("bootId").asLong();
      long seq = s.get("sequence").asLong();
      long version = s.get("version").asLong();
      out.add(switch (s.get("type").asText()) {
        case "heartbeat" -> new Heartbeat(id, boot, seq, version, s.get("failedStarts").asInt());
        case "applyResult" -> new ApplyResult(id, boot, seq, version, ApplyOutcome.valueOf(s.get("outcome").asText()),
            s.get("reason").asText());
        case "probe" -> new ProbeReading(id, boot, seq, version, s.get("metric").asText(), s.get("value").asDouble());
        default -> throw new AssertionError("unknown type " + s);
      });
    }
    return out;
  }
}
