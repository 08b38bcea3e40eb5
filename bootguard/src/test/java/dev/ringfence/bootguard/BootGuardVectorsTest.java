package dev.ringfence.bootguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.internal.AgentState;
import dev.ringfence.agent.internal.RealFileOps;
import dev.ringfence.agent.internal.SlotStore;
import dev.ringfence.bootguard.StartVectors.Case;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden start vector ({@code docs/protocol/vectors/starts.json}, which the Java agent's
 * {@code ProtocolVectorsTest} passes too) through the guard's command, byte for byte: {@code start} turns the
 * files before into exactly the files after, with the documented exit code and stdout line, on the release build
 * and on the sanitizer build; {@code status} prints the state and writes nothing; {@code confirm} after the start
 * promotes the version on trial as the Java agent's {@code confirmHealthy()} writes it, or exits 5.
 *
 * <p>The vectors are JSON; they are read here, in Java, so that the C library and its own tests stay free of any
 * JSON code, and the binaries are tested as they ship.
 */
class BootGuardVectorsTest {

  private static final Path GUARD = Host.binary("ringfence.bootguard");
  private static final Path GUARD_ASAN = Host.binary("ringfence.bootguardAsan");

  @TempDir Path work;

  static List<Case> cases() {
    return StartVectors.cases();
  }

  static Stream<Arguments> casesOnBothBuilds() {
    return cases().stream().flatMap(c -> Stream.of(Arguments.of("release", c), Arguments.of("sanitizer", c)));
  }

  @Test
  void vectors_coverEveryKindOfStartTheGuardDecides() {
    assertThat(cases()).extracting(c -> c.result().action())
        .contains("LAST_KNOWN_GOOD", "TRIAL", "REVERTED", "RECOVERED");
    assertThat(cases()).extracting(Case::name).contains("clean_shutdown_not_counted",
        "clean_shutdown_at_limit_not_reverted", "stale_clean_shutdown_counted", "corrupt_clean_shutdown_counted",
        "probation_start_counted", "probation_revert_at_limit", "probation_expired_not_counted",
        "probation_clean_shutdown_not_counted", "old_state_without_probation");
  }

  @ParameterizedTest(name = "{1} ({0} build)")
  @MethodSource("casesOnBothBuilds")
  void start_turnsTheFilesBeforeIntoExactlyTheFilesAfter(String build, Case c) throws Exception {
    Path dir = StartVectors.write(c.before(), work.resolve(c.name()));
    Host.Run run = Host.guard(build.equals("release") ? GUARD : GUARD_ASAN,
        List.of("--max-failed-starts", Integer.toString(StartVectors.maxFailedStarts()), "start", dir.toString()));
    assertThat(StartVectors.snapshot(dir)).as("%s (%s): %s", c.name(), c.description(), run.stderr())
        .isEqualTo(c.after());
    assertThat(run.exit()).as("%s: %s", c.name(), run.stderr()).isEqualTo(c.result().exit());
    assertThat(run.stdout()).as(c.name()).isEqualTo(c.result().line());
    assertThat(run.stderr()).as(c.name()).endsWith("(exit " + c.result().exit() + ")\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void status_printsTheStateBeforeAndAfterTheStart_andWritesNothing(Case c) throws Exception {
    Path before = StartVectors.write(c.before(), work.resolve("before"));
    Host.Run first = Host.guard(GUARD_ASAN, before, "status");
    assertThat(first.exit()).as(first.stderr()).isZero();
    assertThat(first.stdout()).as("%s: the valid copy with the higher generation", c.name())
        .startsWith(body(validCopy(c.before())));
    assertThat(StartVectors.snapshot(before)).as(c.name()).isEqualTo(c.before());

    Path after = StartVectors.write(c.after(), work.resolve("after"));
    Host.Run run = Host.guard(GUARD_ASAN, after, "status");
    assertThat(run.exit()).as(run.stderr()).isZero();
    String running = c.result().line().substring(c.result().action().length());
    assertThat(run.stdout()).as(c.name()).isEqualTo(body(c.after().get("state")) + "STATUS" + running);
    assertThat(run.stdout()).as(c.name()).contains("\nfailedStarts=" + c.result().failedStarts() + "\n");
    assertThat(StartVectors.snapshot(after)).as(c.name()).isEqualTo(c.after());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void confirm_afterTheStart_promotesTheVersionOnTrialAsTheJavaAgentWrites_orExits5(Case c) throws Exception {
    Path dir = StartVectors.write(c.after(), work.resolve("guard"));
    AgentState after = new SlotStore(StartVectors.write(c.after(), work.resolve("java")), RealFileOps.INSTANCE)
        .load().state();
    Host.Run run = Host.guard(GUARD_ASAN, dir, "confirm");
    if (after.pending() == null) {
      assertThat(run.exit()).as("%s: nothing on trial: %s", c.name(), run.stderr()).isEqualTo(5);
      assertThat(run.stderr()).contains("no version is on trial");
      assertThat(StartVectors.snapshot(dir)).as("%s: nothing written", c.name()).isEqualTo(c.after());
      return;
    }
    assertThat(run.exit()).as("%s: %s", c.name(), run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("CONFIRMED " + after.pending().slot() + " " + after.pending().version() + "\n");
    Path scratch = Files.createDirectories(work.resolve("promoted"));
    new SlotStore(scratch, RealFileOps.INSTANCE).writeState(new AgentState(after.generation(), after.bootId(),
        after.pending(), null, 0, after.highestAccepted(), after.knownBad()));
    Map<String, String> expected = new TreeMap<>(c.after());
    expected.put("state", Files.readString(scratch.resolve("state")));
    expected.put("state.bak", Files.readString(scratch.resolve("state")));
    assertThat(StartVectors.snapshot(dir)).as(c.name()).isEqualTo(expected);
  }

  /** The key=value lines of a checksummed file: without its header and its checksum line. */
  private static String body(String file) {
    return file.substring(file.indexOf('\n') + 1, file.lastIndexOf("checksum="));
  }

  /** Of state and state.bak, the copy that passes its checksum with the higher generation. */
  private static String validCopy(Map<String, String> files) throws Exception {
    String best = null;
    for (String name : List.of("state", "state.bak")) {
      String file = files.get(name);
      if (file != null && checksumHolds(file) && (best == null || generation(file) > generation(best))) {
        best = file;
      }
    }
    assertThat(best).as("a valid state copy in %s", files.keySet()).isNotNull();
    return best;
  }

  private static boolean checksumHolds(String file) throws Exception {
    int mark = file.lastIndexOf("checksum=");
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest(file.substring(0, mark).getBytes(StandardCharsets.US_ASCII));
    return file.substring(mark).equals("checksum=" + HexFormat.of().formatHex(digest) + "\n");
  }

  private static long generation(String file) {
    return file.lines().filter(l -> l.startsWith("generation=")).mapToLong(l -> Long.parseLong(l.substring(11)))
        .findFirst().orElseThrow();
  }
}
