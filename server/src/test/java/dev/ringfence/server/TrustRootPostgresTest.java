package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.testing.ManualClock;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas on one PostgreSQL share the trust documents: a root published through one is served by the other,
 * and both serve the same timestamp, re-signed once per need under one serial, never two documents under one.
 */
class TrustRootPostgresTest {

  @TempDir Path dir;
  @RegisterExtension final TestServers servers = new TestServers();
  private final HttpClient http = servers.http;
  private final ManualClock clock = ManualClock.at("2026-12-01T00:00:00Z");
  private final TestKeys keys = new TestKeys();
  private UpdateServer a;
  private UpdateServer b;

  private KeyPair key(String id) {
    return keys.get(id);
  }


  private RootDocument root(long version, String release) throws GeneralSecurityException {
    Map<String, PublicKey> all = new TreeMap<>();
    for (String id : List.of("root-a", "root-b", release, "ts-1")) {
      all.put(id, key(id).getPublic());
    }
    return new RootDocument(version, clock.instant().plus(Duration.ofDays(365)), all,
        new RootDocument.Role(List.of("root-a", "root-b"), 2), new RootDocument.Role(List.of(release), 1),
        new RootDocument.Role(List.of("ts-1"), 1), Map.of(), Set.of(), List.of())
        .signedBy("root-a", key("root-a").getPrivate()).signedBy("root-b", key("root-b").getPrivate());
  }

  private UpdateServer start(PostgresServer.Database db, Path data, RootDocument root) throws Exception {
    return servers.start(UpdateServerConfig.custom(data).clock(clock).tickInterval(Duration.ofHours(1))
        .jdbc(db.url(), db.user(), db.password()).trustRoot(root).timestampKey("ts-1", key("ts-1").getPrivate()));
  }

  private static byte[] get(UpdateServer at, EndpointCredentials c, String path, HttpClient http) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(at.uri().resolve(path))
        .header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  @Test
  void replicas_shareRootsAndServeOneTimestampPerSerial() throws Exception {
    PostgresServer.Database db = TestServers.postgresOrSkip("trust_replicas");
    RootDocument v1 = root(1, "release-1");
    a = start(db, dir.resolve("a"), v1);
    b = start(db, dir.resolve("b"), v1);
    AdminClient adminA = servers.admin(a);
    EndpointCredentials lab = adminA.enroll("lab-1", "lab", "eu");
    byte[] payload = "rule v1\n".getBytes(StandardCharsets.UTF_8);
    adminA.publish(ReleaseSigner.sign("rules", 1, payload, clock.instant().plus(Duration.ofDays(7)),
        Map.of("release-1", key("release-1").getPrivate())), payload, true);

    a.tickNow();
    b.tickNow();
    byte[] fromA = get(a, lab, "v1/channels/rules/timestamp", http);
    byte[] fromB = get(b, lab, "v1/channels/rules/timestamp", http);
    assertThat(fromB).as("B serves the timestamp A signed, not one of its own").isEqualTo(fromA);
    assertThat(TimestampDocument.parse(fromA).serial()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(31)); // past half the validity: the first replica to tick re-signs
    b.tickNow();
    a.tickNow();
    TimestampDocument resigned = TimestampDocument.parse(get(a, lab, "v1/channels/rules/timestamp", http));
    assertThat(resigned.serial()).isEqualTo(2);
    assertThat(get(b, lab, "v1/channels/rules/timestamp", http)).isEqualTo(get(a, lab, "v1/channels/rules/timestamp",
        http));

    RootDocument v2 = root(2, "release-2");
    adminA.call("POST", "admin/v1/roots", new ObjectMapper().readTree(v2.toJson()));
    assertThat(RootDocument.parse(get(b, lab, "v1/roots/2", http))).isEqualTo(v2);
    b.tickNow();
    a.tickNow();
    TimestampDocument afterRotation = TimestampDocument.parse(get(a, lab, "v1/channels/rules/timestamp", http));
    assertThat(afterRotation.rootVersion()).isEqualTo(2);
    assertThat(afterRotation.serial()).isEqualTo(3);
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*), max(serial) FROM ringfence_server_timestamp")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getLong(2)).isEqualTo(3);
    }
  }
}
