package dev.ringfence.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's quick start is the code of {@link QuickStart}, which the build compiles and runs. */
class ReadmeQuickStartTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Path QUICK_START = Path.of("src", "main", "java", "dev", "ringfence", "examples",
      "QuickStart.java");

  @Test
  void readmeQuickStartIsTheCompiledQuickStart() throws IOException {
    String readme = Snippets.dedent(Snippets.javaBlockAfterHeading(
        Files.readAllLines(README, StandardCharsets.UTF_8), "Quick start"));
    String source = Snippets.dedent(Snippets.between(
        Files.readAllLines(QUICK_START, StandardCharsets.UTF_8), "// README:start", "// README:end"));

    assertThat(source).isNotBlank();
    assertThat(readme)
        .as("the ```java block under 'Quick start' in README.md must equal the code between // README:start and"
            + " // README:end in %s; copy it over", QUICK_START)
        .isEqualTo(source);
  }

  @Test
  void dedentStripsCommonIndentationAndSurroundingBlankLines() {
    assertThat(Snippets.dedent(List.of("", "    a(", "      b);  ", "", "    c;", "  ")))
        .isEqualTo("a(\n  b);\n\nc;");
  }
}
