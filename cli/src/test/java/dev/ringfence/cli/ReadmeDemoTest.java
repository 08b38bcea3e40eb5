package dev.ringfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's demo output is what {@code ringfence simulate crowdstrike-2024} prints: numbers nobody typed. */
class ReadmeDemoTest {

  @TempDir Path dir;

  @Test
  void readmeShowsWhatTheDemoPrints() throws Exception {
    StringWriter out = new StringWriter();
    int code = RingfenceCli.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "simulate",
        "crowdstrike-2024", "--out", dir.toString(), "--quiet");
    assertThat(code).isZero();
    String printed = out.toString();
    String summary = printed.substring(0, printed.indexOf("report: ")).strip();
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    assertThat(readme).as("README.md's demo block; regenerate it with ./ringfence simulate crowdstrike-2024")
        .contains("```text\n" + summary + "\n```");
  }
}
