package dev.ringfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulation that does not fit in the heap says so in one line, with a heap that would fit, and exits 1: no stack
 * trace. Run in a child JVM whose heap is far too small for the fleet asked for.
 */
class SimulateOutOfMemoryTest {

  @TempDir
  Path dir;

  @Test
  void aFleetThatDoesNotFit_isOneLineNamingTheHeapToGive_andExit1() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path stderr = dir.resolve("stderr.txt");
    Process child = new ProcessBuilder(List.of(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
        RingfenceCli.class.getName(), "simulate", "crowdstrike-2024", "--endpoints", "5000000", "--quiet", "--out",
        dir.resolve("out").toString()))
        .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(stderr.toFile()).start();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child ends by itself").isTrue();

    String err = Files.readString(stderr, StandardCharsets.UTF_8).strip();
    assertThat(child.exitValue()).as(err).isEqualTo(1);
    assertThat(err.lines()).as(err).hasSize(1);
    assertThat(err).startsWith("ringfence simulate: 5,000,000 endpoints do not fit in this run's heap (")
        .contains("JAVA_OPTS=-Xmx8g").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void theHeapToGive_growsWithTheFleet() {
    assertThat(SimulateCommand.outOfMemory(10_000_000, 2L << 30)).contains("10,000,000 endpoints")
        .contains("(2,048 MB)").contains("JAVA_OPTS=-Xmx14g");
    assertThat(SimulateCommand.outOfMemory(100_000, 64L << 20)).contains("JAVA_OPTS=-Xmx2g");
  }
}
