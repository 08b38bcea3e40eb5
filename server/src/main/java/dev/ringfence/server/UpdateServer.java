package dev.ringfence.server;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.store.FileRolloutStore;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.core.store.StoreClosedException;
import dev.ringfence.gates.PrometheusGateFactory;
import dev.ringfence.gates.WebhookGateFactory;
import dev.ringfence.micrometer.RingfenceMetrics;
import dev.ringfence.postgresql.PostgresRolloutStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An update server with the Ringfence engine inside: Jetty 12 (core handlers, no servlets), the file journal
 * (or PostgreSQL), the endpoint API, the admin API, the status page, {@code /metrics} and {@code /healthz},
 * and one scheduler thread that calls {@link RolloutEngine#tick()} (with PostgreSQL, also at once when another
 * replica commits a transition: a thread waits for it in {@link SharedRolloutStore#awaitChange}). Start with
 * {@link #start}, stop with
 * {@link #close()}. Routes and security defaults: {@code docs/update-server.md}.
 */
public final class UpdateServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UpdateServer.class);

  private final UpdateServerConfig config;
  private final Server http;
  private final ServerConnector connector;
  private final SlowClientGuard slowClients;
  private final ScheduledExecutorService ticker;
  private final ScheduledExecutorService deadlines;
  private final RolloutStore store;
  private final RolloutEngine engine;
  private final AdminToken adminToken;
  private final PrometheusMeterRegistry prometheus;
  private volatile Instant lastTick;
  private volatile List<String> routes = List.of();
  private volatile java.util.Map<String, Role> roles = java.util.Map.of();
  private volatile @Nullable ServerContext context;
  private final RingfenceMetrics engineMetrics;
  private @Nullable ExecutorService gateThreads;
  private volatile @Nullable Notifier notifier;

  private UpdateServer(UpdateServerConfig config, Server http, ServerConnector connector, SlowClientGuard slowClients,
      ScheduledExecutorService ticker, ScheduledExecutorService deadlines, RolloutStore store, RolloutEngine engine, AdminToken adminToken,
      PrometheusMeterRegistry prometheus, RingfenceMetrics engineMetrics) {
    this.config = config;
    this.engineMetrics = engineMetrics;
    this.http = http;
    this.connector = connector;
    this.slowClients = slowClients;
    this.ticker = ticker;
    this.deadlines = deadlines;
    this.store = store;
    this.engine = engine;
    this.adminToken = adminToken;
    this.prometheus = prometheus;
    this.lastTick = config.clock().instant();
  }

  /**
   * Opens the store, recovers every rollout, binds the address and starts serving and ticking.
   *
   * @param config the settings
   * @return the running server
   * @throws IOException when the data directory, the token file or the address cannot be used
   */
  public static UpdateServer start(UpdateServerConfig config) throws IOException {
    Files.createDirectories(config.dataDirectory());
    SecureRandom random = new SecureRandom();
    AdminToken adminToken = AdminToken.loadOrCreate(config.adminTokenFile(), random);
    RolloutStore store;
    JdbcSharedRecords shared = null;
    AuditSource audit;
    NotificationSource outbox;
    NotificationCursors cursors;
    if (config.jdbcUrl() != null) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(config.jdbcUrl());
      if (config.jdbcUser() != null) {
        ds.setUser(config.jdbcUser());
      }
      if (config.jdbcPassword() != null) {
        ds.setPassword(config.jdbcPassword());
      }
      store = PostgresRolloutStore.create(ds);
      audit = AuditSource.postgres(ds);
      outbox = NotificationSource.postgres(ds);
      cursors = new JdbcNotificationCursors(ds);
      try {
        shared = JdbcSharedRecords.open(ds);
        // At once, so replicas already running accept this one's token as early as before (their next tick).
        shared.addBootstrapToken(adminToken.sha256(), config.clock().instant());
      } catch (RuntimeException e) {
        closeQuietly(store);
        throw e;
      }
    } else {
      FileRolloutStore file = RolloutStores.file(config.dataDirectory().resolve("journal"));
      audit = AuditSource.file(file.auditFile());
      outbox = NotificationSource.file(file.auditFile());
      cursors = new FileNotificationCursors(config.dataDirectory().resolve("notifications"));
      store = file;
    }
    // Gate requests that wait on the network (prometheus, webhook) run here, never on the tick thread.
    ExecutorService gateThreads = Executors.newFixedThreadPool(2, task -> {
      Thread t = new Thread(task, "ringfence-gate");
      t.setDaemon(true);
      return t;
    });
    boolean ok = false;
    try {
      RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(config.clock()).store(store)
          .heartbeatInterval(config.heartbeatInterval())
          .gate(PrometheusGateFactory.TYPE, PrometheusGateFactory.custom().executor(gateThreads).build())
          .gate(WebhookGateFactory.TYPE, WebhookGateFactory.custom().executor(gateThreads)
              .secretsDirectory(config.dataDirectory().resolve("webhook-secrets")).build()).build());
      PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      RingfenceMetrics engineMetrics = RingfenceMetrics.of(engine);
      engineMetrics.bindTo(prometheus);
      ReleaseStore releases = new ReleaseStore(config.dataDirectory().resolve("releases"), shared);
      EndpointRegistry endpoints = new EndpointRegistry(config.dataDirectory().resolve("endpoints"), random, shared);
      // Customer deferrals: in the database shared by replicas, else in the data folder.
      DeferralRecords deferralRecords = shared != null ? shared
          : new FileDeferralRecords(config.dataDirectory().resolve("deferrals.json"));
      ChannelRollouts channels = new ChannelRollouts(engine, releases,
          new CustomerDeferrals(deferralRecords, config.clock()), store, config.clock());
      // Named tokens and the stop-all switch: in the database shared by replicas, else in the data folder.
      TokenRecords tokenRecords = shared != null ? shared
          : new FileTokenRecords(config.dataDirectory().resolve("tokens.json"));
      StopAllRecords stopAllRecords = shared != null ? shared
          : new FileStopAllRecords(config.dataDirectory().resolve("stop-all.json"));
      ApiTokens tokens = ApiTokens.open(adminToken, tokenRecords, config.clock(), random);
      StopAll stopAll = new StopAll(stopAllRecords, engine, config.clock());
      TrustService trust = null;
      if (config.trustRoot() != null) {
        TrustRecords trustRecords = shared != null ? shared
            : new FileTrustRecords(config.dataDirectory().resolve("trust"));
        trust = new TrustService(config.trustRoot(), trustRecords, config.timestampKeyId(), config.timestampKey(),
            config.timestampValidity(), config.clock());
        trust.refresh(releases);
      }
      ServerContext ctx = new ServerContext(config, engine, store, audit, releases, endpoints, channels,
          new FleetView(), new ExposureHistory(), new ServerMetrics(prometheus), prometheus, tokens,
          stopAll, new SignalAuthenticator(config.signatureWindow()),
          new EndpointRateLimiter(config.clock(), config.signalBurst(), config.signalRatePerMinute()), trust);
      ctx.metrics().stopAll(stopAll);
      stopAll.current(); // the gauge is right from the first scrape
      Notifier notifier = config.notificationSinks().isEmpty() ? null : notifier(config, engine, outbox, cursors,
          ctx.metrics(), random);

      // Workers for the blocking routes, plus the connector's acceptor and selector and Jetty's reserve.
      QueuedThreadPool pool = new QueuedThreadPool(config.threads() + 6, Math.min(4, config.threads() + 2));
      pool.setName("ringfence-http");
      pool.setDaemon(true);
      Server http = new Server(pool);
      HttpConfiguration httpConfig = new HttpConfiguration();
      httpConfig.setSendServerVersion(false);
      httpConfig.setSendXPoweredBy(false);
      // Paths are checked by the router (encoded separators, dot segments and NUL get a 400 naming the field),
      // not refused by Jetty before a route can say why.
      httpConfig.setUriCompliance(UriCompliance.UNSAFE);
      ServerConnector connector = new ServerConnector(http, 1, 1, new HttpConnectionFactory(httpConfig));
      connector.setHost(config.bindAddress());
      connector.setPort(config.port());
      connector.setIdleTimeout(config.requestTimeout().multipliedBy(3).toMillis());
      connector.setAcceptQueueSize(128);
      connector.setAcceptedTcpNoDelay(true);
      http.addConnector(connector);
      http.addBean(new NetworkConnectionLimit(config.maxConnections(), connector));
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "ringfence-tick");
        t.setDaemon(true);
        return t;
      });
      ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "ringfence-deadline");
        t.setDaemon(true);
        return t;
      });
      SlowClientGuard slowClients = new SlowClientGuard(deadlines, config.requestTimeout(), config.ticker(),
          ctx.metrics()::slowHeader);
      connector.addBean(slowClients);
      UpdateServer server = new UpdateServer(config, http, connector, slowClients, ticker, deadlines, store, engine,
          adminToken, prometheus, engineMetrics);

      Router router = new Router(new RequestDeadlines(deadlines, config.requestTimeout()),
          ctx.metrics()::requestTimedOut, ctx.metrics()::responseUndelivered, config.ticker(), HostCheck.forBinding(InetAddress.getByName(config.bindAddress())
              .isLoopbackAddress(), (java.util.function.IntSupplier) connector::getLocalPort));
      new EndpointApi(ctx).register(router);
      new AdminApi(ctx).register(router);
      new StatusPage(ctx).register(router);
      router.add("GET", "/metrics", request -> { }, 0,
          request -> Response.text(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape()));
      router.add("GET", "/healthz", request -> { }, 0, request -> server.health());
      http.setHandler(router);
      http.setErrorHandler(Router::jettyError);
      server.routes = List.copyOf(router.routes());
      server.roles = java.util.Collections.unmodifiableMap(router.roles());
      server.context = ctx;
      server.gateThreads = gateThreads;
      server.notifier = notifier;

      long every = config.tickInterval().toMillis();
      ticker.scheduleWithFixedDelay(() -> server.tick(ctx), every, every, TimeUnit.MILLISECONDS);
      store.shared().ifPresent(replicas -> server.watchChanges(replicas, ctx));
      try {
        http.start();
      } catch (Exception e) {
        if (notifier != null) {
          notifier.close();
        }
        slowClients.close();
        ticker.shutdownNow();
        deadlines.shutdownNow();
        stopQuietly(http);
        throw new IOException("cannot serve on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(), e);
      }
      LOG.info("update server on {} ({} journal); admin token in {}", server.uri(),
          config.jdbcUrl() == null ? "file" : "PostgreSQL", adminToken.file());
      if (!InetAddress.getByName(config.bindAddress()).isLoopbackAddress()) {
        LOG.warn("bound to {}: the server is reachable from the network; put TLS in front of it",
            config.bindAddress());
      }
      if (notifier != null) {
        notifier.wake(); // what the journal holds past each sink's cursor goes out at once
      }
      ok = true;
      return server;
    } finally {
      if (!ok) {
        gateThreads.shutdownNow();
        closeQuietly(store);
      }
    }
  }

  /**
   * The notifications' sender: its own threads (one per sink and one for the retries' waits), never the tick's.
   *
   * @throws IOException when a sink's secret file cannot be used
   */
  private static Notifier notifier(UpdateServerConfig config, RolloutEngine engine, NotificationSource outbox,
      NotificationCursors cursors, ServerMetrics metrics, SecureRandom random) throws IOException {
    ScheduledExecutorService threads = Executors.newScheduledThreadPool(config.notificationSinks().size() + 1,
        task -> {
          Thread t = new Thread(task, "ringfence-notify");
          t.setDaemon(true);
          return t;
        });
    byte[] id = new byte[8];
    random.nextBytes(id);
    String owner = "server-" + java.util.HexFormat.of().formatHex(id);
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .connectTimeout(config.notificationTimeout())
        .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
        .build();
    NotificationEvents events = new NotificationEvents(rolloutId -> {
      try {
        return java.util.Optional.of(engine.rollout(rolloutId).spec());
      } catch (RuntimeException e) {
        return java.util.Optional.empty(); // not (yet) known to this replica: the event goes without names
      }
    });
    try {
      return new Notifier(config.notificationSinks(), outbox, cursors, events, http, threads, config.clock(), owner,
          new Notifier.Settings(config.notificationLease(), config.notificationRetryWait(),
              config.notificationTimeout(), config.notificationAttempts()), metrics);
    } catch (IOException | RuntimeException e) {
      threads.shutdownNow();
      throw e;
    }
  }

  /**
   * With a store other replicas write to: a thread that waits for their transitions ({@link
   * SharedRolloutStore#awaitChange}, PostgreSQL's NOTIFY) and ticks at once when one comes, so another replica's
   * HALT is acted on within milliseconds instead of at the next scheduled tick. Listens before it returns, so no
   * transition committed after the server started is missed. Closing the store ends it.
   */
  private void watchChanges(SharedRolloutStore shared, ServerContext ctx) {
    try {
      shared.awaitChange(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException e) {
      LOG.warn("cannot listen for other replicas' transitions; ticking on schedule only: {}", e.toString());
      return;
    }
    Thread watcher = new Thread(() -> {
      try {
        while (true) {
          if (shared.awaitChange(config.tickInterval())) {
            ticker.execute(() -> tick(ctx)); // on the tick thread: never alongside a scheduled tick
          }
        }
      } catch (InterruptedException | StoreClosedException | RejectedExecutionException e) {
        LOG.debug("stopped waiting for other replicas' transitions: {}", e.toString()); // the server stops
      } catch (RuntimeException e) {
        LOG.warn("stopped waiting for other replicas' transitions; ticking on schedule only: {}", e.toString());
      }
    }, "ringfence-store-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private void tick(ServerContext ctx) {
    try {
      // Releases and enrollments first: a rollout another replica created may name a release published there.
      ctx.releases().refresh();
      ctx.endpoints().refresh();
      ctx.tokens().refresh(); // a token created or revoked through another replica counts here from now on
      ctx.refreshTimestamps();
      ctx.channels().deferrals().refresh(); // a policy set through another replica counts here from now on
      engine.tick();
      ctx.stopAll().enforce(); // after the catch-up: a rollout another replica started is paused here too
      if (!ctx.stopAll().inForceAsLastRead()) {
        ctx.channels().advanceDeferrals(ctx.endpoints()); // the deferred groups' own rollouts that are due
      }
      Instant now = config.clock().instant();
      for (Rollout r : engine.rollouts()) {
        ctx.history().record(r, now);
      }
      lastTick = now;
      Notifier sending = notifier;
      if (sending != null) {
        sending.wake(); // only schedules: a receiver that hangs never holds the tick
      }
    } catch (RuntimeException e) {
      LOG.warn("engine tick failed; retrying at the next tick: {}", e.toString());
    }
  }

  /** Runs one tick now, as the scheduler does: for tests that count ticks rather than wait for them. */
  void tickNow() {
    ServerContext ctx = context;
    if (ctx != null) {
      try {
        ticker.submit(() -> tick(ctx)).get(); // on the tick thread: never alongside a scheduled tick
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("the tick failed", e.getCause());
      }
    }
  }

  private Response health() {
    Duration since = Duration.between(lastTick, config.clock().instant());
    boolean stalled = since.compareTo(config.tickInterval().multipliedBy(10).plusSeconds(5)) > 0;
    return Response.json(stalled ? 503 : 200, new Health(stalled ? "stalled" : "ok",
        config.jdbcUrl() == null ? "file" : "postgresql", engine.rollouts().size(), lastTick.toString()));
  }

  /** {@code /healthz}'s body. */
  private record Health(String status, String store, int rollouts, String lastTick) {}

  /** @return the base URI, ending with '/' */
  public URI uri() {
    InetSocketAddress address = address();
    String host = address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + address.getPort() + "/");
  }

  /** @return every route as {@code "METHOD /template"}, for tests that must cover them all */
  List<String> routes() {
    return routes;
  }

  /** @return the role each admin route needs, by {@code "METHOD /template"}, for tests that check them all */
  java.util.Map<String, Role> roles() {
    return roles;
  }

  /** @return the bound port */
  public int port() {
    return connector.getLocalPort();
  }

  /** @return the bound address */
  public InetSocketAddress address() {
    try {
      return new InetSocketAddress(InetAddress.getByName(config.bindAddress()), connector.getLocalPort());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("bound to " + config.bindAddress() + ", which no longer resolves", e);
    }
  }

  /** @return the file that holds the admin token (mode 0600) */
  public Path adminTokenFile() {
    return adminToken.file();
  }

  /** @return the embedded engine */
  public RolloutEngine engine() {
    return engine;
  }

  /** @return the registry {@code /metrics} serves */
  public PrometheusMeterRegistry registry() {
    return prometheus;
  }

  /** Stops serving and ticking, and closes the store. */
  @Override
  public void close() {
    slowClients.close();
    stopQuietly(http);
    ticker.shutdownNow();
    deadlines.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Notifier sending = notifier;
    if (sending != null) {
      sending.close(); // before the store: gives up this replica's leases
    }
    engineMetrics.close(); // unsubscribes from the engine and removes its meters
    ExecutorService gates = gateThreads;
    if (gates != null) {
      gates.shutdownNow(); // a query still waiting on the network is interrupted
    }
    closeQuietly(store); // also ends the thread that waits for other replicas' transitions
  }

  private static void stopQuietly(Server jetty) {
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server: {}", e.toString());
    }
  }

  private static void closeQuietly(RolloutStore store) {
    try {
      store.close();
    } catch (RuntimeException e) {
      LOG.warn("closing {}: {}", store, e.toString());
    }
  }
}
