package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.gates.WebhookSignature;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.testing.ManualClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications from the update server (file journal) to a real HTTP receiver on 127.0.0.1: every transition and
 * verdict change as a signed CloudEvent, once and in order; retries; a receiver that hangs; a restart that resumes
 * from the cursor; the Slack format; bad sink settings refused naming the field.
 */
class NotificationsTest {

  static final String CHANNEL = "rules";
  static final ObjectMapper JSON = new ObjectMapper();
  /** Two rings judged by time and sample only, so the test's clock alone moves the rollout to COMPLETED. */
  static final String PLAN = """
      {"schemaVersion":1,"name":"lab-first","rollbackTimeout":"PT1M",
       "rings":[
         {"name":"canary","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":2,
          "bakeTime":"PT10M","minSample":0,"gate":{"type":"time-and-sample"}},
         {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"time-and-sample"}}],
       "overrides":[
         {"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"canary is the lab tier, capped at 2 endpoints"},
         {"rule":"SHARE_DOES_NOT_GROW","ring":"everyone","reason":"the lab ring is chosen by tier, not by share"}]}
      """;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.now());
  private ReleaseSigner signer;
  private WebhookReceiver receiver;
  private UpdateServer server;
  private AdminClient admin;
  private Path secretFile;
  private byte[] secret;

  @BeforeEach
  void receiver() throws Exception {
    signer = new ReleaseSigner(List.of("release-1"), 1);
    receiver = new WebhookReceiver();
    secret = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.US_ASCII);
    secretFile = secretFile(dir, "ops.secret", secret);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    receiver.close();
  }

  static Path secretFile(Path dir, String name, byte[] secret) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, secret);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private NotificationSink sink(String name, NotificationSink.Format format) {
    return new NotificationSink(name, receiver.uri("/hooks/" + name), secretFile, format, Set.of());
  }

  private UpdateServerConfig.Builder config(NotificationSink... sinks) {
    UpdateServerConfig.Builder b = UpdateServerConfig.custom(dir.resolve("data")).port(0).clock(clock)
        .tickInterval(Duration.ofMillis(50)).releaseKeys(signer.trustStore())
        .notificationRetryWait(Duration.ofMillis(20)).notificationTimeout(Duration.ofSeconds(30));
    for (NotificationSink sink : sinks) {
      b.notificationSink(sink);
    }
    return b;
  }

  private void start(UpdateServerConfig config) throws Exception {
    server = UpdateServer.start(config);
    admin = new AdminClient(server.uri(), server.adminTokenFile(), java.net.http.HttpClient.newHttpClient());
  }

  private void publishAndCreate(String rolloutId) throws Exception {
    for (long v = 1; v <= 2; v++) {
      byte[] content = ("rules v" + v + "\n").getBytes(StandardCharsets.UTF_8);
      admin.publish(signer.sign(CHANNEL, v, content, Instant.now().plusSeconds(3600)), content, v == 1);
    }
    admin.createRollout(rolloutId, CHANNEL, 1, 2, PLAN);
  }

  /** The audit trail's transitions and verdicts, as the events they must become: id, type, time. */
  private List<String[]> expectedEvents() throws Exception {
    List<String[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("data/journal/audit.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      JsonNode entry = record.get("entry");
      String kind = entry.get("type").asText();
      if (kind.equals("created")) {
        continue;
      }
      out.add(new String[] {entry.get("rolloutId").asText() + ":" + record.get("seq").asLong(),
          kind.equals("transition") ? NotificationSink.TRANSITION : NotificationSink.VERDICT,
          entry.get("at").asText()});
    }
    return out;
  }

  private List<String> receivedIds() throws Exception {
    List<String> ids = new ArrayList<>();
    for (WebhookReceiver.Delivery d : receiver.received()) {
      ids.add(JSON.readTree(d.body()).path("id").asText(d.header(WebhookSignature.DELIVERY)));
    }
    return ids;
  }

  private double meter(String name, String... tags) {
    var search = server.registry().find(name);
    for (int i = 0; i + 1 < tags.length; i += 2) {
      search = search.tag(tags[i], tags[i + 1]);
    }
    return search.counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  @Test
  void everyTransitionAndVerdict_arrivesOnceInOrder_asASignedCloudEvent() throws Exception {
    start(config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).build());
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    clock.advance(Duration.ofMinutes(11)); // the canary's bake time passes: PASS, the next ring, COMPLETED
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(admin.rollout("r-1").get("state").asText()).isEqualTo("COMPLETED"));
    List<String[]> expected = expectedEvents();
    assertThat(expected).as("transitions and verdicts in the journal").hasSizeGreaterThanOrEqualTo(4);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(receivedIds()).containsExactlyElementsOf(expected.stream().map(e -> e[0]).toList()));

    List<WebhookReceiver.Delivery> deliveries = receiver.received();
    boolean sawVerdict = false;
    for (int i = 0; i < deliveries.size(); i++) {
      WebhookReceiver.Delivery d = deliveries.get(i);
      JsonNode event = JSON.readTree(d.body());
      assertThat(event.get("specversion").asText()).isEqualTo("1.0");
      assertThat(event.get("id").asText()).isEqualTo(expected.get(i)[0]).isEqualTo(d.header("Ringfence-Delivery"));
      assertThat(event.get("type").asText()).isEqualTo(expected.get(i)[1]);
      assertThat(event.get("time").asText()).isEqualTo(expected.get(i)[2]);
      assertThat(event.get("source").asText()).isEqualTo("urn:ringfence:update-server");
      assertThat(event.get("subject").asText()).isEqualTo("r-1");
      assertThat(event.get("datacontenttype").asText()).isEqualTo("application/json");
      assertThat(d.header("Content-Type")).startsWith("application/cloudevents+json");
      assertThat(event.get("data").get("rollout").asText()).isEqualTo("r-1");
      assertThat(event.get("data").get("channel").asText()).isEqualTo(CHANNEL);
      String timestamp = d.header(WebhookSignature.TIMESTAMP);
      assertThat(WebhookSignature.verify(secret, timestamp, d.body(), d.header(WebhookSignature.SIGNATURE)))
          .as("HMAC of event %s", i).isTrue();
      assertThat(WebhookSignature.verify("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8),
          timestamp, d.body(), d.header(WebhookSignature.SIGNATURE))).isFalse();
      if (event.get("type").asText().equals(NotificationSink.VERDICT)) {
        sawVerdict = true;
        assertThat(event.get("data").get("verdict").get("outcome").asText()).isIn("PASS", "INCONCLUSIVE");
        assertThat(event.get("data").get("verdict").has("evidence")).isTrue();
        assertThat(event.get("data").get("ring").get("name").asText()).isIn("canary", "everyone");
      }
    }
    assertThat(sawVerdict).as("the verdicts that changed are notified too").isTrue();
    JsonNode first = JSON.readTree(deliveries.get(0).body()).get("data");
    assertThat(first.get("from").asText()).isEqualTo("PLANNED");
    assertThat(first.get("to").asText()).isEqualTo("RUNNING");
    assertThat(first.get("trigger").asText()).isEqualTo("START");
    assertThat(first.get("actor").asText()).startsWith("bootstrap");
    assertThat(first.get("reason").asText()).contains("started by");
    assertThat(first.get("ring").get("name").asText()).isEqualTo("canary");
    JsonNode last = JSON.readTree(deliveries.get(deliveries.size() - 1).body()).get("data");
    assertThat(last.get("to").asText()).isEqualTo("COMPLETED");
    assertThat(last.get("actor").asText()).isEqualTo("engine");
    assertThat(meter("ringfence.server.notifications.delivered", "sink", "ops")).isEqualTo(deliveries.size());
  }

  @Test
  void receiverFailingTwice_thenAnswering_getsTheEventOnTheThirdAttempt_andTheRetriesAreCounted() throws Exception {
    receiver.answer(500, 503);
    start(config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).build());
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(meter("ringfence.server.notifications.delivered", "sink", "ops", "type",
            NotificationSink.TRANSITION)).isEqualTo(1));
    String start = JSON.readTree(receiver.received().get(0).body()).get("id").asText();
    List<WebhookReceiver.Delivery> attempts = receiver.received().stream()
        .filter(d -> d.header(WebhookSignature.DELIVERY).equals(start)).toList();
    assertThat(attempts).as("START: 500, 503, 200").hasSize(3);
    assertThat(attempts).extracting(WebhookReceiver.Delivery::text).as("every attempt sends the same event")
        .containsOnly(attempts.get(0).text());
    assertThat(meter("ringfence.server.notifications.retries", "sink", "ops")).isEqualTo(2);
    assertThat(meter("ringfence.server.notifications.failed", "sink", "ops", "reason", "retries_exhausted"))
        .isZero();
  }

  @Test
  void receiverDownForAWholeRound_pausesTheSink_thenDeliversTheSameEventAndTheRestInOrder() throws Exception {
    receiver.answer(500, 502); // two attempts a round: the first round fails whole
    start(config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).notificationAttempts(2).build());
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    admin.command("r-1", "halt", "crash reports from the field");
    clock.advance(Duration.ofMinutes(2));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(admin.rollout("r-1").get("state").asText()).isEqualTo("ROLLED_BACK"));
    List<String> expected = expectedEvents().stream().map(e -> e[0]).toList();
    List<String> withRetries = new ArrayList<>(List.of(expected.get(0), expected.get(0)));
    withRetries.addAll(expected);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(receivedIds()).as("START twice unanswered, then everything once, in order")
            .containsExactlyElementsOf(withRetries));
    assertThat(meter("ringfence.server.notifications.failed", "sink", "ops", "reason", "retries_exhausted"))
        .isEqualTo(1);
    assertThat(meter("ringfence.server.notifications.retries", "sink", "ops")).isEqualTo(1);
    assertThat(meter("ringfence.server.notifications.delivered", "sink", "ops")).isEqualTo(expected.size());
  }

  @Test
  void receiverRefusingAnEvent_with4xx_isCountedAndSkipped_theNextEventStillArrives() throws Exception {
    receiver.answer(400);
    start(config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).build());
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    admin.command("r-1", "halt", "crash reports");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(meter("ringfence.server.notifications.failed", "sink", "ops", "reason", "rejected"))
            .isEqualTo(1));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(receivedIds()).hasSizeGreaterThanOrEqualTo(2));
    assertThat(receivedIds()).as("the refused START is not retried").doesNotHaveDuplicates();
  }

  @Test
  void receiverThatHangs_neverHoldsTheTick_theHaltOrTheRollback() throws Exception {
    receiver.hang();
    start(config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).build());
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 1); // START, held
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      server.tickNow();
      admin.command("r-1", "halt", "crash reports from the field");
      server.tickNow();
      clock.advance(Duration.ofMinutes(2)); // the rollback timeout: ROLLED_BACK without the straggler's report
      server.tickNow();
      server.tickNow();
    });
    assertThat(admin.rollout("r-1").get("state").asText()).isIn("ROLLING_BACK", "ROLLED_BACK");
    assertThat(receiver.received()).as("still waiting on the first answer").hasSize(1);
    assertThat(undelivered()).as("the backlog waits in the journal").isEqualTo(expectedEvents().size());

    receiver.release();
    List<String> expected = expectedEvents().stream().map(e -> e[0]).toList();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(receivedIds()).containsExactlyElementsOf(expected));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(undelivered()).isZero());
  }

  private double undelivered() {
    return server.registry().get("ringfence.server.notifications.undelivered").tag("sink", "ops").gauge().value();
  }

  @Test
  void restart_resumesFromTheCursor_withoutDuplicatesOrGaps() throws Exception {
    UpdateServerConfig config = config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).build();
    start(config);
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    server.tickNow(); // the canary's first verdict is journaled; with the clock still, nothing more happens
    List<String> before = expectedEvents().stream().map(e -> e[0]).toList();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(receivedIds()).containsExactlyElementsOf(before));
    Path cursor = dir.resolve("data/notifications/ops.cursor.json");
    long answered = Long.parseLong(before.get(before.size() - 1).substring("r-1:".length()));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(JSON.readTree(cursor.toFile()).get("line").asLong()).isEqualTo(answered));

    receiver.hang();
    admin.command("r-1", "halt", "crash reports from the field"); // sent, never answered: stays after the cursor
    await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == before.size() + 1);
    String unanswered = receivedIds().get(before.size());
    server.close();
    server = null;
    receiver.release();
    assertThat(JSON.readTree(cursor.toFile()).get("line").asLong()).as("the unanswered HALT is still ahead")
        .isEqualTo(answered);

    start(config);
    clock.advance(Duration.ofMinutes(2));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(admin.rollout("r-1").get("state").asText()).isEqualTo("ROLLED_BACK"));
    List<String> expected = expectedEvents().stream().map(e -> e[0]).toList();
    assertThat(expected.get(before.size())).isEqualTo(unanswered);
    List<String> once = new ArrayList<>(before);
    once.add(unanswered); // the one in flight at the stop goes out again; nothing else repeats or is missing
    once.addAll(expected.subList(before.size(), expected.size()));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(receivedIds()).containsExactlyElementsOf(once));
  }

  @Test
  void newSink_onAServerWithHistory_startsAtTheJournalsEnd() throws Exception {
    start(config().build());
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    server.close();
    start(config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).build());
    admin.command("r-1", "halt", "crash reports from the field");
    await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.received().isEmpty());
    JsonNode event = JSON.readTree(receiver.received().get(0).body());
    assertThat(event.get("data").get("trigger").asText()).as("the START before the sink existed is not sent")
        .isEqualTo("HALT");
  }

  @Test
  void slackFormat_sendsOneLineOfText() throws Exception {
    start(config(sink("chat", NotificationSink.Format.SLACK)).build());
    publishAndCreate("r-1");
    admin.command("r-1", "start", null);
    await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.received().isEmpty());
    WebhookReceiver.Delivery d = receiver.received().get(0);
    JsonNode body = JSON.readTree(d.body());
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.get("text").asText()).contains("r-1").contains("PLANNED -> RUNNING").contains("START")
        .contains("rules v1 -> v2");
    assertThat(d.header("Content-Type")).startsWith("application/json");
    assertThat(WebhookSignature.verify(secret, d.header(WebhookSignature.TIMESTAMP), d.body(),
        d.header(WebhookSignature.SIGNATURE))).isTrue();
  }

  @Test
  void badSinkSettings_areRefused_namingTheField() throws Exception {
    String file = secretFile.toString();
    Map<String, String> bad = new java.util.LinkedHashMap<>();
    bad.put("{\"name\":\"ops\",\"url\":\"http://hooks.example.com/x\",\"secretFile\":\"" + file + "\"}", "notify.url");
    bad.put("{\"name\":\"ops\",\"url\":\"ftp://127.0.0.1/x\",\"secretFile\":\"" + file + "\"}", "notify.url");
    bad.put("{\"name\":\"ops\",\"url\":\"https://u:p@hooks.example.com/x\",\"secretFile\":\"" + file + "\"}",
        "notify.url");
    bad.put("{\"name\":\"ops\",\"url\":\"https://hooks.example.com/x\"}", "notify.secretFile");
    bad.put("{\"url\":\"https://hooks.example.com/x\",\"secretFile\":\"" + file + "\"}", "notify.name");
    bad.put("{\"name\":\"a b\",\"url\":\"https://hooks.example.com/x\",\"secretFile\":\"" + file + "\"}",
        "notify.name");
    bad.put("{\"name\":\"ops\",\"url\":\"https://hooks.example.com/x\",\"secretFile\":\"" + file
        + "\",\"format\":\"xml\"}", "notify.format");
    bad.put("{\"name\":\"ops\",\"url\":\"https://hooks.example.com/x\",\"secretFile\":\"" + file
        + "\",\"types\":[\"dev.ringfence.rollout.created\"]}", "notify.types");
    bad.put("{\"name\":\"ops\",\"url\":\"https://hooks.example.com/x\",\"secretFile\":\"" + file
        + "\",\"colour\":\"red\"}", "notify.colour");
    bad.put("not json", "notify");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      assertThatThrownBy(() -> UpdateServerMain.configure(null, Map.of("notify", List.of(e.getKey())), null))
          .as(e.getKey()).isInstanceOf(InvalidInputException.class)
          .satisfies(x -> assertThat(((InvalidInputException) x).field()).isEqualTo(e.getValue()));
    }
    String ok = "{\"name\":\"ops\",\"url\":\"https://hooks.example.com/x\",\"secretFile\":\"" + file + "\"}";
    assertThatThrownBy(() -> UpdateServerMain.configure(null, Map.of("notify", List.of(ok, ok)), null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("notify.name").hasMessageContaining("two");

    // In a config file: the sink objects themselves; https anywhere, http to loopback.
    Path config = Files.writeString(dir.resolve("server.json"), "{\"notify\":[" + ok + ",{\"name\":\"local\",\"url\":"
        + "\"http://127.0.0.1:9/x\",\"secretFile\":\"" + file + "\",\"format\":\"slack\",\"types\":[\""
        + NotificationSink.VERDICT + "\"]}],\"notify-lease\":\"30s\"}");
    UpdateServerConfig parsed = UpdateServerMain.configure(config, Map.of(), null);
    assertThat(parsed.notificationSinks()).extracting(NotificationSink::name).containsExactly("ops", "local");
    assertThat(parsed.notificationSinks().get(1).format()).isEqualTo(NotificationSink.Format.SLACK);
    assertThat(parsed.notificationSinks().get(1).wants(NotificationSink.TRANSITION)).isFalse();
    assertThat(parsed.notificationLease()).isEqualTo(Duration.ofSeconds(30));

    // The secret file is checked as the admin token is: owner only, long enough.
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> UpdateServer.start(config(sink("ops", NotificationSink.Format.CLOUDEVENTS)).build()))
        .hasMessageContaining("notify 'ops' secretFile").hasMessageContaining("chmod 600");
    Path shortSecret = secretFile(dir, "short.secret", "too-short".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> UpdateServer.start(config(new NotificationSink("ops", URI.create("https://h.example/x"),
        shortSecret, NotificationSink.Format.CLOUDEVENTS, Set.of())).build()))
        .hasMessageContaining("holds 9 bytes");
  }
}
