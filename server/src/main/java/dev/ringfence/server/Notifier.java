package dev.ringfence.server;

import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.gates.WebhookSignature;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every transition and verdict change to the configured webhook sinks, from the journal's audit trail (the
 * outbox: {@link NotificationSource}) and never from the engine's thread. Each sink has its own delivery cursor and
 * lease ({@link NotificationCursors}): the replica holding the lease reads the lines after the cursor, sends each
 * event the sink wants in order, and moves the cursor once the receiver answered 2xx. A failed attempt (no
 * connection, no answer within the timeout, HTTP 408, 429 or 5xx) is retried with exponential backoff by a
 * resilience4j {@link Retry} on the injected scheduler; when the attempts run out the event stays next in line and
 * the sink pauses before trying it again, so nothing is lost while a receiver is down. Any other answer (a 4xx:
 * the receiver refuses that event) is counted as failed and the sink goes on with the next event.
 *
 * <p>Never blocking: {@link #wake()} only schedules work; sends are asynchronous ({@link HttpClient#sendAsync})
 * with a per-attempt timeout. Bounded: at most {@value #BATCH} lines of the trail per sink are in memory; the
 * backlog stays in the journal, where the {@code undelivered} gauge counts it.
 */
final class Notifier implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  /** Audit lines read per round and sink. */
  static final int BATCH = 100;
  /** The longest pause of a sink after its retries ran out. */
  static final Duration MAX_PAUSE = Duration.ofMinutes(5);
  static final int MIN_SECRET_BYTES = 32;
  static final int MAX_SECRET_BYTES = 4096;

  /**
   * How sends are timed.
   *
   * @param lease how long a replica's claim on a sink lasts without renewal
   * @param retryWait the first retry's wait, doubled for each next one
   * @param timeout one attempt's longest wait for an answer
   * @param attempts attempts per event and round, the first included
   */
  record Settings(Duration lease, Duration retryWait, Duration timeout, int attempts) {
    /** @return the pause after a round whose attempts all failed */
    Duration pause() {
      Duration pause = retryWait.multipliedBy(1L << Math.min(attempts, 20));
      return pause.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause;
    }
  }

  /** An answer another attempt would not mend. */
  static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  /** The sink's lease went to another replica: stop sending to it. */
  static final class LeaseLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeaseLost() {
      super("the sink's lease went to another replica", null, false, false);
    }
  }

  /** An answer another attempt may mend: 408, 429, 5xx. */
  static final class Retryable extends IOException {
    private static final long serialVersionUID = 1L;

    Retryable(String message) {
      super(message);
    }
  }

  /** One sink's state: whether a round is running or due, its secret, its retry and its backlog. */
  private final class Sink {
    final NotificationSink config;
    final byte[] secret;
    final Retry retry;
    final AtomicBoolean busy = new AtomicBoolean();
    final AtomicBoolean again = new AtomicBoolean();
    /** The cursor as this replica last stored or claimed it; -1 while another replica holds the sink. */
    final AtomicLong cursor = new AtomicLong(-1);

    Sink(NotificationSink config, byte[] secret) {
      this.config = config;
      this.secret = secret;
      this.retry = Retry.of("ringfence-notify-" + config.name(), RetryConfig.custom()
          .maxAttempts(settings.attempts())
          .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.retryWait(), 2.0))
          .retryOnException(e -> unwrap(e) instanceof IOException)
          .build());
      retry.getEventPublisher().onRetry(event -> metrics.notificationRetried(config.name()));
    }
  }

  private final List<Sink> sinks = new ArrayList<>();
  private final NotificationSource source;
  private final NotificationCursors cursors;
  private final NotificationEvents events;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final String owner;
  private final Settings settings;
  private final ServerMetrics metrics;
  private final long initialLine;
  private volatile boolean closed;

  /**
   * Reads every sink's secret and notes where the trail ends: a sink seen for the first time starts there.
   *
   * @throws IOException naming the sink and its secret file when a secret cannot be used
   */
  Notifier(List<NotificationSink> configs, NotificationSource source, NotificationCursors cursors,
      NotificationEvents events, HttpClient http, ScheduledExecutorService scheduler, Clock clock, String owner,
      Settings settings, ServerMetrics metrics) throws IOException {
    this.source = source;
    this.cursors = cursors;
    this.events = events;
    this.http = http;
    this.scheduler = scheduler;
    this.clock = clock;
    this.owner = owner;
    this.settings = settings;
    this.metrics = metrics;
    for (NotificationSink config : configs) {
      Sink sink = new Sink(config, readSecret(config));
      sinks.add(sink);
      metrics.notificationBacklog(config.name(), () -> backlog(sink));
    }
    this.initialLine = configs.isEmpty() ? 0 : source.head();
  }

  /**
   * Reads a sink's secret as the admin token is read: a regular file (no link), only its owner may read it, owned
   * by the user running the server, 32 to 4096 bytes after one trailing newline is dropped.
   */
  static byte[] readSecret(NotificationSink sink) throws IOException {
    Path file = sink.secretFile();
    String what = "notify '" + sink.name() + "' secretFile " + file;
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(what + " is not a regular file" + (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
          ? " (a link or a directory)" : " (it does not exist)"));
    }
    Path dir = file.toAbsolutePath().getParent();
    if (SecureFiles.posix(dir)) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (!SecureFiles.OWNER_ONLY.containsAll(perms)) {
        throw new IOException(what + " can be read by others (" + java.nio.file.attribute.PosixFilePermissions
            .toString(perms) + "); run chmod 600 on it");
      }
      SecureFiles.checkOwnedBySelf(file, what);
      SecureFiles.checkNotReplaceableByOthers(dir, what);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(MAX_SECRET_BYTES + 3);
    }
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\n') {
      end--;
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
    }
    byte[] secret = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
      int length = secret.length;
      Arrays.fill(secret, (byte) 0);
      throw new IOException(what + " holds " + length + " bytes; a secret has " + MIN_SECRET_BYTES + ".."
          + MAX_SECRET_BYTES + " (e.g. openssl rand -hex 32 > FILE; chmod 600 FILE)");
    }
    return secret;
  }

  /**
   * The {@code undelivered} gauge: audit lines past the sink's cursor, read at each scrape; 0 on a replica that
   * does not hold the sink, NaN when the journal cannot be read.
   */
  private double backlog(Sink sink) {
    long cursor = sink.cursor.get();
    if (cursor < 0) {
      return 0;
    }
    try {
      return Math.max(0, source.head() - cursor);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Starts a round for every sink that is not in one: after each tick. Returns at once. */
  void wake() {
    for (Sink sink : sinks) {
      wake(sink);
    }
  }

  private void wake(Sink sink) {
    if (closed) {
      return;
    }
    sink.again.set(true);
    if (sink.busy.compareAndSet(false, true)) {
      run(sink, () -> round(sink));
    }
  }

  private void run(Sink sink, Runnable task) {
    try {
      scheduler.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          // Never a sink stuck busy on an unexpected failure: it tries again after the pause.
          LOG.warn("notifications to '{}': {}; trying again in {}", sink.config.name(), e.toString(), settings.pause());
          pause(sink);
        }
      });
    } catch (RejectedExecutionException e) {
      sink.busy.set(false); // stopping
    }
  }

  /** Ends a round; starts the next at once if a wake came in the meantime. */
  private void idle(Sink sink) {
    sink.busy.set(false);
    if (sink.again.get() && !closed && sink.busy.compareAndSet(false, true)) {
      run(sink, () -> round(sink));
    }
  }

  /** Tries again after the pause, holding the sink meanwhile, so a dead receiver is not hammered. */
  private void pause(Sink sink) {
    if (closed) {
      sink.busy.set(false);
      return;
    }
    try {
      scheduler.schedule(() -> run(sink, () -> round(sink)), settings.pause().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      sink.busy.set(false);
    }
  }

  /** Claims the sink, reads the lines after its cursor and sends them in order. */
  private void round(Sink sink) {
    if (closed) {
      sink.busy.set(false);
      return;
    }
    sink.again.set(false);
    String name = sink.config.name();
    try {
      OptionalLong claimed = cursors.claim(name, initialLine, owner, clock.instant(), settings.lease());
      if (claimed.isEmpty()) {
        sink.cursor.set(-1); // another replica holds the sink and reports its backlog
        sink.busy.set(false);
        return;
      }
      long cursor = claimed.getAsLong();
      sink.cursor.set(cursor);
      List<AuditRecord> batch = source.after(cursor, BATCH);
      deliver(sink, batch, 0, cursor, cursor);
    } catch (RuntimeException e) {
      LOG.warn("notifications to '{}': cannot read the journal or the cursor; trying again in {}: {}", name,
          settings.pause(), e.toString());
      pause(sink);
    }
  }

  /**
   * Sends the batch's events from {@code from} on; {@code cursor} is the last line handled, {@code saved} the
   * last one stored.
   */
  private void deliver(Sink sink, List<AuditRecord> batch, int from, long cursor, long saved) {
    long handled = cursor;
    for (int i = from; i < batch.size(); i++) {
      AuditRecord line = batch.get(i);
      Optional<NotificationEvents.Notification> event;
      try {
        event = events.of(line);
      } catch (RuntimeException e) {
        LOG.warn("notifications to '{}': audit line {} cannot be read as an event, skipped: {}", sink.config.name(),
            line.seq(), e.toString());
        event = Optional.empty();
      }
      if (event.isPresent() && sink.config.wants(event.get().type())) {
        // Stores the lines skipped so far and renews the lease before the send; stops if the lease was lost.
        if (!advance(sink, handled)) {
          return;
        }
        int next = i + 1;
        NotificationEvents.Notification n = event.get();
        long before = handled;
        send(sink, n, before).whenComplete((ignored, error) -> {
          if (closed) {
            sink.busy.set(false);
            return;
          }
          if (error != null && unwrap(error) instanceof LeaseLost) {
            sink.cursor.set(-1);
            idle(sink);
            LOG.info("notifications to '{}': another replica took the sink over during retries",
                sink.config.name());
            return;
          }
          if (error == null) {
            metrics.notificationDelivered(sink.config.name(), n.type());
          } else if (unwrap(error) instanceof Rejected) {
            metrics.notificationFailed(sink.config.name(), "rejected");
            LOG.warn("notifications to '{}': event {} refused, not retried: {}", sink.config.name(), n.id(),
                unwrap(error).getMessage());
          } else {
            metrics.notificationFailed(sink.config.name(), "retries_exhausted");
            LOG.warn("notifications to '{}': event {} not delivered after {} attempts, trying again in {}: {}",
                sink.config.name(), n.id(), settings.attempts(), settings.pause(), unwrap(error).toString());
            pause(sink);
            return;
          }
          run(sink, () -> {
            if (advance(sink, n.line())) {
              deliver(sink, batch, next, n.line(), n.line());
            }
          });
        });
        return;
      }
      handled = line.seq();
    }
    if (handled != saved && !advance(sink, handled)) {
      return;
    }
    if (batch.size() == BATCH) {
      run(sink, () -> round(sink)); // more where these came from
    } else {
      idle(sink);
    }
  }

  /** @return whether this replica still holds the sink; false (and the sink idle or paused) otherwise */
  private boolean advance(Sink sink, long line) {
    try {
      if (cursors.advance(sink.config.name(), owner, line, clock.instant(), settings.lease())) {
        sink.cursor.accumulateAndGet(line, Math::max);
        return true;
      }
      sink.cursor.set(-1);
      LOG.info("notifications to '{}': another replica took the sink over", sink.config.name());
      idle(sink);
      return false;
    } catch (RuntimeException e) {
      LOG.warn("notifications to '{}': cannot store the cursor; trying again in {}: {}", sink.config.name(),
          settings.pause(), e.toString());
      pause(sink);
      return false;
    }
  }

  /**
   * Sends one event, retried; each retry first renews the lease, so that retries never outlast it and let another
   * replica send the same event meanwhile.
   */
  private CompletionStage<Void> send(Sink sink, NotificationEvents.Notification event, long handled) {
    byte[] body = event.body(sink.config.format());
    String contentType = NotificationEvents.Notification.contentType(sink.config.format());
    java.util.concurrent.atomic.AtomicInteger attempt = new java.util.concurrent.atomic.AtomicInteger();
    return sink.retry.executeCompletionStage(scheduler, () -> {
      if (attempt.incrementAndGet() > 1
          && !cursors.advance(sink.config.name(), owner, handled, clock.instant(), settings.lease())) {
        return java.util.concurrent.CompletableFuture.failedFuture(new LeaseLost());
      }
      String timestamp = Long.toString(clock.instant().getEpochSecond());
      HttpRequest request = HttpRequest.newBuilder(sink.config.url())
          .timeout(settings.timeout())
          .header("Content-Type", contentType)
          .header("User-Agent", "ringfence-server")
          .header(WebhookSignature.TIMESTAMP, timestamp)
          .header(WebhookSignature.SIGNATURE, WebhookSignature.sign(sink.secret, timestamp, body))
          .header(WebhookSignature.DELIVERY, event.id())
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(response -> {
        int status = response.statusCode();
        if (status / 100 == 2) {
          return null;
        }
        String what = "HTTP " + status + " from " + withoutPath(sink.config.url()) + " for event " + event.id();
        if (status == 408 || status == 429 || status / 100 == 5) {
          throw new CompletionException(new Retryable(what));
        }
        throw new Rejected(what + " (only 408, 429 and 5xx are retried)");
      });
    });
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 10 && (t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null; i++) {
      t = t.getCause();
    }
    return t;
  }

  /** Stops sending; gives up the leases this replica holds, so another takes over at once. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    for (Sink sink : sinks) {
      try {
        cursors.release(sink.config.name(), owner);
      } catch (RuntimeException e) {
        LOG.debug("notifications to '{}': cannot release the lease, it runs out by itself: {}", sink.config.name(),
            e.toString());
      }
      Arrays.fill(sink.secret, (byte) 0);
    }
  }

  /**
   * A sink's URL for the log: its scheme, host and port, never its path or query, which for a chat webhook is the
   * credential itself (Slack's {@code /services/T…/B…/<token>}).
   */
  static String withoutPath(java.net.URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null || url.getRawPath().isEmpty() ? "" : "/(path withheld)");
  }
}
