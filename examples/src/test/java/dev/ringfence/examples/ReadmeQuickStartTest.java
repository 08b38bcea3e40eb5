package dev.ringfence.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start is a complete source file that compiles and runs as printed, and is the code
 * of {@link QuickStart}, which the build compiles too.
 */
class ReadmeQuickStartTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Path QUICK_START = Path.of("src", "main", "java", "dev", "ringfence", "examples",
      "QuickStart.java");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern PUBLIC_CLASS = Pattern.compile("^public\\s+(?:final\\s+)?class\\s+(\\w+)",
      Pattern.MULTILINE);

  @TempDir
  Path temp;

  @Test
  void readmeQuickStart_compiledAsPrintedAndRun_printsADecisionInARingAndTheHealthVerdict() throws Exception {
    String source = String.join("\n", readmeBlockLines()) + "\n"; // exactly as printed, not dedented
    Matcher publicClass = PUBLIC_CLASS.matcher(source);
    assertThat(publicClass.find()).as("the README's quick start declares no public class:%n%s", source).isTrue();
    Matcher packageLine = PACKAGE.matcher(source);
    String className = (packageLine.find() ? packageLine.group(1) + "." : "") + publicClass.group(1);

    Path classes = compile(publicClass.group(1) + ".java", source);
    String printed;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        getClass().getClassLoader())) {
      Class<?> quickStart = Class.forName(className, true, loader);
      assertThat(quickStart.getClassLoader())
          .as("%s must be the class compiled from the README, not one of the same name on the class path", className)
          .isSameAs(loader);
      Method main = quickStart.getMethod("main", String[].class);
      printed = SystemOut.capture(() -> main.invoke(null, (Object) new String[0]));
    }

    assertThat(printed.lines()).hasSize(2);
    assertThat(printed.lines().findFirst().orElseThrow())
        .as("the decision, with its ring")
        .matches("(STAY|OFFER|HOLD)\\(4[12]\\) ring \\d+ '[\\w-]+': .+");
    assertThat(printed.lines().skip(1).findFirst().orElseThrow())
        .as("the health judge's verdict on the open ring")
        .matches("(PASS|FAIL|INCONCLUSIVE): .+");
  }

  @Test
  void readmeQuickStart_comparedWithQuickStartJava_isTheSameFromTheFirstImport() throws IOException {
    String readme = fromFirstImport(String.join("\n", readmeBlockLines()));
    String source = fromFirstImport(Files.readString(QUICK_START, StandardCharsets.UTF_8));

    assertThat(source).isNotBlank();
    assertThat(readme)
        .as("the ```java block under 'Quick start' in README.md must equal %s from its first import on;"
            + " copy it over", QUICK_START)
        .isEqualTo(source);
  }

  @Test
  void compile_sourceWithAnError_failsWithTheCompilerDiagnostics() {
    assertThatThrownBy(() -> compile("Broken.java", "public class Broken {\n  int x = ;\n}\n"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("does not compile as printed")
        .hasMessageContaining("ERROR at line 2: illegal start of expression")
        .hasMessageContaining("> int x = ;");
  }

  @Test
  void dedent_indentedLinesWithBlankEdges_stripsCommonIndentationAndSurroundingBlankLines() {
    assertThat(Snippets.dedent(List.of("", "    a(", "      b);  ", "", "    c;", "  ")))
        .isEqualTo("a(\n  b);\n\nc;");
  }

  private static List<String> readmeBlockLines() throws IOException {
    return Snippets.javaBlockAfterHeading(Files.readAllLines(README, StandardCharsets.UTF_8), "Quick start");
  }

  private static String fromFirstImport(String source) {
    List<String> lines = source.lines().collect(Collectors.toList());
    int first = 0;
    while (first < lines.size() && !lines.get(first).strip().startsWith("import ")) {
      first++;
    }
    return Snippets.dedent(lines.subList(first, lines.size()));
  }

  /** Compiles one source file with the JDK's compiler against the test class path, as strictly as the build. */
  private Path compile(String fileName, String source) throws IOException {
    Path sources = Files.createDirectories(temp.resolve("src"));
    Path classes = Files.createDirectories(temp.resolve("classes"));
    Path file = Files.writeString(sources.resolve(fileName), source, StandardCharsets.UTF_8);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertThat(compiler).as("this test needs a JDK, not a JRE").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
        StandardCharsets.UTF_8)) {
      List<String> options = List.of("--release", "17", "-proc:none", "-Xlint:all", "-Werror",
          "-classpath", System.getProperty("java.class.path"), "-d", classes.toString());
      boolean compiled = compiler.getTask(null, files, diagnostics, options, null,
          files.getJavaFileObjects(file)).call();
      assertThat(compiled)
          .as("the README's quick start does not compile as printed (lines count from the first line inside the"
              + " ```java block):%n%s", describe(diagnostics.getDiagnostics(), source))
          .isTrue();
    }
    return classes;
  }

  private static String describe(List<Diagnostic<? extends JavaFileObject>> diagnostics, String source) {
    List<String> lines = source.lines().collect(Collectors.toList());
    return diagnostics.stream()
        .map(d -> d.getKind() + " at line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)
            + (d.getLineNumber() >= 1 && d.getLineNumber() <= lines.size()
                ? System.lineSeparator() + "  > " + lines.get((int) d.getLineNumber() - 1).strip() : ""))
        .collect(Collectors.joining(System.lineSeparator()));
  }
}
