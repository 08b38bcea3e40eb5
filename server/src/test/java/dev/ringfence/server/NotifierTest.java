package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier alone, on a scripted outbox and cursor store: what it does when the sink's lease goes away. */
class NotifierTest {

  @TempDir Path dir;
  private final WebhookReceiver receiver = newReceiver();
  private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static WebhookReceiver newReceiver() {
    try {
      return new WebhookReceiver();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
    receiver.close();
  }

  /** Two transitions of rollout r, as audit lines 1 and 2. */
  private static List<AuditRecord> trail() {
    Instant t0 = Instant.parse("2026-12-05T00:00:00Z");
    List<AuditRecord> lines = new ArrayList<>();
    AuditHead head = AuditHead.EMPTY;
    for (long seq = 1; seq <= 2; seq++) {
      AuditRecord line = AuditRecord.next(head, new JournalEntry.Transitioned("r", seq, t0.plusSeconds(seq),
          RolloutState.PLANNED, RolloutState.RUNNING, Trigger.START, 0, "started by alice; opening ring 'a'", null));
      lines.add(line);
      head = line.head();
    }
    return lines;
  }

  @Test
  void leaseLostBetweenRetries_stopsSending_withoutCountingAFailure() throws Exception {
    receiver.answer(500, 500, 500, 500);
    List<AuditRecord> trail = trail();
    NotificationSource source = new NotificationSource() {
      @Override
      public List<AuditRecord> after(long line, int limit) {
        return trail.subList((int) line, trail.size());
      }

      @Override
      public long head() {
        return trail.size();
      }
    };
    AtomicInteger advances = new AtomicInteger();
    AtomicInteger claims = new AtomicInteger();
    NotificationCursors cursors = new NotificationCursors() {
      @Override
      public OptionalLong claim(String sink, long initial, String owner, Instant now, Duration lease) {
        return claims.incrementAndGet() == 1 ? OptionalLong.of(0) : OptionalLong.empty();
      }

      @Override
      public boolean advance(String sink, String owner, long line, Instant now, Duration lease) {
        return advances.incrementAndGet() == 1; // renewed before the first attempt, gone before the retry
      }

      @Override
      public void release(String sink, String owner) {}
    };
    Path secret = NotificationsTest.secretFile(dir, "s", "x".repeat(32).getBytes(StandardCharsets.US_ASCII));
    NotificationSink sink = new NotificationSink("ops", receiver.uri("/h"), secret,
        NotificationSink.Format.CLOUDEVENTS, Set.of());
    try (Notifier notifier = new Notifier(List.of(sink), source, cursors, new NotificationEvents(id -> Optional.empty()),
        HttpClient.newHttpClient(), threads, new ManualClock(Instant.parse("2026-12-05T00:00:00Z")), "me",
        new Notifier.Settings(Duration.ofSeconds(30), Duration.ofMillis(5), Duration.ofSeconds(5), 4),
        new ServerMetrics(registry))) {
      notifier.wake();
      await().atMost(Duration.ofSeconds(10)).until(() -> advances.get() == 2);
      // One attempt went out; the retry found the lease gone, did not send, and left the sink: the next round
      // (from this wake, or one that came meanwhile) asks for the lease again and finds it taken.
      notifier.wake();
      await().atMost(Duration.ofSeconds(10)).until(() -> claims.get() == 2);
      assertThat(receiver.received()).hasSize(1);
      assertThat(advances.get()).as("no attempt after the lease was lost").isEqualTo(2);
      assertThat(registry.find("ringfence.server.notifications.failed").counters()).isEmpty();
      assertThat(registry.find("ringfence.server.notifications.delivered").counters()).isEmpty();
    }
  }
}
