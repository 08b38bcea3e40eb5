package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.gates.WebhookSignature;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.testing.ManualClock;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications with the journal in PostgreSQL: two server replicas on one database, one sink, and each event
 * reaches the receiver once; the sink's lease in the server's own table hands the sink to another replica only
 * once the holder's lease has run out.
 */
class NotificationsPostgresTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.now());
  private WebhookReceiver receiver;
  private UpdateServer a;
  private UpdateServer b;

  @AfterEach
  void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  private static PostgresServer.Database database(String name) {
    try {
      return PostgresServer.newDatabase(name);
    } catch (IllegalStateException e) {
      assumeTrue(false, "no PostgreSQL for this test: " + e.getMessage());
      throw e;
    }
  }

  /** The audit trail's transitions and verdicts, as the ids their events must carry, in order. */
  private static List<String> expectedIds(PostgresServer.Database db) throws Exception {
    List<String> ids = new ArrayList<>();
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT seq, entry FROM ringfence_audit ORDER BY seq")) {
      while (rs.next()) {
        JsonNode entry = JSON.readTree(rs.getString(2));
        if (!entry.get("type").asText().equals("created")) {
          ids.add(entry.get("rolloutId").asText() + ":" + rs.getLong(1));
        }
      }
    }
    return ids;
  }

  @Test
  void twoReplicas_oneSink_sendEachEventExactlyOnce() throws Exception {
    PostgresServer.Database db = database("notify_replicas");
    receiver = new WebhookReceiver();
    byte[] secret = "0123456789abcdef0123456789abcdef-pg-secret".getBytes(StandardCharsets.US_ASCII);
    Path secretFile = NotificationsTest.secretFile(dir, "ops.secret", secret);
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1"), 1);
    NotificationSink sink = new NotificationSink("ops", receiver.uri("/hooks/ops"), secretFile,
        NotificationSink.Format.CLOUDEVENTS, Set.of());
    UpdateServerConfig.Builder common = UpdateServerConfig.custom(dir.resolve("a")).port(0).clock(clock)
        .tickInterval(Duration.ofMillis(50)).jdbc(db.url(), db.user(), db.password())
        .releaseKeys(signer.trustStore()).notificationSink(sink).notificationRetryWait(Duration.ofMillis(20));
    a = UpdateServer.start(common.build());
    b = UpdateServer.start(UpdateServerConfig.custom(dir.resolve("b")).port(0).clock(clock)
        .tickInterval(Duration.ofMillis(50)).jdbc(db.url(), db.user(), db.password())
        .releaseKeys(signer.trustStore()).notificationSink(sink).notificationRetryWait(Duration.ofMillis(20)).build());
    HttpClient http = HttpClient.newHttpClient();
    AdminClient onA = new AdminClient(a.uri(), a.adminTokenFile(), http);
    AdminClient onB = new AdminClient(b.uri(), b.adminTokenFile(), http);
    for (long v = 1; v <= 2; v++) {
      byte[] content = ("rules v" + v + "\n").getBytes(StandardCharsets.UTF_8);
      onA.publish(signer.sign(NotificationsTest.CHANNEL, v, content, Instant.now().plusSeconds(3600)), content,
          v == 1);
    }
    // Two rollouts, commands through both replicas, both replicas ticking and judging.
    onA.createRollout("r-a", NotificationsTest.CHANNEL, 1, 2, NotificationsTest.PLAN);
    onA.command("r-a", "start", null);
    await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() ->
        assertThat(onB.rollout("r-a").get("state").asText()).isEqualTo("RUNNING"));
    onB.command("r-a", "halt", "seen on B");
    clock.advance(Duration.ofMinutes(2));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(onA.rollout("r-a").get("state").asText()).isEqualTo("ROLLED_BACK"));

    List<String> expected = expectedIds(db);
    assertThat(expected).hasSizeGreaterThanOrEqualTo(3);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      List<String> ids = new ArrayList<>();
      for (WebhookReceiver.Delivery d : receiver.received()) {
        ids.add(d.header(WebhookSignature.DELIVERY));
      }
      assertThat(ids).as("each event once, in the journal's order, whichever replica sent it")
          .containsExactlyElementsOf(expected);
    });
    for (WebhookReceiver.Delivery d : receiver.received()) {
      assertThat(WebhookSignature.verify(secret, d.header(WebhookSignature.TIMESTAMP), d.body(),
          d.header(WebhookSignature.SIGNATURE))).isTrue();
      assertThat(JSON.readTree(d.body()).get("id").asText()).isEqualTo(d.header(WebhookSignature.DELIVERY));
    }
    double sent = a.registry().find("ringfence.server.notifications.delivered").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum()
        + b.registry().find("ringfence.server.notifications.delivered").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    assertThat(sent).as("counted once, by the replica that sent it").isEqualTo(expected.size());
    try (var c = db.connect(); var st = c.createStatement();
        var rs = st.executeQuery("SELECT line FROM ringfence_server_notify_cursor WHERE sink = 'ops'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).as("the shared cursor is past the last event")
          .isEqualTo(Long.parseLong(expected.get(expected.size() - 1).substring("r-a:".length())));
    }
  }

  @Test
  void lease_keepsASinkWithOneReplica_untilItRunsOut_thenTheOtherTakesOverFromTheCursor() throws Exception {
    PostgresServer.Database db = database("notify_lease");
    JdbcSharedRecords.open(db.dataSource()); // the server schema, version 5 with the cursor table
    JdbcNotificationCursors cursors = new JdbcNotificationCursors(db.dataSource());
    Instant t0 = Instant.parse("2026-12-05T00:00:00Z");
    Duration lease = Duration.ofSeconds(30);

    assertThat(cursors.claim("ops", 7, "replica-a", t0, lease)).hasValue(7);
    assertThat(cursors.claim("ops", 0, "replica-b", t0.plusSeconds(1), lease)).as("A holds it")
        .isEqualTo(OptionalLong.empty());
    assertThat(cursors.advance("ops", "replica-a", 9, t0.plusSeconds(10), lease)).isTrue(); // renewed to t0+40s
    assertThat(cursors.advance("ops", "replica-b", 12, t0.plusSeconds(10), lease)).as("B holds nothing").isFalse();
    assertThat(cursors.claim("ops", 0, "replica-b", t0.plusSeconds(39), lease)).as("A's renewal counts")
        .isEqualTo(OptionalLong.empty());

    // A dies mid-send (no release): once its lease has run out, B takes over from A's last answered event.
    assertThat(cursors.claim("ops", 0, "replica-b", t0.plusSeconds(40), lease)).hasValue(9);
    assertThat(cursors.advance("ops", "replica-a", 10, t0.plusSeconds(41), lease))
        .as("A, back, finds the sink gone and stops sending").isFalse();
    assertThat(cursors.advance("ops", "replica-b", 8, t0.plusSeconds(41), lease)).isTrue();
    assertThat(cursors.claim("ops", 0, "replica-b", t0.plusSeconds(42), lease)).as("never moved back").hasValue(9);

    cursors.release("ops", "replica-b");
    assertThat(cursors.claim("ops", 0, "replica-a", t0.plusSeconds(43), lease)).as("a clean stop hands over at once")
        .hasValue(9);
  }
}
