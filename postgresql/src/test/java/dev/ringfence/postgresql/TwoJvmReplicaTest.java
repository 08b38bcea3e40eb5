package dev.ringfence.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.testing.ScriptedGate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-JVM version of {@link JdbcReplicaTest}: two update-server replicas, each a JVM of its own
 * ({@link ReplicaChild}) with the system clock, decide concurrently for a fleet of 20,000 endpoints over one
 * real PostgreSQL database while this JVM, the operator's, halts the rollout.
 *
 * <p>The guarantees checked: the canary cap holds across both processes (admissions are cap-checked under a
 * row lock in the database); no decide call that begins after a replica has seen the halt answers OFFER; and
 * none that begins later than the halt's commit plus the staleness bound plus one tick answers OFFER (a
 * replica that has not caught up holds once its view is stale). Every child line carries instants of the same
 * machine clock as this JVM's, so they compare with the commit time measured here. How long each replica took
 * to see the halt is reported, and bounded only loosely: it depends on the machine's load.
 */
class TwoJvmReplicaTest {

  private static final int FLEET = 20_000;
  private static final int DECIDER_THREADS = 2;
  /** The children tick every {@link ReplicaChild#TICK_INTERVAL} after the previous tick; at least this often. */
  private static final Duration TICK_BOUND = ReplicaChild.TICK_INTERVAL.multipliedBy(2);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

  @Test
  void twoReplicaJvms_capHoldsAcrossProcesses_andNoOfferOnceTheHaltIsSeenOrTheViewIsStale(@TempDir Path dir)
      throws Exception {
    PostgresServer.Database database = PostgresServer.newDatabase("two_jvm");
    ScriptedGate gate = new ScriptedGate();
    RolloutEngine operator = RolloutEngine.create(RolloutEngineConfig.custom().clock(Clock.systemUTC())
        .store(PostgresRolloutStore.create(database.dataSource())).stalenessBound(ReplicaChild.STALENESS_BOUND)
        .gate(ScriptedGate.TYPE, spec -> gate).build());
    RolloutSpec spec = Fixtures.spec(ReplicaChild.ROLLOUT_ID, Fixtures.fourRings());
    Rollout rollout = operator.createRollout(spec);
    rollout.start();
    Ring canary = spec.plan().rings().get(0);
    long cap = canary.cap();
    Cohort cohort = Cohort.withSalt(spec.salt());
    long eligible = 0;
    for (int i = 0; i < FLEET; i++) {
      if (cohort.bucket("h" + i) < canary.share()) {
        eligible++;
      }
    }
    assertThat(eligible).as("endpoints of the fleet in the canary cohort").isGreaterThan(cap);

    AtomicReference<Instant> haltCommittedBy = new AtomicReference<>();
    operator.events().onTransition(t -> {
      if (t.to() == RolloutState.HALTED) {
        haltCommittedBy.compareAndSet(null, Instant.now()); // called after the append's COMMIT returned
      }
    });

    long startedAt = System.nanoTime();
    try (Child a = Child.start(database, "a", 1, dir); Child b = Child.start(database, "b", 2, dir)) {
      List<Child> children = List.of(a, b);
      await("both replicas up").atMost(STEP_TIMEOUT)
          .until(() -> failFast(children) && a.saw("READY") && b.saw("READY"));
      List<String> phases = new ArrayList<>();
      phases.add("up " + msSince(startedAt));
      await("the canary ring full").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(50))
          .until(() -> failFast(children) && admissions(database, 0) >= cap);
      phases.add("ring full " + msSince(startedAt));
      // Each replica also offers what the other admitted (admissions are sticky across replicas): once both
      // have, both offer ~cap times a pass, so OFFERs are in flight when the halt lands.
      await("each replica offering the whole canary ring").atMost(STEP_TIMEOUT)
          .until(() -> failFast(children) && a.firstOffers() >= cap && b.firstOffers() >= cap);
      phases.add("both offering " + msSince(startedAt));
      for (Child child : children) {
        child.send("ARM"); // from now on the child prints every OFFER
      }
      await("both replicas armed").atMost(STEP_TIMEOUT).until(() -> failFast(children) && a.saw("ARMED")
          && b.saw("ARMED"));

      phases.add("armed " + msSince(startedAt));
      Instant haltIssued = Instant.now();
      rollout.halt("crash reports from the canary ring");
      Instant haltReturned = Instant.now();
      Instant tCommit = haltCommittedBy.get();
      assertThat(tCommit).as("the HALTED transition was published").isNotNull();

      await("both replicas see the halt").atMost(STEP_TIMEOUT).until(() -> failFast(children)
          && a.saw("HALTED_SEEN") && b.saw("HALTED_SEEN"));
      phases.add("halt seen " + msSince(startedAt));
      await("both replicas decide on after the halt").atMost(STEP_TIMEOUT).until(() -> failFast(children)
          && a.saw("SETTLED") && b.saw("SETTLED"));
      phases.add("settled " + msSince(startedAt));
      for (Child child : children) {
        child.send("STOP");
      }
      for (Child child : children) {
        assertThat(child.waitFor(STEP_TIMEOUT)).as("exit code of replica %s%s", child.name, child.diagnostics())
            .isZero();
      }
      long elapsedMs = msSince(startedAt);

      // (4) clean exits, no errors, a DONE line each.
      for (Child child : children) {
        assertThat(child.lines("ERROR")).as("errors of replica %s%s", child.name, child.diagnostics()).isEmpty();
        assertThat(child.lines("DONE")).as("DONE of replica %s%s", child.name, child.diagnostics()).hasSize(1);
      }

      // (1) The cap holds across both processes, and what was offered is exactly what the database admitted.
      Set<String> offered = new TreeSet<>();
      for (Child child : children) {
        child.offers().forEach(o -> offered.add(o.endpointId()));
      }
      Set<String> admitted = admittedEndpoints(database);
      assertThat(offered).as("distinct endpoints offered by both replicas").hasSizeLessThanOrEqualTo((int) cap);
      assertThat(admissions(database, 0)).as("ring 0 rows in ringfence_admission").isEqualTo(cap);
      assertThat(admitted).as("admissions in any ring").hasSize((int) cap);
      assertThat(offered).as("endpoints offered = endpoints admitted").isEqualTo(admitted);
      for (Child child : children) {
        assertThat(child.offers().stream().map(Offer::endpointId).collect(Collectors.toSet()))
            .as("endpoints offered by replica %s", child.name).isEqualTo(admitted);
      }
      for (String id : admitted) {
        assertThat(cohort.bucket(id)).as("bucket of admitted %s", id).isLessThan(canary.share());
      }

      // (2) No OFFER once a replica has seen the halt, nor once its view would be stale.
      long staleLimit = ReplicaChild.micros(tCommit.plus(ReplicaChild.STALENESS_BOUND).plus(TICK_BOUND));
      long commitMicros = ReplicaChild.micros(tCommit);
      List<String> report = new ArrayList<>();
      int offersAfterSeen = 0;
      for (Child child : children) {
        long seen = child.haltSeenMicros();
        List<Offer> offers = child.offers();
        List<Offer> afterSeen = offers.stream().filter(o -> o.startMicros() > seen).collect(Collectors.toList());
        List<Offer> afterStale = offers.stream().filter(o -> o.startMicros() > staleLimit)
            .collect(Collectors.toList());
        long inWindow = offers.stream().filter(o -> o.startMicros() > commitMicros && o.startMicros() <= seen)
            .count();
        long lastOffer = offers.stream().mapToLong(Offer::startMicros).max().orElse(0);
        assertThat(afterSeen).as("OFFERs of replica %s begun after it printed HALTED_SEEN at %s%s", child.name,
            seen, child.diagnostics()).isEmpty();
        assertThat(afterStale).as("OFFERs of replica %s begun after the halt's commit (%s) + staleness bound"
            + " + tick", child.name, tCommit).isEmpty();
        offersAfterSeen += afterSeen.size();
        // (3) Reported, and bounded only by the await above: how fast a replica catches up depends on the load.
        double lagMs = (seen - commitMicros) / 1_000.0;
        report.add(String.format(Locale.ROOT, "replica %s: %s printedOffers=%d haltSeenLagMs=%.1f"
            + " offersBetweenCommitAndSeen=%d lastOfferBeforeSeenByMs=%.1f offersAfterSeen=%d offersAfterStale=%d",
            child.name, child.lines("DONE").get(0).substring("DONE ".length()), offers.size(), lagMs, inWindow,
            (seen - lastOffer) / 1_000.0, afterSeen.size(), afterStale.size()));
      }
      String summary = "TwoJvmReplicaTest: distinct admitted=" + admitted.size() + " of cap " + cap + " (eligible "
          + eligible + " of " + FLEET + "); halt() took " + Duration.between(haltIssued, haltReturned).toMillis()
          + " ms; " + String.join("; ", report) + "; OFFERs after halt seen=" + offersAfterSeen + "; run "
          + elapsedMs + " ms (" + String.join(", ", phases) + ")";
      System.out.println(summary);
    }
  }

  private static long msSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Stops the waiting early, with the child's output, if a child has died or reported an error. */
  private static boolean failFast(List<Child> children) {
    for (Child child : children) {
      if (!child.lines("ERROR").isEmpty() || !child.process.isAlive()) {
        throw new AssertionError("replica " + child.name + " failed" + child.diagnostics());
      }
    }
    return true;
  }

  private static long admissions(PostgresServer.Database database, int ring) throws SQLException {
    try (Connection c = database.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM ringfence_admission WHERE rollout_id = ? AND ring_index = ?")) {
      ps.setString(1, ReplicaChild.ROLLOUT_ID);
      ps.setInt(2, ring);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Set<String> admittedEndpoints(PostgresServer.Database database) throws SQLException {
    try (Connection c = database.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT endpoint_id FROM ringfence_admission WHERE rollout_id = ?")) {
      ps.setString(1, ReplicaChild.ROLLOUT_ID);
      try (ResultSet rs = ps.executeQuery()) {
        Set<String> ids = new TreeSet<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        return ids;
      }
    }
  }

  /** One OFFER line: a decide call that began and returned at these instants (epoch microseconds). */
  private record Offer(String endpointId, long startMicros, long endMicros) {}

  /** A replica JVM, its output lines as they come, and its standard error in a file. */
  private static final class Child implements AutoCloseable {
    final String name;
    final Process process;
    final Path stderr;
    private final Writer stdin;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private Child(String name, Process process, Path stderr) {
      this.name = name;
      this.process = process;
      this.stderr = stderr;
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      this.reader = new Thread(this::readOutput, "replica-" + name + "-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(PostgresServer.Database database, String name, long seed, Path dir) throws IOException {
      String java = ProcessHandle.current().info().command()
          .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> command = List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          ReplicaChild.class.getName(), database.url(), database.user(), Long.toString(seed),
          Integer.toString(FLEET), Integer.toString(DECIDER_THREADS));
      Path stderr = dir.resolve("replica-" + name + ".stderr");
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
      builder.environment().put(ReplicaChild.PASSWORD_ENV, database.password());
      return new Child(name, builder.start(), stderr);
    }

    private void readOutput() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("ERROR reading the output of the replica: " + e);
      }
    }

    void send(String command) {
      try {
        stdin.write(command + "\n");
        stdin.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot send " + command + " to replica " + name + diagnostics(), e);
      }
    }

    boolean saw(String prefix) {
      return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }

    List<String> lines(String prefix) {
      return lines.stream().filter(l -> l.equals(prefix) || l.startsWith(prefix + " ")).collect(Collectors.toList());
    }

    List<Offer> offers() {
      List<Offer> offers = new ArrayList<>();
      for (String line : lines("OFFER")) {
        String[] f = line.split(" ");
        offers.add(new Offer(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
      }
      return offers;
    }

    long firstOffers() {
      return offers().stream().map(Offer::endpointId).distinct().count();
    }

    long haltSeenMicros() {
      List<String> seen = lines("HALTED_SEEN");
      assertThat(seen).as("HALTED_SEEN of replica %s", name).hasSize(1);
      return Long.parseLong(seen.get(0).substring("HALTED_SEEN ".length()));
    }

    /** Waits for the exit, then for the last line of output. @return the exit code */
    int waitFor(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("replica " + name + " did not exit within " + timeout + diagnostics());
      }
      reader.join(timeout.toMillis());
      return process.exitValue();
    }

    String diagnostics() {
      String err;
      try {
        err = Files.exists(stderr) ? Files.readString(stderr) : "";
      } catch (IOException e) {
        err = "(unreadable: " + e + ")";
      }
      if (err.length() > 4_000) {
        err = "..." + err.substring(err.length() - 4_000);
      }
      List<String> interesting = lines.stream().filter(l -> !l.startsWith("OFFER ")).collect(Collectors.toList());
      return "\n-- replica " + name + " (alive=" + process.isAlive() + "), non-OFFER output: " + interesting
          + "\n-- its standard error (tail):\n" + err;
    }

    @Override
    public void close() {
      try {
        stdin.close(); // end of input stops the child
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
