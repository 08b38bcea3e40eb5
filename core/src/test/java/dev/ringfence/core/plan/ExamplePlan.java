package dev.ringfence.core.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code docs/example-plan.json}, whether the tests run from the core module or the repository root. */
final class ExamplePlan {

  private ExamplePlan() {}

  static Path path() {
    for (Path candidate : new Path[] {Path.of("..", "docs", "example-plan.json"),
        Path.of("docs", "example-plan.json")}) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/example-plan.json not found from " + Path.of("").toAbsolutePath());
  }

  static String json() {
    try {
      return Files.readString(path(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Plan plan() {
    return Plans.fromFile(path());
  }
}
