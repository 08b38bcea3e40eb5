package dev.ringfence.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole story with real processes on loopback: server, 8 agent JVMs, a good release, a poisoned one. */
class EndToEndDemoTest {

  @TempDir Path dir;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void poisonedRelease_stopsAtTheCanaryRing_andEverythingEndsOnTheGoodRelease() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    EndToEndDemo.Result result = EndToEndDemo.run(new PrintStream(printed, true, StandardCharsets.UTF_8),
        new EndToEndDemo.Options(8, 2, dir, Duration.ofSeconds(90), false));
    String story = printed.toString(StandardCharsets.UTF_8);

    assertThat(result.problems()).as(story).isEmpty();
    assertThat(result.ok()).isTrue();
    assertThat(result.finalState()).isEqualTo("ROLLED_BACK");
    assertThat(result.haltReason()).contains("canary").contains("FAIL");
    assertThat(result.crashes().get("lab-1")).isGreaterThanOrEqualTo(1);
    assertThat(result.crashes().get("lab-2")).isGreaterThanOrEqualTo(1);
    assertThat(result.selfReverted()).containsExactlyInAnyOrder("lab-1", "lab-2");
    assertThat(result.candidateDownloads()).isSubsetOf(Set.of("lab-1", "lab-2"));
    assertThat(result.finalVersions()).hasSize(8).allSatisfy((id, version) -> assertThat(version).isEqualTo(1L));
    result.crashes().forEach((id, n) -> {
      if (id.startsWith("host-")) {
        assertThat(n).as(id + " is outside the canary ring").isZero();
      }
    });
    assertThat(story).contains("OK: the bad push stopped at the canary ring.");
    // It says where its files are, and the command it prints checks the audit trail as written.
    java.util.regex.Matcher verify = java.util.regex.Pattern.compile("'ringfence audit verify (\\S+)'").matcher(story);
    assertThat(verify.find()).as(story).isTrue();
    java.io.StringWriter out = new java.io.StringWriter();
    assertThat(dev.ringfence.cli.RingfenceCli.run(new java.io.PrintWriter(out), new java.io.PrintWriter(out), "audit",
        "verify", verify.group(1))).as(out.toString()).isZero();
  }

  @Test
  void run_badOption_isRefusedWithExitCode2() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code = EndToEndDemo.run(new PrintStream(printed, true, StandardCharsets.UTF_8), "--agents", "1");
    assertThat(code).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("agents").contains("outside 2..32");
  }
}
