package dev.ringfence.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A halt survives anything: a kill -9, a restart." A {@link CrashChild} JVM drives rollouts on a file
 * journal and is killed with SIGKILL after a drawn number of committed transitions, again and again on
 * the same directory; after every kill this JVM reopens the journal, rebuilds the engine and checks
 * that
 *
 * <ol>
 *   <li>no transition the child reported as committed was lost, and every rollout's state is the one
 *       its last stored transition names;
 *   <li>no rollout whose stored state is HALTED, ROLLING_BACK or ROLLED_BACK offers the candidate to
 *       any endpoint of the fleet, whatever version it runs;
 *   <li>the child never saw an offer after a halt it had committed;
 *   <li>the audit trail's hash chain holds.
 * </ol>
 *
 * <p>One child in three is killed instead just after it announces an explicit compaction, so that kills
 * also land inside compactions; the summary says in which phase. The child's commits that were already
 * in the pipe when it died are read and checked too.
 *
 * <p>Kills: system property {@code ringfence.kills} (50 by default, 200 with {@code -Pstress}). Seed:
 * {@code ringfence.kill.seed} (default 20240719), printed. The timing of each kill is the operating
 * system's, so a seed replays the children's choices and commit counts, not the exact kill points.
 */
@Tag("crash")
class KillNineTest {

  private static final int DEFAULT_KILLS = 50;
  /** Each child is killed after 1 to this many commits (more that were already in the pipe are read too). */
  private static final int MAX_COMMITS_PER_CHILD = 8;
  /** A child that has not printed its commits by then is stuck: the test fails instead of hanging. */
  private static final Duration CHILD_DEADLINE = Duration.ofSeconds(60);
  private static final Duration REAPING = Duration.ofSeconds(10);
  private static final Pattern COMMIT = Pattern.compile("COMMIT (\\S+) (\\d+) ([A-Z_]+)");
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d+)");
  private static final Pattern JOURNAL = Pattern.compile("journal\\.(\\d+)");

  private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

  @TempDir
  Path temp;

  /** A transition the child printed as committed. */
  private record Commit(String rolloutId, long sequence, RolloutState to) {}

  /** What one child printed before it died, and how it died. */
  private record ChildRun(List<Commit> commits, List<String> violations, List<String> unexpected, int exitValue) {}

  @Test
  void aHalt_survivesKillNine_andNoCommittedTransitionIsLost() throws Exception {
    int kills = Integer.getInteger("ringfence.kills", DEFAULT_KILLS);
    long seed = Long.getLong("ringfence.kill.seed", 20240719L);
    Random random = new Random(seed);
    Path journal = Files.createDirectories(temp.resolve("journal"));
    Path stderr = temp.resolve("child.stderr");
    long started = System.nanoTime();

    Map<String, Commit> lastPrinted = new HashMap<>();
    Map<String, Long> highestStored = new HashMap<>();
    long durableUnprinted = 0;
    Map<String, Integer> killsInCompaction = new TreeMap<>();
    List<String> recoveryReports = new ArrayList<>();
    Set<String> haltedRollouts = new HashSet<>();
    long commitsSeen = 0;
    long haltedChecks = 0;
    long decisionsChecked = 0;
    long highestGeneration = 0;
    Map<RolloutState, Integer> finalStates = new EnumMap<>(RolloutState.class);

    for (int kill = 1; kill <= kills; kill++) {
      long childSeed = random.nextLong();
      int target = 1 + random.nextInt(MAX_COMMITS_PER_CHILD);
      // One child in three is killed at the first explicit compaction after its commits, to land kills
      // inside compactions (the automatic ones are too short to be hit often by chance).
      boolean inCompaction = random.nextInt(3) == 0;
      String where = "kill " + kill + " of " + kills + " (seed " + seed + ", child seed " + childSeed + ", after "
          + target + " commits" + (inCompaction ? " at a compaction" : "") + ")";

      ChildRun run = runAndKill(journal, stderr, childSeed, target, inCompaction, where);
      assertThat(run.violations()).as("%s: the child saw an offer after a committed halt", where).isEmpty();
      assertThat(run.unexpected()).as("%s: lines the child should not print", where).isEmpty();
      if (LINUX) {
        assertThat(run.exitValue()).as("%s: exit code of the child (128 + SIGKILL)", where).isEqualTo(137);
      }
      commitsSeen += run.commits().size();
      for (Commit commit : run.commits()) {
        Commit before = lastPrinted.get(commit.rolloutId());
        assertThat(before == null || commit.sequence() > before.sequence())
            .as("%s: commit %s printed after %s", where, commit, before).isTrue();
        lastPrinted.put(commit.rolloutId(), commit);
      }

      JournalFiles files = JournalFiles.of(journal);
      highestGeneration = Math.max(highestGeneration, files.generation());
      files.compactionPhase().ifPresent(phase -> killsInCompaction.merge(phase, 1, Integer::sum));
      try (FileRolloutStore store = RolloutStores.file(journal)) {
        store.recoveryReport().ifPresent(report -> recoveryReports.add("after " + where + ": " + report));
        ManualClock clock = new ManualClock(CrashChild.newestEntry(store).plusSeconds(1));
        RolloutEngine engine = RolloutEngine.create(CrashChild.config(clock, store, new Random(childSeed)));

        // (a) No committed transition lost; the rebuilt state is the last stored transition's.
        Map<String, List<JournalEntry.Transitioned>> stored = new TreeMap<>();
        for (String id : store.rolloutIds()) {
          List<JournalEntry.Transitioned> transitions = new ArrayList<>();
          for (JournalEntry entry : store.read(id)) {
            if (entry instanceof JournalEntry.Transitioned) {
              transitions.add((JournalEntry.Transitioned) entry);
            }
          }
          stored.put(id, transitions);
        }
        for (Commit commit : run.commits()) {
          List<JournalEntry.Transitioned> transitions = stored.get(commit.rolloutId());
          assertThat(transitions).as("%s: rollout of the printed %s", where, commit).isNotNull();
          assertThat(transitions.size()).as("%s: stored transitions of %s, printed %s", where, commit.rolloutId(),
              commit).isGreaterThanOrEqualTo((int) commit.sequence());
          JournalEntry.Transitioned storedOne = transitions.get((int) commit.sequence() - 1);
          assertThat(storedOne.sequence()).as("%s: %s", where, storedOne).isEqualTo(commit.sequence());
          assertThat(storedOne.to()).as("%s: stored %s, printed %s", where, storedOne, commit).isEqualTo(commit.to());
        }
        for (Commit printed : lastPrinted.values()) {
          List<JournalEntry.Transitioned> transitions = stored.get(printed.rolloutId());
          assertThat(transitions).as("%s: rollout of the printed %s", where, printed).isNotNull();
          long storedSequence = transitions.isEmpty() ? 0 : transitions.get(transitions.size() - 1).sequence();
          assertThat(storedSequence).as("%s: last stored transition of %s; last printed commit %s", where,
              printed.rolloutId(), printed).isGreaterThanOrEqualTo(printed.sequence());
          if (storedSequence == printed.sequence()) {
            assertThat(engine.rollout(printed.rolloutId()).state()).as("%s: rebuilt state of %s, last printed %s",
                where, printed.rolloutId(), printed).isEqualTo(printed.to());
          }
        }
        for (Map.Entry<String, List<JournalEntry.Transitioned>> e : stored.entrySet()) {
          // What a reopen once recovered stays recovered: nothing goes backwards from one kill to the next.
          long storedSequence = e.getValue().size();
          long before = highestStored.getOrDefault(e.getKey(), 0L);
          assertThat(storedSequence).as("%s: stored transitions of %s, %d after the previous kill", where, e.getKey(),
              before).isGreaterThanOrEqualTo(before);
          Commit printed = lastPrinted.get(e.getKey());
          long known = Math.max(before, printed == null ? 0 : printed.sequence());
          durableUnprinted += Math.max(0, storedSequence - known); // the kill fell between append and print
          highestStored.put(e.getKey(), storedSequence);
        }
        for (Rollout rollout : engine.rollouts()) {
          List<JournalEntry.Transitioned> transitions = stored.get(rollout.id());
          RolloutState last = transitions.isEmpty() ? RolloutState.PLANNED
              : transitions.get(transitions.size() - 1).to();
          assertThat(rollout.state()).as("%s: rebuilt state of %s against its last stored transition", where,
              rollout.id()).isEqualTo(last);
        }

        // (b) A halted rollout offers the candidate to nobody, whatever they run.
        for (Rollout rollout : engine.rollouts()) {
          if (!rollout.state().isHalted()) {
            continue;
          }
          haltedRollouts.add(rollout.id());
          haltedChecks++;
          for (int i = 0; i < CrashChild.FLEET; i++) {
            String endpoint = CrashChild.endpoint(i);
            for (long version : new long[] {CrashChild.BASELINE, CrashChild.CANDIDATE}) {
              Decision decision = rollout.decide(endpoint, CrashChild.ATTRIBUTES, version);
              decisionsChecked++;
              if (decision.kind() == Decision.Kind.OFFER) {
                fail("%s: %s in state %s offers the candidate to %s running %d: %s", where, rollout.id(),
                    rollout.state(), endpoint, version, decision);
              }
            }
          }
        }

        // (d) The audit trail's chain holds.
        assertThat(AuditTrail.verify(store.auditFile())).as("%s: audit trail", where).isEmpty();

        if (kill == kills) {
          engine.rollouts().forEach(r -> finalStates.merge(r.state(), 1, Integer::sum));
        }
      }
    }

    double seconds = (System.nanoTime() - started) / 1e9;
    String summary = String.format(Locale.ROOT, "KillNineTest: %d kills, %d commits seen, %d torn tails truncated,"
        + " %d halted rollouts checked (%d checks, %d decisions, no offer); %d transitions durable but unprinted,"
        + " %d compactions, %d kills inside one %s, %d older snapshots left over; final states %s; seed %d; %.1f s",
        kills, commitsSeen, recoveryReports.size(), haltedRollouts.size(), haltedChecks, decisionsChecked,
        durableUnprinted, highestGeneration, killsInCompaction.values().stream().mapToInt(Integer::intValue).sum(),
        killsInCompaction, JournalFiles.of(journal).olderSnapshots(),
        finalStates, seed, seconds);
    System.out.println(summary);
    recoveryReports.forEach(report -> System.out.println("  " + report));
  }

  /**
   * Starts a child on the directory, reads its stdout until it has printed {@code target} commits (and,
   * if {@code inCompaction}, then announced a compaction), kills it with SIGKILL (the reader does, the
   * moment the line arrives), and reads what was already in the pipe: every commit the child printed
   * is checked. Fails if the child does not get there within {@link #CHILD_DEADLINE} or dies by
   * itself.
   */
  private static ChildRun runAndKill(Path journal, Path stderr, long childSeed, int target, boolean inCompaction,
      String where)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), journal.toString(),
        Long.toString(childSeed), inCompaction ? "10" : "1")
        .redirectError(stderr.toFile())
        .start();
    List<Commit> commits = Collections.synchronizedList(new ArrayList<>());
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean killed = new AtomicBoolean();
    AtomicReference<IOException> readError = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) { // ends when the child is dead
          Matcher commit = COMMIT.matcher(line);
          if (commit.matches()) {
            commits.add(new Commit(commit.group(1), Long.parseLong(commit.group(2)),
                RolloutState.valueOf(commit.group(3))));
            if (!inCompaction && commits.size() == target) {
              kill(process, killed);
            }
          } else if (line.equals(CrashChild.COMPACTING)) {
            if (inCompaction && commits.size() >= target && !killed.get()) {
              kill(process, killed);
            }
          } else if (line.startsWith("VIOLATION")) {
            violations.add(line);
          } else {
            unexpected.add(line);
          }
        }
      } catch (IOException e) {
        readError.set(e);
      }
    }, "kill-nine-reader");
    reader.setDaemon(true);
    reader.start();
    boolean exited = process.waitFor(CHILD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      process.destroyForcibly();
      process.waitFor(REAPING.toMillis(), TimeUnit.MILLISECONDS);
    }
    reader.join(REAPING.toMillis());
    if (!exited) {
      fail("%s: the child printed %d of %d commits in %s (or no compaction after them) and was killed as stuck; its stderr:%n%s", where,
          commits.size(), target, CHILD_DEADLINE, tail(stderr));
    }
    if (reader.isAlive() || readError.get() != null) {
      fail("%s: could not read the child's output to its end: %s", where, readError.get());
    }
    if (!killed.get()) {
      fail("%s: the child exited by itself with code %d after %d of %d commits; its output %s %s; its stderr:%n%s",
          where, process.exitValue(), commits.size(), target, violations, unexpected, tail(stderr));
    }
    return new ChildRun(List.copyOf(commits), List.copyOf(violations), List.copyOf(unexpected), process.exitValue());
  }

  private static void kill(Process process, AtomicBoolean killed) {
    // SIGKILL on Linux. Through the handle: Process.destroyForcibly() would also close our end of the
    // pipe, and the lines already in it (more commits) would be lost.
    process.toHandle().destroyForcibly();
    killed.set(true);
  }

  private static String tail(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  /** What a kill left in the journal directory, read before the store is reopened. */
  private record JournalFiles(long generation, List<Long> snapshots, List<Long> journals, boolean temporary) {

    static JournalFiles of(Path directory) throws IOException {
      List<Long> snapshots = new ArrayList<>();
      List<Long> journals = new ArrayList<>();
      boolean temporary = false;
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          String name = file.getFileName().toString();
          Matcher snapshot = SNAPSHOT.matcher(name);
          Matcher journal = JOURNAL.matcher(name);
          if (snapshot.matches()) {
            snapshots.add(Long.parseLong(snapshot.group(1)));
          } else if (journal.matches()) {
            journals.add(Long.parseLong(journal.group(1)));
          } else if (name.endsWith(".tmp")) {
            temporary = true;
          }
        }
      }
      long generation = snapshots.stream().mapToLong(Long::longValue).max().orElse(0);
      return new JournalFiles(generation, snapshots, journals, temporary);
    }

    /**
     * Where in a compaction the kill fell, if it did: the snapshot still being written, the new
     * snapshot in place but no new journal yet, the old journal or the old snapshot not yet deleted.
     */
    Optional<String> compactionPhase() {
      if (temporary) {
        return Optional.of("writing snapshot");
      }
      if (generation > 0 && !journals.contains(generation)) {
        return Optional.of("before new journal");
      }
      if (journals.stream().anyMatch(g -> g < generation)) {
        return Optional.of("before old journal deleted");
      }
      if (olderSnapshots() > 0) {
        return Optional.of("before old snapshot deleted");
      }
      return Optional.empty();
    }

    /** Snapshots older than the newest: recovery never reads them. */
    long olderSnapshots() {
      return snapshots.stream().filter(g -> g < generation).count();
    }
  }
}
