package dev.ringfence.simulator;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Plans;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads scenario files strictly: unknown fields, duplicate keys, trailing content, a missing field and a
 * value out of range are all refused with {@code file:line:column: field: reason}. Scenarios shipped with
 * Ringfence are read by name ({@code crowdstrike-2024}) from the class path.
 */
public final class ScenarioReader {

  /** The largest scenario file read, in bytes. */
  public static final int MAX_BYTES = 1 << 20;

  /** The shipped scenarios, in the order the documentation lists them. */
  public static final java.util.List<String> SHIPPED = java.util.List.of("crowdstrike-2024", "silent-failure",
      "subtle-regression", "subset-crash", "healthy");

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
      plan = plan(read(planFile), planFile.toString());
    } else {
      plan = plan(scenario.plan().toString().getBytes(StandardCharsets.UTF_8), file + ": plan");
    }
    return new Loaded(scenario, plan, file.toString());
  }

  /**
   * Parses a scenario document.
   *
   * @param json the bytes
   * @param source the file name used in messages
   * @return the scenario
   * @throws InvalidScenarioException naming the line, the field and the reason
   */
  public static Scenario parse(byte[] json, String source) {
    if (json.length > MAX_BYTES) {
      throw new InvalidScenarioException(source + ": " + json.length + " bytes is above the " + MAX_BYTES
          + "-byte limit");
    }
    try {
      Scenario scenario = MAPPER.readValue(json, Scenario.class);
      if (scenario == null) {
        throw new InvalidScenarioException(source + ": is empty; expected a scenario object");
      }
      return scenario;
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String path = path(e);
      String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      return fail(source, e.getLocation(), (path.isEmpty() ? "" : path + ".") + message, e);
    } catch (JsonMappingException e) {
      String path = path(e);
      return fail(source, e.getLocation(), (path.isEmpty() ? "" : path + ": ") + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      return fail(source, e.getLocation(), e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidScenarioException(source + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  private static Plan plan(byte[] json, String source) {
    try {
      return Plans.fromJson(new String(json, StandardCharsets.UTF_8));
    } catch (InvalidPlanException e) {
      throw new InvalidScenarioException(source + ": the plan is invalid: " + String.join("; ", e.problems()), e);
    }
  }

  private static Scenario fail(String source, JsonLocation at, String message, Exception cause) {
    String where = at == null ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
    throw new InvalidScenarioException(where + ": " + message, cause);
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
