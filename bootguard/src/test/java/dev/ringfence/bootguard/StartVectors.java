package dev.ringfence.bootguard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The protocol's golden start vectors, {@code docs/protocol/vectors/starts.json}: the files of a state directory
 * before and after each kind of start, as the Java agent's {@code ProtocolVectors} wrote them. Read here with
 * Jackson, in the tests, so the C guard stays free of any JSON code.
 */
final class StartVectors {

  /** From the module's directory, Surefire's working directory. */
  static final Path FILE = Path.of("..", "docs", "protocol", "vectors", "starts.json");

  /** What the start decided: the guard prints it as {@code ACTION SLOT VERSION}. */
  record Result(String action, String slot, long version, int failedStarts) {

    /** The guard's stdout line; {@code -} and 0 when nothing runs. */
    String line() {
      return action + " " + ("none".equals(slot) ? "-" : slot) + " " + version + "\n";
    }

    /** The guard's exit code for this decision (docs/bootguard.md): 10 for a revert, else 0. */
    int exit() {
      return "REVERTED".equals(action) ? 10 : 0;
    }
  }

  /** One start: the directory's text files by relative path, before and after. */
  record Case(String name, String description, Map<String, String> before, Map<String, String> after,
      Result result) {

    @Override
    public String toString() {
      return name;
    }
  }

  private StartVectors() {}

  /** @return the limit every case was made with */
  static int maxFailedStarts() {
    return read().get("maxFailedStarts").asInt();
  }

  /** @return every case, in the file's order */
  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (JsonNode start : read().get("starts")) {
      JsonNode r = start.get("result");
      cases.add(new Case(start.get("name").asText(), start.get("description").asText(), files(start.get("before")),
          files(start.get("after")), new Result(r.get("action").asText(), r.get("slot").asText(),
              r.get("version").asLong(), r.get("failedStarts").asInt())));
    }
    return cases;
  }

  /** @return the case of that name */
  static Case named(String name) {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no start vector named " + name + " in " + FILE));
  }

  /** Writes the files under {@code dir} (created), exactly these bytes. */
  static Path write(Map<String, String> files, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = dir.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
    }
    return dir;
  }

  /** Every regular file under the directory by its relative path with '/', temp files included. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  private static Map<String, String> files(JsonNode node) {
    Map<String, String> files = new TreeMap<>();
    node.properties().forEach(e -> files.put(e.getKey(), e.getValue().asText()));
    return files;
  }

  private static JsonNode read() {
    try {
      return new ObjectMapper().readTree(Files.readAllBytes(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the start vectors " + FILE.toAbsolutePath(), e);
    }
  }
}
