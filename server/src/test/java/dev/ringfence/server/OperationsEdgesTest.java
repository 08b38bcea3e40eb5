package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What an operator watches: meters on every replica, logs without credentials, a health probe as documented. */
class OperationsEdgesTest {

  @TempDir Path dir;
  @RegisterExtension final TestServers servers = new TestServers();

  private String rolloutLines(UpdateServer s, String rollout) throws Exception {
    String scrape = servers.http.send(HttpRequest.newBuilder(s.uri().resolve("metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return scrape.lines().filter(l -> !l.startsWith("#") && l.contains("rollout=\"" + rollout + "\""))
        .collect(Collectors.joining("\n"));
  }

  @Test
  void aRolloutCreatedAndStartedOnAnotherReplica_isMeasuredHereToo() throws Exception {
    PostgresServer.Database db = TestServers.postgresOrSkip("replica_meters");
    UpdateServer a = servers.start(UpdateServerConfig.custom(dir.resolve("a")).tickInterval(Duration.ofHours(1))
        .jdbc(db.url(), db.user(), db.password()).releaseKeys(servers.signer.trustStore()));
    UpdateServer b = servers.start(UpdateServerConfig.custom(dir.resolve("b")).tickInterval(Duration.ofHours(1))
        .jdbc(db.url(), db.user(), db.password()).releaseKeys(servers.signer.trustStore()));
    AdminClient onA = servers.admin(a);
    TestServers.publishVersions(onA, servers.signer, "rules", 2);
    onA.createRollout("r1", "rules", 1, 2, NotificationsTest.PLAN);
    onA.command("r1", "start", null);
    // B meets r1 already RUNNING: it never saw it PLANNED, so its meters cannot wait for a transition seen here.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      b.tickNow();
      assertThat(b.engine().rollout("r1").state().name()).isEqualTo("RUNNING");
    });
    assertThat(rolloutLines(a, "r1")).as("A").contains("ringfence_rollout_state{");
    assertThat(rolloutLines(b, "r1")).as("B").contains("ringfence_rollout_state{")
        .contains("ringfence_rollout_exposed_endpoints{");
  }

  @Test
  void aWebhookRefusingEvents_isLoggedWithoutItsPath_whichForAChatWebhookIsTheCredential() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String token = "XXXXsecretWebhookTokenXXXX";
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      receiver.answer(404, 404, 404, 404, 404, 404);
      Path secretFile = NotificationsTest.secretFile(dir, "chat.secret",
          "0123456789abcdef0123456789abcdef-secret".getBytes(StandardCharsets.US_ASCII));
      NotificationSink sink = new NotificationSink("chat", receiver.uri("/services/T000/B000/" + token), secretFile,
          NotificationSink.Format.SLACK, Set.of());
      System.setErr(new PrintStream(new OutputStream() {
        @Override
        public void write(int b) {
          original.write(b);
          synchronized (captured) {
            captured.write(b);
          }
        }
      }, true));
      UpdateServer s = servers.start(UpdateServerConfig.custom(dir.resolve("n")).notificationSink(sink)
          .notificationRetryWait(Duration.ofMillis(10)), servers.signer);
      AdminClient admin = servers.admin(s);
      TestServers.publishVersions(admin, servers.signer, "rules", 2);
      admin.createRollout("r1", "rules", 1, 2, NotificationsTest.PLAN);
      admin.command("r1", "start", null);
      await().atMost(Duration.ofSeconds(15)).until(() -> {
        synchronized (captured) {
          return captured.toString(StandardCharsets.UTF_8).contains("refused, not retried");
        }
      });
    } finally {
      System.setErr(original);
    }
    String line;
    synchronized (captured) {
      line = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("refused, not retried"))
          .findFirst().orElseThrow();
    }
    assertThat(line).contains("HTTP 404 from http://127.0.0.1:").contains("/(path withheld)").doesNotContain(token);
  }

  @Test
  void aSinksUrlForTheLog_keepsSchemeHostAndPort_only() {
    assertThat(Notifier.withoutPath(URI.create("https://hooks.slack.com/services/T0/B0/secret?x=1")))
        .isEqualTo("https://hooks.slack.com/(path withheld)");
    assertThat(Notifier.withoutPath(URI.create("http://127.0.0.1:8080"))).isEqualTo("http://127.0.0.1:8080");
  }

  @Test
  void healthz_isStalledAfterTenTickIntervalsAndFiveSeconds_asDocumented() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-23T12:00:00Z"));
    // An hour between scheduled ticks: none runs while the clock is moved by hand.
    UpdateServer s = servers.start(UpdateServerConfig.custom(dir.resolve("h")).clock(clock)
        .tickInterval(Duration.ofHours(1)));
    s.tickNow();
    clock.advance(Duration.ofHours(10).plusSeconds(5));
    assertThat(health(s).statusCode()).as("at the margin").isEqualTo(200);
    clock.advance(Duration.ofSeconds(1));
    HttpResponse<String> stalled = health(s);
    assertThat(stalled.statusCode()).isEqualTo(503);
    assertThat(stalled.body()).containsPattern("\"status\"\\s*:\\s*\"stalled\"");
    s.tickNow();
    assertThat(health(s).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> health(UpdateServer s) throws Exception {
    return servers.http.send(HttpRequest.newBuilder(s.uri().resolve("healthz")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
