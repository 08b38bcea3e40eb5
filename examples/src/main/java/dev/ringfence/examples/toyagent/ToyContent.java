package dev.ringfence.examples.toyagent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The toy consumer's content format and its parser, modelled on Channel File 291: each line is
 * {@code rule <name> <v1>;<v2>;...}, and the parser copies the values into a template of
 * {@value #TEMPLATE_FIELDS} fields. A rule with more values than the template reads past its end and
 * throws, as the sensor's content interpreter did with 21 inputs for 20.
 */
public final class ToyContent {

  /** Fields of the parser's template. */
  public static final int TEMPLATE_FIELDS = 20;

  private ToyContent() {}

  /**
   * @param version the release version
   * @param poisoned whether one rule has one field too many
   * @return the content
   */
  public static byte[] generate(long version, boolean poisoned) {
    StringBuilder out = new StringBuilder("# toy detection rules v" + version + "\n");
    for (int rule = 0; rule < 50; rule++) {
      int fields = poisoned && rule == 37 ? TEMPLATE_FIELDS + 1 : TEMPLATE_FIELDS;
      out.append("rule r").append(rule).append(' ');
      for (int f = 0; f < fields; f++) {
        out.append(f == 0 ? "" : ";").append("v").append(version).append('-').append(rule).append('-').append(f);
      }
      out.append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Loads content the way the toy consumer does.
   *
   * @param file the active content
   * @return rules loaded
   * @throws IOException when the file cannot be read
   * @throws ArrayIndexOutOfBoundsException on a rule with more values than the template: the crash
   */
  public static int load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int rules = 0;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(" ", 3);
      String[] values = parts[2].split(";");
      String[] template = new String[TEMPLATE_FIELDS];
      for (int i = 0; i < values.length; i++) {
        template[i] = values[i]; // no bounds check, as in the original interpreter
      }
      rules++;
    }
    return rules;
  }
}
