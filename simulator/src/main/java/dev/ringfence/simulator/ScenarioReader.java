package dev.ringfence.simulator;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Plans;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Reads scenario files strictly: unknown fields, duplicate keys, trailing content, a missing field and a
 * value out of range are all refused with {@code file:line:column: field: reason}. Scenarios shipped with
 * Ringfence are read by name ({@code crowdstrike-2024}) from the class path.
 */
public final class ScenarioReader {

  /** The largest scenario file read, in bytes. */
  public static final int MAX_BYTES = 1 << 20;

  /** The shipped scenarios, in the order the documentation lists them. */
  public static final List<String> SHIPPED = List.of("crowdstrike-2024", "silent-failure",
      "subtle-regression", "subset-crash", "held-tier-crash", "healthy", "service-regression", "customer-deferral",
      "customer-deferral-healthy");

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .build();

  private ScenarioReader() {}

  /** A scenario with its plan resolved. */
  public record Loaded(Scenario scenario, Plan plan, String source) {}

  /**
   * Loads a scenario by file path, or by the name of a shipped scenario.
   *
   * @param nameOrFile {@code crowdstrike-2024} or {@code path/to/scenario.json}
   * @return the scenario and its plan
   * @throws InvalidScenarioException when it cannot be found, read or used
   */
  public static Loaded load(String nameOrFile) {
    if (SHIPPED.contains(nameOrFile)) {
      String resource = "/scenarios/" + nameOrFile + ".json";
      byte[] bytes = resource(resource);
      Scenario scenario = parse(bytes, resource);
      Plan plan = scenario.plan().isTextual()
          ? plan(resource("/scenarios/" + scenario.plan().asText()), "/scenarios/" + scenario.plan().asText())
          : plan(scenario.plan().toString().getBytes(StandardCharsets.UTF_8), resource + ": plan");
      return new Loaded(scenario, plan, resource);
    }
    Path file = Path.of(nameOrFile);
    byte[] bytes = read(file);
    Scenario scenario = parse(bytes, file.toString());
    Plan plan;
    if (scenario.plan().isTextual()) {
      Path planFile = file.toAbsolutePath().getParent().resolve(scenario.plan().asText());
      if (!Files.isRegularFile(planFile)) {
        // The scenario's field is what is wrong, not the scenario: say so, with where the name was looked for.
        throw new InvalidScenarioException(file + ": plan: '" + scenario.plan().asText() + "' is no file (looked for "
            + planFile + "); name a plan file beside the scenario, or write the plan object inline");
      }
      plan = plan(read(planFile), planFile.toString());
    } else {
      plan = plan(scenario.plan().toString().getBytes(StandardCharsets.UTF_8), file + ": plan");
    }
    return new Loaded(scenario, plan, file.toString());
  }

  /**
   * Parses a scenario document. Every problem is reported at once, each with its place: the document is
   * read as JSON first (a syntax error stops there), then every field is checked against its type and
   * every unknown field named, then each part is built on its own so that each part's own checks speak.
   *
   * @param json the bytes
   * @param source the file name used in messages
   * @return the scenario
   * @throws InvalidScenarioException naming the line, the field and the reason of every problem found
   */
  public static Scenario parse(byte[] json, String source) {
    if (json.length > MAX_BYTES) {
      throw new InvalidScenarioException(source + ": " + json.length + " bytes is above the " + MAX_BYTES
          + "-byte limit");
    }
    JsonNode root;
    Map<String, JsonLocation> where;
    try {
      root = MAPPER.readTree(json);
      where = locations(json);
    } catch (JsonProcessingException e) {
      throw new InvalidScenarioException(at(source, e.getLocation()) + syntax(e), e);
    } catch (IOException e) {
      throw new InvalidScenarioException(source + ": cannot be read (" + e.getMessage() + ")", e);
    }
    if (root == null || root.isMissingNode()) {
      throw new InvalidScenarioException(source + ": is empty; expected a scenario object");
    }
    List<String> problems = new ArrayList<>();
    if (!root.isObject()) {
      problems.add(source + ": must be a JSON object, found " + kind(root));
    } else {
      // Each part whose fields are right is built on its own, so that its own check (a range, a missing
      // field) is reported with the other parts' problems.
      checkFields(root, Scenario.class, "", problems, where, source, (name, part, type) -> {
        if (type.isRecord()) {
          bind(part, MAPPER.constructType(type), name, problems, where, source);
        }
      });
    }
    if (problems.isEmpty()) {
      Scenario scenario = bind(root, MAPPER.constructType(Scenario.class), "", problems, where, source);
      if (scenario != null) {
        return scenario;
      }
    }
    throw new InvalidScenarioException(problems.size() == 1 ? problems.get(0)
        : source + ": " + problems.size() + " problems:\n  " + String.join("\n  ", problems), problems);
  }

  /** Told of each field of an object whose value, all the way down, has the right JSON types. */
  @FunctionalInterface
  private interface CleanField {
    void found(String name, JsonNode value, Class<?> type);
  }

  private static void checkFields(JsonNode node, Class<?> type, String path, List<String> problems,
      Map<String, JsonLocation> where, String source) {
    checkFields(node, type, path, problems, where, source, (name, value, t) -> { });
  }

  /** Names every unknown field and every value of the wrong JSON type under {@code node}, recursively. */
  private static void checkFields(JsonNode node, Class<?> type, String path, List<String> problems,
      Map<String, JsonLocation> where, String source, CleanField clean) {
    Map<String, RecordComponent> components = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      components.put(c.getName(), c);
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String at = join(path, field.getKey());
      RecordComponent component = components.get(field.getKey());
      if (component == null) {
        problems.add(place(source, where, at) + at + ": unknown field; known fields are " + components.keySet());
        continue;
      }
      int before = problems.size();
      checkValue(field.getValue(), component.getGenericType(), at, problems, where, source);
      if (problems.size() == before && !field.getValue().isNull()) {
        clean.found(at, field.getValue(), component.getType());
      }
    }
  }

  private static void checkValue(JsonNode value, Type type, String at, List<String> problems,
      Map<String, JsonLocation> where, String source) {
    if (value.isNull()) {
      return; // the part's own check says whether it may be absent
    }
    JavaType javaType = MAPPER.constructType(type);
    Class<?> raw = javaType.getRawClass();
    if (raw.isRecord()) {
      if (!value.isObject()) {
        problems.add(place(source, where, at) + at + ": must be an object, found " + kind(value));
      } else {
        checkFields(value, raw, at, problems, where, source);
      }
    } else if (List.class.isAssignableFrom(raw)) {
      if (!value.isArray()) {
        problems.add(place(source, where, at) + at + ": must be an array, found " + kind(value));
      } else {
        for (int i = 0; i < value.size(); i++) {
          checkValue(value.get(i), javaType.getContentType(), at + "[" + i + "]", problems, where, source);
        }
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      if (!value.isObject()) {
        problems.add(place(source, where, at) + at + ": must be an object, found " + kind(value));
      } else {
        for (Map.Entry<String, JsonNode> e : value.properties()) {
          checkValue(e.getValue(), javaType.getContentType(), at + "." + e.getKey(), problems, where, source);
        }
      }
    } else if (!JsonNode.class.isAssignableFrom(raw)) {
      String wanted = wanted(raw);
      boolean fits = raw == String.class ? value.isTextual()
          : raw == Boolean.class ? value.isBoolean()
          : raw == Integer.class || raw == Long.class ? value.isIntegralNumber() && value.canConvertToLong()
              && (raw == Long.class || value.canConvertToInt())
          : raw == Double.class ? value.isNumber() : true;
      if (!fits) {
        problems.add(place(source, where, at) + at + ": must be " + wanted + ", found " + kind(value));
      }
    }
  }

  private static String wanted(Class<?> raw) {
    if (raw == String.class) {
      return "a string";
    }
    if (raw == Boolean.class) {
      return "true or false";
    }
    if (raw == Integer.class || raw == Long.class) {
      return "a whole number" + (raw == Integer.class ? " up to " + Integer.MAX_VALUE : "");
    }
    return "a number";
  }

  private static String kind(JsonNode value) {
    if (value.isTextual()) {
      return "a string";
    }
    if (value.isIntegralNumber()) {
      return "the whole number " + value.asText();
    }
    if (value.isNumber()) {
      return "the number " + value.asText();
    }
    if (value.isBoolean()) {
      return value.asText();
    }
    return value.isArray() ? "an array" : value.isObject() ? "an object" : "null";
  }

  /** Builds one part; its own check's refusal becomes a problem at the field it names. */
  private static <T> @Nullable T bind(JsonNode node, JavaType type, String path, List<String> problems,
      Map<String, JsonLocation> where, String source) {
    try {
      T value = MAPPER.treeToValue(node, type);
      if (value == null) {
        problems.add(place(source, where, path) + (path.isEmpty() ? "" : path + ": ") + "is empty");
      }
      return value;
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String base = join(path, path(e));
      List<String> messages = cause instanceof PartChecks.Problems several ? several.problems
          : List.of(cause.getMessage() == null ? cause.toString() : cause.getMessage());
      for (String message : messages) {
        String field = message.contains(": ") ? message.substring(0, message.indexOf(": ")) : "";
        String at = field.isEmpty() || field.contains(" ") ? base : join(base, field);
        problems.add(place(source, where, at) + (base.isEmpty() ? "" : base + ".") + message);
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      // Types and fields were checked above: what is left is a value no part accepts as it is.
      String at = e instanceof JsonMappingException ? join(path, path((JsonMappingException) e)) : path;
      problems.add(place(source, where, at) + (at.isEmpty() ? "" : at + ": ") + "is not a valid value");
    }
    return null;
  }

  private static String join(String path, String field) {
    if (path.isEmpty()) {
      return field;
    }
    if (field.isEmpty()) {
      return path;
    }
    return field.startsWith("[") ? path + field : path + "." + field;
  }

  /** {@code file:line:column: } of a path, or of its nearest parent the file has a place for. */
  private static String place(String source, Map<String, JsonLocation> where, String path) {
    String p = path;
    while (true) {
      JsonLocation at = where.get(p);
      if (at != null) {
        return at(source, at);
      }
      if (p.isEmpty()) {
        return source + ": ";
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
  }

  private static String at(String source, @Nullable JsonLocation at) {
    return at == null ? source + ": " : source + ":" + at.getLineNr() + ":" + at.getColumnNr() + ": ";
  }

  /** Where each value starts, by its path ({@code fleet.outages[0].share}); the root is {@code ""}. */
  private static Map<String, JsonLocation> locations(byte[] json) throws IOException {
    Map<String, JsonLocation> where = new HashMap<>();
    try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
      Deque<String> paths = new ArrayDeque<>();
      Deque<Integer> indexes = new ArrayDeque<>();
      paths.push("");
      indexes.push(-1);
      String pending = null;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.FIELD_NAME) {
          pending = join(paths.peek(), parser.currentName());
          continue;
        }
        if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
          paths.pop();
          indexes.pop();
          continue;
        }
        String path;
        if (pending != null) {
          path = pending;
          pending = null;
        } else if (indexes.peek() >= 0) {
          int i = indexes.pop();
          indexes.push(i + 1);
          path = paths.peek() + "[" + i + "]";
        } else {
          path = paths.peek();
        }
        where.putIfAbsent(path, parser.currentTokenLocation());
        if (token == JsonToken.START_OBJECT) {
          paths.push(path);
          indexes.push(-1);
        } else if (token == JsonToken.START_ARRAY) {
          paths.push(path);
          indexes.push(0);
        }
      }
    }
    return where;
  }

  /** A syntax problem in this project's words. */
  private static String syntax(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (original.startsWith("Duplicate field '")) {
      String name = original.substring("Duplicate field '".length(), original.indexOf('\'', 17));
      return name + ": appears twice; write each field once";
    }
    if (original.startsWith("Trailing token")) {
      return "content after the scenario object; a file holds one scenario";
    }
    if (original.startsWith("Unexpected end-of-input")) {
      return "the file ends inside a value: a closing brace, bracket or quote is missing";
    }
    // The parser's own description of the character it did not expect, without its class and feature names.
    String first = original.split("\n")[0].replaceAll("\\s*\\(for [^)]*\\)", "");
    return "not valid JSON: " + first.replaceAll("JsonParser\\.Feature\\.\\w+|`[^`]*`", "").strip();
  }

  private static Plan plan(byte[] json, String source) {
    try {
      return Plans.fromJson(new String(json, StandardCharsets.UTF_8));
    } catch (InvalidPlanException e) {
      throw new InvalidScenarioException(source + ": the plan is invalid: " + String.join("; ", e.problems()), e);
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  private static byte[] read(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new InvalidScenarioException(file + ": " + Files.size(file) + " bytes is above the " + MAX_BYTES
            + "-byte limit");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidScenarioException(file + ": no such file; name a scenario file or one of " + SHIPPED, e);
    } catch (IOException e) {
      throw new InvalidScenarioException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The bytes of a file shipped with the simulator, for tools that derive scenarios from the shipped ones.
   *
   * @param name e.g. {@code "healthy.json"} or {@code "content-rings-plan.json"}
   * @return its bytes
   * @throws InvalidScenarioException if no such file is shipped
   */
  public static byte[] shippedFile(String name) {
    return resource("/scenarios/" + name);
  }

  private static byte[] resource(String name) {
    try (InputStream in = ScenarioReader.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new InvalidScenarioException(name + ": missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new InvalidScenarioException(name + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }
}
