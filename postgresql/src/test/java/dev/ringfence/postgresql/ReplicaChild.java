package dev.ringfence.postgresql;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ScriptedGate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One update-server replica in a JVM of its own, for {@link TwoJvmReplicaTest}: an engine over the shared
 * PostgreSQL store with the system clock and a 1 s staleness bound, a few threads deciding for a fleet of
 * endpoints in a random order (seeded), and a thread that ticks every {@link #TICK_INTERVAL}.
 *
 * <p>Arguments: {@code <jdbcUrl> <user> <seed> <fleetSize> <deciderThreads>}; the password comes in the
 * environment variable {@value #PASSWORD_ENV}, so that it does not show in the process list.
 *
 * <p>Standard input, one command a line: {@code ARM} (from now on print every OFFER, not just the first per
 * endpoint; answered with {@code ARMED}), {@code STOP}; end of input stops too.
 *
 * <p>Standard output, one line each (times in microseconds since the epoch, from the machine's clock):
 * <ul>
 *   <li>{@code READY}: the engine is up and the rollout is running;</li>
 *   <li>{@code OFFER <endpointId> <startMicros> <endMicros>}: a decide call that began and returned at those
 *       instants answered OFFER; the first per endpoint, and every one once armed;</li>
 *   <li>{@code HALTED_SEEN <micros>}: once, the first time the rollout is halted after a tick; every decide
 *       that begins after this instant reads the halted state;</li>
 *   <li>{@code SETTLED}: once, when {@code 2 * deciderThreads} full passes over the fleet that began after
 *       HALTED_SEEN have ended;</li>
 *   <li>{@code DONE offers=.. reverts=.. decisions=.. passes=.. maxTickGapMs=.. tickErrors=.. failures=..};</li>
 *   <li>{@code ERROR ...}: something threw; the exit code is then 1.</li>
 * </ul>
 * Logs go to standard error. The process stops by itself after {@link #MAX_RUN} or {@link #MAX_PASSES}
 * passes per thread, whatever the parent does.
 */
public final class ReplicaChild {

  /** Environment variable with the database password. */
  public static final String PASSWORD_ENV = "RINGFENCE_CHILD_DB_PASSWORD";
  /** The replicas' staleness bound. */
  public static final Duration STALENESS_BOUND = Duration.ofSeconds(1);
  /** Delay between the end of one tick and the start of the next. */
  public static final Duration TICK_INTERVAL = Duration.ofMillis(100);
  /** The rollout every replica serves. */
  public static final String ROLLOUT_ID = "r";
  /** The version every endpoint reports: the baseline of {@link Fixtures#spec}. */
  public static final long CURRENT_VERSION = 41;

  static final int MAX_PASSES = 5_000;
  static final Duration MAX_RUN = Duration.ofSeconds(90);

  private static final PrintStream OUT = System.out;

  private final RolloutEngine engine;
  private final int fleetSize;
  private final long seed;
  private final int threads;
  private final long deadlineNanos = System.nanoTime() + MAX_RUN.toNanos();

  private final AtomicBoolean stop = new AtomicBoolean();
  private volatile boolean armed;
  private volatile long haltSeenMicros = -1;
  private final Set<String> offeredOnce = ConcurrentHashMap.newKeySet();
  private final AtomicLong offers = new AtomicLong();
  private final AtomicLong reverts = new AtomicLong();
  private final AtomicLong decisions = new AtomicLong();
  private final AtomicLong passes = new AtomicLong();
  private final AtomicLong passesAfterHaltSeen = new AtomicLong();
  private final AtomicBoolean settled = new AtomicBoolean();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong tickErrors = new AtomicLong();
  private long lastTickEndNanos = -1; // ticker thread only
  private volatile long maxTickGapNanos;

  private ReplicaChild(RolloutEngine engine, int fleetSize, long seed, int threads) {
    this.engine = engine;
    this.fleetSize = fleetSize;
    this.seed = seed;
    this.threads = threads;
  }

  /** @return microseconds since the epoch of {@code instant}, the time unit of every line */
  public static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: ReplicaChild <jdbcUrl> <user> <seed> <fleetSize> <deciderThreads>");
      System.exit(2);
    }
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(args[0]);
    dataSource.setUser(args[1]);
    dataSource.setPassword(System.getenv().getOrDefault(PASSWORD_ENV, ""));
    ScriptedGate gate = new ScriptedGate();
    RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom().clock(Clock.systemUTC())
        .store(PostgresRolloutStore.create(new ReusingDataSource(dataSource))).stalenessBound(STALENESS_BOUND)
        .gate(ScriptedGate.TYPE, spec -> gate).build());
    ReplicaChild child = new ReplicaChild(engine, Integer.parseInt(args[3]), Long.parseLong(args[2]),
        Integer.parseInt(args[4]));
    System.exit(child.run());
  }

  private int run() throws InterruptedException {
    Rollout rollout = engine.rollout(ROLLOUT_ID); // created and started by the parent before this JVM
    if (rollout.state() != RolloutState.RUNNING) {
      OUT.println("ERROR rollout " + ROLLOUT_ID + " is " + rollout.state() + ", expected RUNNING");
      return 1;
    }
    CountDownLatch stopRequested = new CountDownLatch(1);
    Thread commands = new Thread(() -> readCommands(stopRequested), "replica-commands");
    commands.setDaemon(true);
    commands.start();

    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "replica-ticker");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleWithFixedDelay(this::tickOnce, 0, TICK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);

    List<Thread> deciders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread thread = new Thread(() -> decideLoop(index), "replica-decider-" + t);
      thread.start();
      deciders.add(thread);
    }
    OUT.println("READY");

    if (!stopRequested.await(MAX_RUN.toMillis(), TimeUnit.MILLISECONDS)) {
      OUT.println("ERROR no STOP within " + MAX_RUN);
      failures.incrementAndGet();
    }
    stop.set(true);
    for (Thread thread : deciders) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      if (thread.isAlive()) {
        OUT.println("ERROR " + thread.getName() + " did not stop");
        failures.incrementAndGet();
      }
    }
    ticker.shutdown();
    if (!ticker.awaitTermination(30, TimeUnit.SECONDS)) {
      OUT.println("ERROR the ticker did not stop");
      failures.incrementAndGet();
    }
    OUT.println("DONE offers=" + offers.get() + " reverts=" + reverts.get() + " decisions=" + decisions.get()
        + " passes=" + passes.get() + " maxTickGapMs=" + TimeUnit.NANOSECONDS.toMillis(maxTickGapNanos)
        + " tickErrors=" + tickErrors.get() + " failures=" + failures.get());
    OUT.flush();
    return failures.get() == 0 ? 0 : 1;
  }

  private void readCommands(CountDownLatch stopRequested) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String command = line.strip();
        if (command.equals("ARM")) {
          armed = true;
          OUT.println("ARMED");
        } else if (command.equals("STOP")) {
          break;
        } else if (!command.isEmpty()) {
          OUT.println("ERROR unknown command " + command);
          failures.incrementAndGet();
        }
      }
    } catch (IOException e) {
      OUT.println("ERROR reading commands: " + e);
      failures.incrementAndGet();
    } finally {
      stopRequested.countDown(); // STOP, end of input or a broken pipe: the parent is done with us
    }
  }

  private void tickOnce() {
    if (stop.get()) {
      return;
    }
    try {
      engine.tick();
      if (haltSeenMicros < 0 && engine.rollout(ROLLOUT_ID).state().isHalted()) {
        long seen = micros(Instant.now()); // after the halted snapshot was published to every decider
        haltSeenMicros = seen;
        OUT.println("HALTED_SEEN " + seen);
      }
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: count it and keep ticking.
      tickErrors.incrementAndGet();
      System.err.println("tick failed: " + e);
    }
    long now = System.nanoTime();
    if (lastTickEndNanos >= 0) {
      maxTickGapNanos = Math.max(maxTickGapNanos, now - lastTickEndNanos);
    }
    lastTickEndNanos = now;
  }

  private void decideLoop(int thread) {
    try {
      Random random = new Random(seed * 1_000 + thread);
      String[] fleet = new String[fleetSize];
      for (int i = 0; i < fleetSize; i++) {
        fleet[i] = "h" + i;
      }
      for (int pass = 0; pass < MAX_PASSES && !stop.get(); pass++) {
        if (System.nanoTime() - deadlineNanos > 0) {
          OUT.println("ERROR " + Thread.currentThread().getName() + " reached the deadline of " + MAX_RUN);
          failures.incrementAndGet();
          return;
        }
        shuffle(fleet, random);
        long passStart = micros(Instant.now());
        for (int i = 0; i < fleetSize && !stop.get(); i++) {
          decideOne(fleet[i]);
        }
        if (stop.get()) {
          return;
        }
        passes.incrementAndGet();
        long seen = haltSeenMicros;
        if (seen >= 0 && passStart > seen && passesAfterHaltSeen.incrementAndGet() >= 2L * threads
            && settled.compareAndSet(false, true)) {
          OUT.println("SETTLED");
        }
      }
    } catch (RuntimeException | Error e) {
      OUT.println("ERROR " + Thread.currentThread().getName() + ": " + e);
      e.printStackTrace();
      failures.incrementAndGet();
    }
  }

  private void decideOne(String endpointId) {
    long start = micros(Instant.now());
    Decision decision = engine.decide(ROLLOUT_ID, endpointId, Fixtures.WINDOWS, CURRENT_VERSION);
    long end = micros(Instant.now());
    decisions.incrementAndGet();
    if (decision.kind() == Decision.Kind.OFFER) {
      offers.incrementAndGet();
      if (offeredOnce.add(endpointId) || armed) {
        OUT.println("OFFER " + endpointId + " " + start + " " + end);
      }
    } else if (decision.kind() == Decision.Kind.REVERT) {
      reverts.incrementAndGet();
    }
  }

  /**
   * The smallest pool that does what production's pool would here: a connection handed back is reused
   * instead of a new one opened for every store operation (with SCRAM authentication and a new server
   * process each time, that dominates a decision that checks the cap in the database). A connection handed
   * back in a transaction is rolled back; a broken one is dropped.
   */
  static final class ReusingDataSource implements DataSource {
    private static final int MAX_IDLE = 8;
    private final PGSimpleDataSource physical;
    private final BlockingDeque<Connection> idle = new LinkedBlockingDeque<>();

    ReusingDataSource(PGSimpleDataSource physical) {
      this.physical = physical;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection c = idle.pollFirst();
      if (c == null) {
        c = physical.getConnection();
      }
      Connection target = c;
      AtomicBoolean handedBack = new AtomicBoolean();
      InvocationHandler handler = (proxy, method, args) -> {
        switch (method.getName()) {
          case "close":
            if (handedBack.compareAndSet(false, true)) {
              handBack(target);
            }
            return null;
          case "isClosed":
            return handedBack.get() || target.isClosed();
          default:
            if (handedBack.get()) {
              throw new SQLException("connection already closed");
            }
            try {
              return method.invoke(target, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
        }
      };
      return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
          handler);
    }

    private void handBack(Connection c) throws SQLException {
      if (c.isClosed()) {
        return;
      }
      try {
        if (!c.getAutoCommit()) {
          c.rollback();
          c.setAutoCommit(true);
        }
      } catch (SQLException e) {
        c.close();
        return;
      }
      if (idle.size() >= MAX_IDLE || !idle.offerFirst(c)) {
        c.close();
      }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("one user only");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return physical.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      physical.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      physical.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return physical.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException("no parent logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      if (type.isInstance(this)) {
        return type.cast(this);
      }
      throw new SQLException("not a wrapper of " + type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return type.isInstance(this);
    }
  }

  private static void shuffle(String[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      String t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
