package dev.ringfence.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.ContentValidator;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.StartResult;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import dev.ringfence.protocol.SignalSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes the protocol's golden test vectors ({@code docs/protocol/vectors/}) from the agent's own code: fixed
 * Ed25519 and HMAC test keys, fixed times and nonces, so every run writes the same bytes. {@code
 * ProtocolVectorsTest} writes a missing file once (commit it) and otherwise checks that the code still makes
 * exactly the committed bytes; the agent's and the server's tests also read the committed files on their own.
 *
 * <pre>
 * ./mvnw -B -q -pl rollout-agent test -Dtest=ProtocolVectorsTest   # writes missing files, checks the rest
 * </pre>
 */
final class ProtocolVectors {

  /** Where the vectors live, from the module's directory (Surefire's working directory). */
  static final Path DIR = Path.of("..", "docs", "protocol", "vectors");
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant EXPIRES = Instant.parse("2026-01-08T00:00:00Z");
  static final String CHANNEL = "rules";
  static final long HIGHEST_ACCEPTED = 6;
  static final long KNOWN_BAD = 5;
  static final long MAX_VERSION_JUMP = 1000;
  static final int THRESHOLD = 2;
  static final List<String> TRUSTED = List.of("test-release-1", "test-release-2");
  static final String UNTRUSTED = "test-untrusted";
  static final String ENDPOINT = "vector-host-1";
  static final String TOKEN = "test-token-not-secret-0001";
  /** A probation that has not ended for any clock the vectors run with: 2100-01-01T00:00:00Z. */
  static final long PROBATION_UNTIL = 4_102_444_800_000L;
  /** A probation that ended before the vectors were made: 2026-01-01T00:00:00Z. */
  static final long PROBATION_ENDED = 1_767_225_600_000L;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String TEST_ONLY = "TEST ONLY: these keys are published; never trust them outside tests";

  private ProtocolVectors() {}

  /** An Ed25519 test key pair derived from a fixed seed. */
  record TestKey(String keyId, byte[] seed, PrivateKey privateKey, PublicKey publicKey) {

    byte[] rawPublic() {
      byte[] x509 = publicKey.getEncoded();
      return Arrays.copyOfRange(x509, x509.length - 32, x509.length);
    }

    byte[] sign(byte[] message) throws GeneralSecurityException {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(message);
      return s.sign();
    }
  }

  /** The seed is SHA-256 of "ringfence test key " + keyId; Ed25519 signing is deterministic (RFC 8032). */
  static TestKey key(String keyId) throws GeneralSecurityException {
    byte[] seed = sha256(("ringfence test key " + keyId).getBytes(StandardCharsets.UTF_8));
    PrivateKey privateKey = KeyFactory.getInstance("Ed25519")
        .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
    return new TestKey(keyId, seed, privateKey, generator.generateKeyPair().getPublic());
  }

  /** The HMAC key of the vector endpoint: SHA-256 of "ringfence test hmac key". */
  static byte[] hmacKey() {
    return sha256("ringfence test hmac key".getBytes(StandardCharsets.UTF_8));
  }

  /** Hands the key pair generator the seed as its "random" private key bytes. */
  private static final class FixedSeed extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedSeed(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }

  /** @return every vector file by name, as the generator writes it */
  static Map<String, byte[]> files() throws Exception {
    Map<String, byte[]> files = new TreeMap<>();
    files.put("keys.json", write(keys()));
    files.put("envelopes.json", write(envelopes()));
    files.put("signal-batches.json", write(signalBatches()));
    files.put("starts.json", write(starts()));
    return files;
  }

  private static byte[] write(ObjectNode node) throws IOException {
    return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  // keys.json

  private static ObjectNode keys() throws GeneralSecurityException {
    ObjectNode root = JSON.createObjectNode();
    root.put("warning", TEST_ONLY);
    root.put("algorithm", "Ed25519 (RFC 8032); seedHex is the 32-byte private key, publicKeyHex the 32-byte"
        + " public key, publicKeyX509Base64 the same public key as X.509 SubjectPublicKeyInfo");
    ArrayNode list = root.putArray("ed25519");
    for (String id : Stream.concat(TRUSTED.stream(), Stream.of(UNTRUSTED)).toList()) {
      TestKey k = key(id);
      list.addObject().put("keyId", id).put("seedHex", hex(k.seed())).put("publicKeyHex", hex(k.rawPublic()))
          .put("publicKeyX509Base64", Base64.getEncoder().encodeToString(k.publicKey().getEncoded()))
          .put("trusted", TRUSTED.contains(id));
    }
    root.put("threshold", THRESHOLD);
    root.putObject("endpoint").put("endpointId", ENDPOINT).put("token", TOKEN)
        .put("hmacKeyHex", hex(hmacKey()));
    return root;
  }

  // envelopes.json

  private static Envelope signed(String channel, long version, byte[] payload, Instant expiresAt, String... keyIds)
      throws GeneralSecurityException {
    Envelope e = new Envelope(channel, version, hex(sha256(payload)), payload.length, expiresAt, List.of());
    for (String id : keyIds) {
      e = e.withSignature(id, key(id).sign(e.signedBytes()));
    }
    return e;
  }

  private static byte[] payload(long version) {
    return ("rules v" + version + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode envelopes() throws GeneralSecurityException {
    ObjectNode root = JSON.createObjectNode();
    root.put("warning", TEST_ONLY);
    ObjectNode agent = root.putObject("agent");
    agent.put("channel", CHANNEL).put("now", NOW.toString()).put("highestAccepted", HIGHEST_ACCEPTED)
        .put("maxVersionJump", MAX_VERSION_JUMP).putArray("knownBad").add(KNOWN_BAD);
    agent.putArray("trustedKeyIds").add(TRUSTED.get(0)).add(TRUSTED.get(1));
    agent.put("threshold", THRESHOLD);
    String[] both = TRUSTED.toArray(String[]::new);

    ArrayNode valid = root.putArray("valid");
    valid(valid, "two_of_two", signed(CHANNEL, 7, payload(7), EXPIRES, both), payload(7));
    valid(valid, "largest_allowed_jump", signed(CHANNEL, HIGHEST_ACCEPTED + MAX_VERSION_JUMP,
        payload(HIGHEST_ACCEPTED + MAX_VERSION_JUMP), EXPIRES, both), payload(HIGHEST_ACCEPTED + MAX_VERSION_JUMP));
    valid(valid, "expiry_with_fraction_signed_as_instant_text", signed(CHANNEL, 8, payload(8),
        EXPIRES.plusMillis(500), TRUSTED.get(1), TRUSTED.get(0)), payload(8));

    ArrayNode refused = root.putArray("refused");
    Envelope good = signed(CHANNEL, 7, payload(7), EXPIRES, both);
    String goodJson = new String(good.toJson(), StandardCharsets.UTF_8);
    refusedRaw(refused, "malformed_unknown_field", "malformed", "extra",
        goodJson.replace("{\"schemaVersion\":1,", "{\"schemaVersion\":1,\"extra\":true,"), payload(7), "bad_request");
    refusedRaw(refused, "malformed_uppercase_digest", "malformed", "sha256",
        goodJson.replace(good.sha256(), good.sha256().toUpperCase(java.util.Locale.ROOT)), payload(7), "bad_request");
    refusedRaw(refused, "malformed_schema_version", "malformed", "schemaVersion",
        goodJson.replace("\"schemaVersion\":1", "\"schemaVersion\":2"), payload(7), "bad_request");
    refusedRaw(refused, "malformed_version_as_string", "malformed", "version",
        goodJson.replace("\"version\":7", "\"version\":\"7\""), payload(7), "bad_request");
    // A key twice, or anything after the object: parsers differ on which value wins, so every reader refuses both.
    refusedRaw(refused, "malformed_duplicate_key", "malformed", "(document)",
        goodJson.replace("\"version\":7,", "\"version\":7,\"version\":8,"), payload(7), "bad_request");
    refusedRaw(refused, "malformed_trailing_content", "malformed", "(document)", goodJson + " {}", payload(7),
        "bad_request");
    refused(refused, "bad_signature_none_present", "bad_signature", signed(CHANNEL, 7, payload(7), EXPIRES),
        payload(7), "refused_envelope");
    Envelope tampered = new Envelope(CHANNEL, 7, good.sha256(), good.size(), EXPIRES.plusSeconds(86_400),
        good.signatures());
    refused(refused, "bad_signature_expiry_edited_after_signing", "bad_signature", tampered, payload(7),
        "refused_envelope");
    refused(refused, "unknown_key", "unknown_key", signed(CHANNEL, 7, payload(7), EXPIRES, TRUSTED.get(0),
        TRUSTED.get(1), UNTRUSTED), payload(7), "refused_envelope");
    refused(refused, "below_threshold_one_key", "below_threshold", signed(CHANNEL, 7, payload(7), EXPIRES,
        TRUSTED.get(0)), payload(7), "refused_envelope");
    refused(refused, "below_threshold_same_key_twice", "below_threshold", signed(CHANNEL, 7, payload(7), EXPIRES,
        TRUSTED.get(0), TRUSTED.get(0)), payload(7), "refused_envelope");
    refused(refused, "wrong_channel", "wrong_channel", signed("other-channel", 7, payload(7), EXPIRES, both),
        payload(7), "refused_envelope");
    refused(refused, "expired_at_now", "expired", signed(CHANNEL, 7, payload(7), NOW, both), payload(7),
        "refused_envelope");
    refused(refused, "known_bad", "known_bad", signed(CHANNEL, KNOWN_BAD, payload(KNOWN_BAD), EXPIRES, both),
        payload(KNOWN_BAD), null);
    refused(refused, "stale_equal_to_highest_accepted", "stale", signed(CHANNEL, HIGHEST_ACCEPTED,
        payload(HIGHEST_ACCEPTED), EXPIRES, both), payload(HIGHEST_ACCEPTED), null);
    long jump = HIGHEST_ACCEPTED + MAX_VERSION_JUMP + 1;
    refused(refused, "version_jump", "version_jump", signed(CHANNEL, jump, payload(jump), EXPIRES, both),
        payload(jump), null);
    refused(refused, "digest_mismatch_size", "digest_mismatch", good, "rules v7 and more\n"
        .getBytes(StandardCharsets.UTF_8), "bad_request");
    refused(refused, "digest_mismatch_sha256", "digest_mismatch", good, "rules v9\n".getBytes(StandardCharsets.UTF_8),
        "bad_request");
    return root;
  }

  private static void valid(ArrayNode list, String name, Envelope e, byte[] payload) {
    ObjectNode v = list.addObject();
    v.put("name", name);
    v.put("envelopeJson", new String(e.toJson(), StandardCharsets.UTF_8));
    v.put("signedBytes", new String(e.signedBytes(), StandardCharsets.UTF_8));
    v.put("signedBytesHex", hex(e.signedBytes()));
    ArrayNode sigs = v.putArray("signatures");
    e.signatures().forEach(s -> sigs.addObject().put("keyId", s.keyId()).put("signatureHex",
        hex(Base64.getDecoder().decode(s.signature()))));
    v.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
  }

  private static void refused(ArrayNode list, String name, String reason, Envelope e, byte[] payload,
      String serverError) {
    refusedRaw(list, name, reason, null, new String(e.toJson(), StandardCharsets.UTF_8), payload, serverError);
  }

  private static void refusedRaw(ArrayNode list, String name, String reason, String field, String json,
      byte[] payload, String serverError) {
    ObjectNode v = list.addObject();
    v.put("name", name);
    v.put("reason", reason);
    if (field != null) {
      v.put("field", field);
    }
    v.put("envelopeJson", json);
    v.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
    if (serverError == null) {
      v.putNull("serverRefusesPublish");
    } else {
      v.putObject("serverRefusesPublish").put("status", 400).put("error", serverError);
    }
  }

  // signal-batches.json

  private static ObjectNode signalBatches() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("warning", TEST_ONLY);
    root.put("endpointId", ENDPOINT);
    root.put("hmacKeyHex", hex(hmacKey()));
    ArrayNode batches = root.putArray("batches");
    batch(batches, "one_heartbeat", 1_767_225_600_000L, "000102030405060708090a0b0c0d0e0f",
        List.of(new Heartbeat(ENDPOINT, 3, 0, 7, 1)));
    batch(batches, "every_signal_type", 1_767_225_660_000L, "f0e1d2c3b4a5968778695a4b3c2d1e0f",
        List.of(new Heartbeat(ENDPOINT, 3, 1, 7, 1),
            new ApplyResult(ENDPOINT, 3, 2, 7, ApplyOutcome.ACTIVATED, ""),
            new ProbeReading(ENDPOINT, 3, 3, 7, "cpu.load", 0.25)));
    batch(batches, "utf8_reason_hashed_as_sent", 1_767_225_720_000L, "ffffffffffffffffffffffffffffffff",
        List.of(new ApplyResult(ENDPOINT, 4, 0, 7, ApplyOutcome.CRASHED, "Absturz \u00fcber Nacht \u2014 0x50")));
    return root;
  }

  private static void batch(ArrayNode list, String name, long timestamp, String nonce, List<Signal> signals)
      throws IOException {
    byte[] body = body(signals);
    ObjectNode b = list.addObject();
    b.put("name", name);
    b.put("timestampMillis", timestamp);
    b.put("nonce", nonce);
    b.put("body", new String(body, StandardCharsets.UTF_8));
    b.put("bodySha256", hex(sha256(body)));
    b.put("canonical", new String(EndpointCredentials.canonical(ENDPOINT, timestamp, nonce, body),
        StandardCharsets.UTF_8));
    b.put("signature", EndpointCredentials.sign(hmacKey(), ENDPOINT, timestamp, nonce, body));
  }

  /** A batch's body exactly as the agent's HTTP sink writes it. */
  static byte[] body(List<Signal> signals) throws IOException {
    ArrayNode array = new ObjectMapper().createArrayNode();
    signals.forEach(s -> array.add(HttpSignalSink.toJson(s)));
    return new ObjectMapper().writeValueAsBytes(array);
  }

  // starts.json

  /** What a start case damages before the start: nothing, one file flipped or overwritten. */
  private enum Damage { NONE, PENDING_SLOT, PRIMARY_STATE, CLEAN_SHUTDOWN_MARKER }

  /** One start: the files before it, how it is set up, what it decides. */
  private record StartCase(String name, String description, AgentState before, Damage damage,
      long cleanShutdownBoot) {}

  private static ObjectNode starts() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("maxFailedStarts", 3);
    root.put("startCounter", "AGENT");
    root.put("note", "files are text; a path absent after the start was removed by it; slots/X/content is the"
        + " slot's payload");
    ArrayNode list = root.putArray("starts");
    SlotContent lkg = new SlotContent(Slot.A, 6, hex(sha256(payload(6))), payload(6).length);
    SlotContent pending = new SlotContent(Slot.B, 7, hex(sha256(payload(7))), payload(7).length);
    TreeSet<Long> bad = new TreeSet<>(List.of(5L));
    List<StartCase> cases = List.of(
        new StartCase("last_known_good_only", "nothing on trial: runs v6, counts nothing",
            new AgentState(4, 2, lkg, null, 0, 6, bad), Damage.NONE, -1),
        new StartCase("trial_first_start_counted", "v7 on trial: failedStarts 0 -> 1 persisted before it runs",
            new AgentState(5, 2, lkg, pending, 0, 7, bad), Damage.NONE, -1),
        new StartCase("trial_third_start_counted", "failedStarts 2 -> 3: still below the limit when counted",
            new AgentState(7, 4, lkg, pending, 2, 7, bad), Damage.NONE, -1),
        new StartCase("revert_at_limit", "failedStarts is 3 = maxFailedStarts: back to v6, v7 known-bad",
            new AgentState(8, 5, lkg, pending, 3, 7, bad), Damage.NONE, -1),
        new StartCase("clean_shutdown_not_counted", "the marker names the last boot: not counted, marker removed",
            new AgentState(6, 3, lkg, pending, 1, 7, bad), Damage.NONE, 3),
        new StartCase("clean_shutdown_at_limit_not_reverted", "failedStarts is 3 = maxFailedStarts but the marker"
            + " names the last boot: that run did not fail, so no revert and no count; marker removed",
            new AgentState(8, 5, lkg, pending, 3, 7, bad), Damage.NONE, 5),
        new StartCase("stale_clean_shutdown_counted", "the marker names an older boot: counted, marker removed",
            new AgentState(6, 3, lkg, pending, 1, 7, bad), Damage.NONE, 2),
        new StartCase("corrupt_clean_shutdown_counted", "the marker of the last boot fails its checksum: ignored,"
            + " counted, and left in place (the next clean shutdown replaces it)",
            new AgentState(6, 3, lkg, pending, 1, 7, bad), Damage.CLEAN_SHUTDOWN_MARKER, 3),
        new StartCase("damaged_pending_slot_reverted", "slot B no longer matches its digest: reverted at once",
            new AgentState(5, 2, lkg, pending, 0, 7, bad), Damage.PENDING_SLOT, -1),
        new StartCase("corrupt_state_backup_used", "state fails its checksum, state.bak is used",
            new AgentState(5, 2, lkg, pending, 0, 7, bad), Damage.PRIMARY_STATE, -1),
        // Probation: v7 was confirmed (it is the last-known-good) and v6, which it replaced, stays in slot A. The
        // probation ends at 2100-01-01 (in probation for any clock an implementation runs with) or ended at
        // 2026-01-01 (expired), so the vectors hold for the Java agent's clock and the guard's time() alike.
        new StartCase("probation_start_counted", "v7 confirmed, in probation: a start that does not follow a clean"
            + " shutdown is counted as a trial start (failedStarts 0 -> 1)",
            new AgentState(9, 6, pending, null, 0, 7, bad, lkg, PROBATION_UNTIL), Damage.NONE, -1),
        new StartCase("probation_revert_at_limit", "failedStarts is 3 = maxFailedStarts in probation: v7 crash-looped"
            + " after confirmation, back to the previous v6 in slot A, v7 known-bad, probation over",
            new AgentState(12, 9, pending, null, 3, 7, bad, lkg, PROBATION_UNTIL), Damage.NONE, -1),
        new StartCase("probation_expired_not_counted", "the probation ended before this start: not counted, the"
            + " previous version and the counter dropped",
            new AgentState(10, 7, pending, null, 1, 7, bad, lkg, PROBATION_ENDED), Damage.NONE, -1),
        new StartCase("probation_clean_shutdown_not_counted", "in probation, the marker names the last boot: not"
            + " counted, marker removed",
            new AgentState(10, 7, pending, null, 1, 7, bad, lkg, PROBATION_UNTIL), Damage.NONE, 7),
        new StartCase("old_state_without_probation", "v7 confirmed by an agent without probation (no previous, no"
            + " probationUntil): no probation, nothing counted",
            new AgentState(9, 6, pending, null, 0, 7, bad), Damage.NONE, -1));
    for (StartCase c : cases) {
      list.add(start(c));
    }
    return root;
  }

  private static ObjectNode start(StartCase c) throws IOException {
    Path dir = Files.createTempDirectory("ringfence-vector");
    try {
      SlotStore store = new SlotStore(dir, RealFileOps.INSTANCE);
      store.load();
      store.stage(Slot.A, 6, List.of(payload(6)));
      store.stage(Slot.B, 7, List.of(payload(7)));
      AgentState written = store.writeState(new AgentState(c.before().generation() - 1, c.before().bootId(),
          c.before().lastKnownGood(), c.before().pending(), c.before().failedStarts(), c.before().highestAccepted(),
          c.before().knownBad(), c.before().previous(), c.before().probationUntil()));
      store.pointTo(written.active());
      if (c.cleanShutdownBoot() >= 0) {
        store.writeCleanShutdown(c.cleanShutdownBoot(), 7);
      }
      switch (c.damage()) {
        case PENDING_SLOT -> Files.writeString(store.contentFile(Slot.B), "rules v7 damaged\n");
        case PRIMARY_STATE -> flipMiddleByte(store.stateFile());
        case CLEAN_SHUTDOWN_MARKER -> flipMiddleByte(store.cleanShutdownFile());
        case NONE -> { }
      }
      Map<String, String> before = snapshot(dir);
      StartResult result = Fixtures.agent(dir, RealFileOps.INSTANCE, SignalSink.DISCARD,
          ContentValidator.ACCEPT_ALL).onStart();
      Map<String, String> after = snapshot(dir);
      ObjectNode node = JSON.createObjectNode();
      node.put("name", c.name());
      node.put("description", c.description());
      ObjectNode b = node.putObject("before");
      before.forEach(b::put);
      ObjectNode a = node.putObject("after");
      after.forEach(a::put);
      ObjectNode r = node.putObject("result");
      r.put("action", result.action().name());
      r.put("slot", result.activeContent().map(x -> x.path().getParent().getFileName().toString()).orElse("none"));
      r.put("version", result.activeContent().map(x -> x.version()).orElse(0L));
      r.put("failedStarts", result.failedStarts());
      return node;
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static void flipMiddleByte(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);
  }

  /** Every regular file under the directory (leftover *.tmp excluded), by its relative path with '/'. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String name = dir.relativize(p).toString().replace('\\', '/');
        if (!name.endsWith(".tmp")) {
          files.put(name, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    }
    return files;
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
