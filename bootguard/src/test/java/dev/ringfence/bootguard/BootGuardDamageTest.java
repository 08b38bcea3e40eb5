package dev.ringfence.bootguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.StartAction;
import dev.ringfence.agent.StartCounter;
import dev.ringfence.agent.StartResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged state directories through the guard's command, each kind of damage on its own: a state file truncated,
 * with a bad checksum, with an unknown field (ignored when it is under the checksum, as the grammar says), in an
 * unknown format version, with a field twice; slots that a state or the pointer names but that are missing. Both
 * state copies damaged: every command refuses with exit 3, names each file and why, and writes and deletes nothing.
 * Otherwise the start goes on exactly as the Java agent's {@code onStart()} does on the same files, byte for byte.
 * Whatever happens, the last-known-good's slot is never touched. The directories start from the golden start
 * vectors ({@code docs/protocol/vectors/starts.json}).
 */
class BootGuardDamageTest {

  private static final Path GUARD = Host.binary("ringfence.bootguardAsan");
  private static final List<String> COMMANDS = List.of("start", "confirm", "status", "clean-shutdown");

  @TempDir Path work;

  /** Damage to a state file's text, and the reason the guard gives for refusing it. */
  enum StateDamage {
    TRUNCATED(f -> f.substring(0, f.length() / 2), "no checksum line (torn or truncated)", true),
    BAD_CHECKSUM(f -> f.replace("failedStarts=0\n", "failedStarts=9\n"), "checksum mismatch", true),
    UNKNOWN_KEY_NOT_UNDER_THE_CHECKSUM(f -> f + "rotation=1\n", "checksum mismatch", true),
    UNKNOWN_FORMAT_VERSION(f -> reseal(f.replace("ringfence-agent-state v1\n", "ringfence-agent-state v2\n")),
        "header is 'ringfence-agent-state v2', expected 'ringfence-agent-state v1'", true),
    /** The guard is stricter than the Java agent here (state-files.md): no writer makes such a file. */
    FIELD_TWICE(f -> reseal(f.replace("failedStarts=0\n", "failedStarts=0\nfailedStarts=0\n")),
        "field 'failedStarts' appears twice", false);

    final UnaryOperator<String> damage;
    final String reason;
    final boolean javaRefusesToo;

    StateDamage(UnaryOperator<String> damage, String reason, boolean javaRefusesToo) {
      this.damage = damage;
      this.reason = reason;
      this.javaRefusesToo = javaRefusesToo;
    }
  }

  /** v6 the last-known-good in slot A, v7 on trial in slot B, no start counted yet. */
  private static Map<String, String> onTrial() {
    return new TreeMap<>(StartVectors.named("trial_first_start_counted").before());
  }

  @ParameterizedTest
  @EnumSource(StateDamage.class)
  void bothStateCopiesDamaged_otherCommandsRefuseWithExit3_namingEachFile_andWriteNothing(StateDamage damage)
      throws Exception {
    Map<String, String> files = onTrial();
    files.put("state", damage.damage.apply(files.get("state")));
    files.put("state.bak", damage.damage.apply(files.get("state.bak")));
    for (String command : COMMANDS.subList(1, COMMANDS.size())) {
      Path dir = StartVectors.write(files, work.resolve(damage + "-" + command));
      Host.Run run = Host.guard(GUARD, dir, command);
      assertThat(run.exit()).as("%s %s: %s", damage, command, run.stderr()).isEqualTo(3);
      assertThat(run.stdout()).as(command).isEmpty();
      assertThat(run.stderr()).as(command).contains("state is unreadable (" + damage.reason + ")",
          "state.bak is unreadable (" + damage.reason + ")",
          "state and state.bak are missing but slot A holds v6; only a start rebuilds a state", "(exit 3)");
      assertThat(StartVectors.snapshot(dir)).as("%s %s: nothing written or deleted", damage, command)
          .isEqualTo(files);
    }
  }

  /**
   * A start rebuilds the state from the slots exactly as the Java agent does (the oldest verified slot, v6), so that
   * the host's consumer, and the agent in it, start at all: the shipped units start the consumer only after the
   * guard's start succeeds.
   */
  @ParameterizedTest
  @EnumSource(StateDamage.class)
  void bothStateCopiesDamaged_startRebuildsFromTheSlots_asTheJavaAgentDoes(StateDamage damage) throws Exception {
    Map<String, String> files = onTrial();
    files.put("state", damage.damage.apply(files.get("state")));
    files.put("state.bak", damage.damage.apply(files.get("state.bak")));
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isZero();
    assertThat(starts.guard.stdout()).isEqualTo("RECOVERED A 6\n");
    assertThat(starts.guard.stderr()).contains("state is unreadable (" + damage.reason + ")",
        "rebuilt from the slots, running v6 from slot A as last-known-good");
    assertThat(starts.guardFiles).as("nothing deleted").containsKeys("slots/A/content", "slots/B/content");
    if (damage.javaRefusesToo) { // the others the guard's stricter grammar alone refuses
      assertThat(starts.java.action()).isEqualTo(StartAction.RECOVERED);
      assertThat(starts.java.activeContent().orElseThrow().version()).isEqualTo(6);
      assertThat(starts.guardFiles).as("the Java agent's files, the damaged copies rewritten")
          .isEqualTo(starts.javaFiles);
    }
  }

  @ParameterizedTest
  @EnumSource(StateDamage.class)
  void primaryStateDamaged_startContinuesFromStateBak_asTheJavaAgentDoes(StateDamage damage) throws Exception {
    Map<String, String> files = onTrial();
    files.put("state", damage.damage.apply(files.get("state")));
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isZero();
    assertThat(starts.guard.stdout()).isEqualTo("RECOVERED B 7\n");
    assertThat(starts.guard.stderr()).contains("state is unreadable (" + damage.reason + ")", "start 1 of 3");
    assertThat(starts.guardFiles).as("the state rewritten whole, from state.bak")
        .isEqualTo(StartVectors.named("trial_first_start_counted").after());
    if (damage.javaRefusesToo) {
      assertThat(starts.java.action()).isEqualTo(StartAction.RECOVERED);
      assertThat(starts.guardFiles).as("the Java agent's files").isEqualTo(starts.javaFiles);
    }
  }

  @Test
  void unknownKeyUnderTheChecksum_isIgnoredAsTheGrammarSays_theStartIsTheVectors() throws Exception {
    Map<String, String> files = onTrial();
    for (String copy : List.of("state", "state.bak")) {
      files.put(copy, reseal(files.get(copy).replace("knownBad=5\n", "knownBad=5\nrotation=1\n")));
    }
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isZero();
    assertThat(starts.guard.stdout()).isEqualTo("TRIAL B 7\n");
    assertThat(starts.guardFiles).isEqualTo(StartVectors.named("trial_first_start_counted").after())
        .isEqualTo(starts.javaFiles);
  }

  @Test
  void bothStateCopiesMissing_whileSlotsHoldContent_startRebuilds_asTheJavaAgentDoes() throws Exception {
    Map<String, String> files = onTrial();
    files.remove("state");
    files.remove("state.bak");
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isZero();
    assertThat(starts.guard.stdout()).isEqualTo("RECOVERED A 6\n");
    assertThat(starts.guard.stderr()).contains("state file missing or corrupt in both copies: rebuilt from the slots");
    assertThat(starts.guardFiles).isEqualTo(starts.javaFiles);
    Path dir = StartVectors.write(files, work.resolve("no-state-status"));
    assertThat(Host.guard(GUARD, dir, "status").exit()).as("status only reads: refused").isEqualTo(3);
  }

  @Test
  void pendingSlotMissing_revertedWithExit10_namingTheMissingFile_asTheJavaAgentDoes() throws Exception {
    Map<String, String> files = onTrial();
    files.remove("slots/B/manifest");
    files.remove("slots/B/content");
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isEqualTo(10);
    assertThat(starts.guard.stdout()).isEqualTo("REVERTED A 6\n");
    assertThat(starts.guard.stderr()).contains("pending v7 in slot B is damaged (slots/B/manifest is missing)",
        "back on last-known-good v6", "v7 marked known-bad");
    assertThat(starts.guardFiles.get("state")).contains("knownBad=5,7\n", "pending=none\n");
    assertThat(starts.java.action()).isEqualTo(StartAction.REVERTED);
    assertThat(starts.guardFiles).isEqualTo(starts.javaFiles);
  }

  @Test
  void pendingContentMissing_revertedWithExit10_namingTheMissingFile() throws Exception {
    Map<String, String> files = onTrial();
    files.remove("slots/B/content");
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).isEqualTo(10);
    assertThat(starts.guard.stderr()).contains("pending v7 in slot B is damaged (slots/B/content is missing)");
    assertThat(starts.guardFiles).isEqualTo(starts.javaFiles);
    assertThat(starts.guardFiles).as("the manifest stays: the guard deletes nothing").containsKey("slots/B/manifest");
  }

  @Test
  void lastKnownGoodSlotMissing_doesNotFallBackToAVersionNeverAccepted_asTheJavaAgentDoes() throws Exception {
    // Slot B holds v7, above highestAccepted 6: staged there once, its validation never finished.
    Map<String, String> files = new TreeMap<>(StartVectors.named("last_known_good_only").before());
    files.remove("slots/A/manifest");
    files.remove("slots/A/content");
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isZero();
    assertThat(starts.guard.stdout()).isEqualTo("RECOVERED - 0\n");
    assertThat(starts.guard.stderr()).contains("last-known-good v6 in slot A is damaged (slots/A/manifest is missing);"
        + " no other verified slot holds an accepted version");
    assertThat(starts.java.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(starts.java.activeContent()).isEmpty();
    assertThat(starts.guardFiles).isEqualTo(starts.javaFiles);
    assertThat(starts.guardFiles).as("nothing deleted").containsKey("slots/B/content");
  }

  @Test
  void lastKnownGoodSlotMissingInProbation_fallsBackToThePrevious_asTheJavaAgentDoes() throws Exception {
    Map<String, String> files = new TreeMap<>(StartVectors.named("probation_start_counted").before());
    files.remove("slots/B/manifest");
    files.remove("slots/B/content");
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isZero();
    assertThat(starts.guard.stdout()).isEqualTo("RECOVERED A 6\n");
    assertThat(starts.guard.stderr()).contains("last-known-good v7 in slot B is damaged (slots/B/manifest is missing);"
        + " falling back to the other slot");
    assertThat(starts.java.action()).isEqualTo(StartAction.RECOVERED);
    assertThat(starts.guardFiles).isEqualTo(starts.javaFiles);
    assertThat(starts.guardFiles.get("state")).as("the probation and its counter end").contains("failedStarts=0\n")
        .doesNotContain("previous=");
  }

  @Test
  void bothSlotsMissing_runsNothing_andKeepsTheStateThatNamesThem() throws Exception {
    Map<String, String> files = new TreeMap<>(StartVectors.named("last_known_good_only").before());
    files.keySet().removeIf(name -> name.startsWith("slots/"));
    Starts starts = startBoth(files);
    assertThat(starts.guard.exit()).as(starts.guard.stderr()).isZero();
    assertThat(starts.guard.stdout()).isEqualTo("RECOVERED - 0\n");
    assertThat(starts.guard.stderr()).contains("last-known-good v6 in slot A is damaged (slots/A/manifest is missing);"
        + " no other verified slot");
    assertThat(starts.guardFiles).isEqualTo(starts.javaFiles);
  }

  @Test
  void pointerNamesAMissingSlot_confirmExits5_startRewritesItFromTheState() throws Exception {
    Map<String, String> files = new TreeMap<>(StartVectors.named("last_known_good_only").before());
    files.put("active", reseal("ringfence-pointer v1\nslot=B\nversion=7\n"));
    files.remove("slots/B/manifest");
    files.remove("slots/B/content");
    Path dir = StartVectors.write(files, work.resolve("pointer"));
    Host.Run confirm = Host.guard(GUARD, dir, "confirm");
    assertThat(confirm.exit()).isEqualTo(5);
    assertThat(confirm.stderr()).contains("no version is on trial");
    assertThat(StartVectors.snapshot(dir)).isEqualTo(files);

    Host.Run start = Host.guard(GUARD, dir, "start");
    assertThat(start.exit()).as(start.stderr()).isZero();
    assertThat(start.stdout()).isEqualTo("LAST_KNOWN_GOOD A 6\n");
    Map<String, String> after = StartVectors.named("last_known_good_only").after();
    assertThat(StartVectors.snapshot(dir)).containsEntry("active", after.get("active"))
        .containsEntry("state", after.get("state")).containsEntry("slots/A/content", after.get("slots/A/content"));
  }

  @Test
  void pointerNamesOtherContentThanTheTrial_confirmExits5_andPromotesNothing() throws Exception {
    Map<String, String> files = onTrial();
    files.put("active", reseal("ringfence-pointer v1\nslot=A\nversion=6\n"));
    Path dir = StartVectors.write(files, work.resolve("other"));
    Host.Run confirm = Host.guard(GUARD, dir, "confirm");
    assertThat(confirm.exit()).isEqualTo(5);
    assertThat(confirm.stderr()).contains("v7 is on trial but the pointer names other content");
    assertThat(StartVectors.snapshot(dir)).isEqualTo(files);
  }

  /** The guard's start and the Java agent's {@code onStart()} (counting itself), each on its own copy. */
  private record Starts(Host.Run guard, Map<String, String> guardFiles, StartResult java,
      Map<String, String> javaFiles) {}

  private Starts startBoth(Map<String, String> files) throws Exception {
    Path guardDir = StartVectors.write(files, work.resolve("guard"));
    Path javaDir = StartVectors.write(files, work.resolve("java"));
    Host.Run run = Host.guard(GUARD, guardDir, "start");
    StartResult java = new Host(javaDir, Files.createDirectories(work.resolve("payloads")), StartCounter.AGENT)
        .agent().onStart();
    Map<String, String> guardFiles = StartVectors.snapshot(guardDir);
    assertLastKnownGoodSlotKept(files, guardFiles);
    return new Starts(run, guardFiles, java, StartVectors.snapshot(javaDir));
  }

  /** The slots' files are never rewritten or deleted; of the rest, only the clean-shutdown marker may go. */
  private static void assertLastKnownGoodSlotKept(Map<String, String> before, Map<String, String> after) {
    before.forEach((name, text) -> {
      if (name.startsWith("slots/")) {
        assertThat(after).as("the guard keeps %s", name).containsEntry(name, text);
      } else if (!name.equals("clean-shutdown")) {
        assertThat(after).as("the guard deletes no %s", name).containsKey(name);
      }
    });
  }

  /** The body of a checksummed file (header and fields, without any checksum line) sealed again. */
  private static String reseal(String file) {
    int mark = file.lastIndexOf("checksum=");
    String body = mark < 0 ? file : file.substring(0, mark);
    try {
      return body + "checksum=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(body.getBytes(StandardCharsets.US_ASCII))) + "\n";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
