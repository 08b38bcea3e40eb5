package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.AgentEvent;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.FetchConfig;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import dev.ringfence.agent.UpdateCheck;
import dev.ringfence.agent.UpdateOutcome;
import dev.ringfence.testing.ManualClock;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust-root lifecycle across the real server and a real agent over HTTP: a rotation published to the
 * server reaches the agent through the timestamp, a revoked release key is refused at publish, a frozen server
 * is reported by the agent once its timestamp expires, and the server's roots survive a restart.
 */
class TrustRootServerTest {

  private static final String CHANNEL = "rules";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final ManualClock clock = ManualClock.at("2026-12-01T00:00:00Z");
  private final HttpClient http = HttpClient.newHttpClient();
  private final TestKeys keys = new TestKeys();
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  private UpdateServer server;
  private AdminClient admin;
  private EndpointCredentials lab;

  private KeyPair key(String id) {
    return keys.get(id);
  }


  private RootDocument root(long version, List<String> release, Map<String, String> revoked, String... signers)
      throws GeneralSecurityException {
    Map<String, PublicKey> all = new TreeMap<>();
    List<String> rootKeys = List.of("root-a", "root-b", "root-c");
    for (String id : concat(rootKeys, release, List.of("ts-1"))) {
      all.put(id, key(id).getPublic());
    }
    RootDocument doc = new RootDocument(version, clock.instant().plus(Duration.ofDays(365)), all,
        new RootDocument.Role(rootKeys, 2), new RootDocument.Role(release, 1),
        new RootDocument.Role(List.of("ts-1"), 1), revoked, Set.of(), List.of());
    for (String signer : signers) {
      doc = doc.signedBy(signer, key(signer).getPrivate());
    }
    return doc;
  }

  private static List<String> concat(List<String> a, List<String> b, List<String> c) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    out.addAll(c);
    return out;
  }

  private UpdateServer start(RootDocument root) throws Exception {
    return UpdateServer.start(UpdateServerConfig.custom(dir.resolve("server")).port(0).clock(clock)
        .tickInterval(Duration.ofHours(1)).trustRoot(root).timestampKey("ts-1", key("ts-1").getPrivate())
        .timestampValidity(Duration.ofHours(1)).build());
  }

  @BeforeEach
  void startServer() throws Exception {
    server = start(root(1, List.of("release-1"), Map.of(), "root-a", "root-b"));
    admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Envelope envelope(long version, String signer) throws GeneralSecurityException {
    byte[] payload = content(version);
    Map<String, PrivateKey> by = Map.of(signer, key(signer).getPrivate());
    return ReleaseSigner.sign(CHANNEL, version, payload, clock.instant().plus(Duration.ofDays(7)), by);
  }

  private static byte[] content(long version) {
    return ("rule v" + version + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private RolloutAgent agent(RootDocument given, EndpointCredentials credentials) {
    return RolloutAgent.builder().stateDirectory(dir.resolve("agent")).endpointId(credentials.endpointId())
        .channel(CHANNEL).trustRoot(given).credentials(credentials).updateServer(server.uri()).clock(clock)
        .onEvent(events::add)
        .fetchConfig(FetchConfig.custom().attemptTimeout(Duration.ofSeconds(10)).maxAttempts(1).build()).build();
  }

  private HttpResponse<byte[]> get(EndpointCredentials c, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).header("Ringfence-Endpoint", c.endpointId())
        .header("Authorization", c.authorization()).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Enrolls lab-1, publishes v1 (signed by release-1) as the general release, and runs an agent that took it. */
  private RolloutAgent agentRunningV1() throws Exception {
    RootDocument v1 = root(1, List.of("release-1"), Map.of(), "root-a", "root-b");
    lab = admin.enroll("lab-1", "lab", "eu-west");
    admin.publish(envelope(1, "release-1"), content(1), true);
    server.tickNow();
    RolloutAgent agent = agent(v1, lab);
    agent.onStart();
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.ACTIVATED);
    agent.confirmHealthy();
    return agent;
  }

  @Test
  void rotation_reachesTheAgentThroughTheTimestamp_andTheRevokedKeyIsRefusedAtPublish() throws Exception {
    RolloutAgent agent = agentRunningV1();

    // release-1 is stolen: root v2 revokes it and trusts release-2, signed by 2 of the v1 (and v2) root keys.
    String fingerprint = RootDocument.fingerprint(key("release-1").getPublic());
    RootDocument v2 = root(2, List.of("release-2"), Map.of("release-1", fingerprint), "root-a", "root-c");
    assertThat(admin.call("POST", "admin/v1/roots", JSON.readTree(v2.toJson())).get("version").asLong())
        .isEqualTo(2);
    assertThatThrownBy(() -> admin.publish(envelope(2, "release-1"), content(2), false))
        .hasMessageContaining("400").hasMessageContaining("was revoked by the trust root");
    admin.publish(envelope(2, "release-2"), content(2), false);
    server.tickNow();
    admin.createRollout("r1", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(1));
    admin.command("r1", "start", null);

    UpdateCheck check = agent.checkForUpdate();

    assertThat(check.outcome()).as(check.reason()).isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(check.version()).isEqualTo(2);
    assertThat(RootDocument.parse(Files.readAllBytes(dir.resolve("agent/trust/root.json")))).isEqualTo(v2);
    TimestampDocument ts = TimestampDocument.parse(get(lab, "v1/channels/rules/timestamp").body());
    assertThat(ts.newestVersion()).isEqualTo(2);
    assertThat(ts.rootVersion()).isEqualTo(2);
    v2.verifyTimestamp(ts, CHANNEL, clock.instant(), null, 2);
    assertThat(RootDocument.parse(get(lab, "v1/roots/1").body()))
        .isEqualTo(root(1, List.of("release-1"), Map.of(), "root-a", "root-b"));
    assertThat(get(lab, "v1/roots/3").statusCode()).isEqualTo(404);
  }

  @Test
  void aPublishedRelease_isInTheTimestampAtOnce_soARolloutStartedRightAfterIsTaken() throws Exception {
    RolloutAgent agent = agentRunningV1();
    admin.publish(envelope(2, "release-1"), content(2), false); // no tick after it: the next is an hour away
    admin.createRollout("r1", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(1));
    admin.command("r1", "start", null);

    UpdateCheck check = agent.checkForUpdate();

    assertThat(check.outcome()).as(check.reason()).isEqualTo(UpdateOutcome.ACTIVATED);
    assertThat(TimestampDocument.parse(get(lab, "v1/channels/rules/timestamp").body()).newestVersion()).isEqualTo(2);
  }

  @Test
  void aPublishedRoot_isInTheTimestampAtOnce_soARevocationReachesAgentsWithoutWaitingForATick() throws Exception {
    agentRunningV1();
    String fingerprint = RootDocument.fingerprint(key("release-1").getPublic());
    RootDocument v2 = root(2, List.of("release-2"), Map.of("release-1", fingerprint), "root-a", "root-c");
    admin.call("POST", "admin/v1/roots", JSON.readTree(v2.toJson())); // no tick after it: the next is an hour away

    TimestampDocument ts = TimestampDocument.parse(get(lab, "v1/channels/rules/timestamp").body());

    assertThat(ts.rootVersion()).as("the timestamp names the root agents must fetch").isEqualTo(2);
    v2.verifyTimestamp(ts, CHANNEL, clock.instant(), null, 1);
  }

  @Test
  void attack_rotationByTooFewOldRootKeys_isRefusedByTheServer() throws Exception {
    // One stolen root key (root-a) plus two new keys the attacker made: v1's threshold of 2 is not met.
    Map<String, PublicKey> all = new TreeMap<>(Map.of("evil-1", key("evil-1").getPublic(), "evil-2", key("evil-2").getPublic(),
        "evil-release", key("evil-release").getPublic(), "ts-1", key("ts-1").getPublic()));
    RootDocument forged = new RootDocument(2, clock.instant().plus(Duration.ofDays(30)), all,
        new RootDocument.Role(List.of("evil-1", "evil-2"), 2), new RootDocument.Role(List.of("evil-release"), 1),
        new RootDocument.Role(List.of("ts-1"), 1), Map.of(), Set.of(), List.of());
    for (String signer : List.of("root-a", "evil-1", "evil-2")) {
      forged = forged.signedBy(signer, key(signer).getPrivate());
    }
    RootDocument attempt = forged;

    assertThatThrownBy(() -> admin.call("POST", "admin/v1/roots", JSON.readTree(attempt.toJson())))
        .hasMessageContaining("HTTP 400")
        .hasMessageContaining("1 valid signature(s) by root v1's root keys");
    assertThat(admin.call("GET", "admin/v1/roots", null).get("roots")).hasSize(1);
  }

  @Test
  void frozenServer_isReportedOnceTheTimestampExpires_andClearsWhenItIsResigned() throws Exception {
    RolloutAgent agent = agentRunningV1();
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UP_TO_DATE);

    clock.advance(Duration.ofMinutes(61)); // the server's tick (and its re-signing) stopped: it answers, frozen
    UpdateCheck frozen = agent.checkForUpdate();

    assertThat(frozen.outcome()).isEqualTo(UpdateOutcome.REFUSED);
    assertThat(frozen.reason()).contains("it is frozen, or a newer release is withheld");
    assertThat(events).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo(AgentEvent.Type.REFUSED);
      assertThat(e.detail()).contains("timestamp expiresAt");
    });
    server.tickNow();
    assertThat(agent.checkForUpdate().outcome()).isEqualTo(UpdateOutcome.UP_TO_DATE);
  }

  @Test
  void roots_surviveARestart_andAConflictingGivenRootIsRefused() throws Exception {
    RootDocument v2 = root(2, List.of("release-2"), Map.of(), "root-a", "root-b");
    admin.call("POST", "admin/v1/roots", JSON.readTree(v2.toJson()));
    server.close();

    server = start(root(1, List.of("release-1"), Map.of(), "root-a", "root-b"));
    admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
    assertThat(admin.call("GET", "admin/v1/roots", null).get("roots")).hasSize(2);
    server.close();

    RootDocument otherV2 = root(2, List.of("release-3"), Map.of(), "root-a", "root-b");
    assertThatThrownBy(() -> start(otherV2)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the trust root v2 given differs from the stored v2");
    server = start(v2);
  }

  @Test
  void rootWithATimestampRole_withoutTheKey_refusesToStart() throws Exception {
    RootDocument v1 = root(1, List.of("release-1"), Map.of(), "root-a", "root-b");
    UpdateServerConfig config = UpdateServerConfig.custom(dir.resolve("other")).port(0).clock(clock)
        .trustRoot(v1).build();

    assertThatThrownBy(() -> UpdateServer.start(config)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("start the server with --timestamp-key FILE");
  }

  @Test
  void agentBuilder_refusesARootNotSignedByItsOwnRootKeys() throws Exception {
    RootDocument unsigned = root(1, List.of("release-1"), Map.of(), "root-a");

    assertThatThrownBy(() -> RolloutAgent.builder().trustRoot(unsigned))
        .hasMessageContaining("trustRoot: ").hasMessageContaining("fewer than its threshold 2");
    assertThat(ContentRefusedException.Reason.valueOf("ROOT_ROTATION_REFUSED")).isNotNull();
  }
}
