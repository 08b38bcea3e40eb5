package dev.ringfence.core.plan;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads and writes plans as JSON.
 *
 * <p>Reading is strict: unknown fields, duplicate keys, wrong types and out-of-range values are all
 * refused, and every problem in the document is reported at once in one {@link
 * InvalidPlanException}, each with its JSON path. A typo must never silently weaken a plan.
 */
public final class Plans {

  /** The largest plan document accepted, in bytes. */
  public static final int MAX_DOCUMENT_BYTES = 1 << 20;

  private Plans() {}

  /**
   * Parses and validates a plan.
   *
   * @param json the plan document
   * @return the plan
   * @throws InvalidPlanException listing every problem found
   */
  public static Plan fromJson(String json) {
    if (json == null) {
      throw new InvalidPlanException(List.of("$: the plan document is null"));
    }
    return PlanJsonReader.read(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses and validates a plan from a stream (read to its end, at most {@link #MAX_DOCUMENT_BYTES}).
   *
   * @param in the plan document, UTF-8
   * @return the plan
   * @throws InvalidPlanException listing every problem found
   * @throws UncheckedIOException if the stream cannot be read
   */
  public static Plan fromJson(InputStream in) {
    try {
      byte[] bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
      return PlanJsonReader.read(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read plan document", e);
    }
  }

  /**
   * Parses and validates a plan file.
   *
   * @param file the plan file, UTF-8 JSON
   * @return the plan
   * @throws InvalidPlanException listing every problem found
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Plan fromFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return fromJson(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read plan file " + file, e);
    }
  }

  /**
   * Writes a plan as pretty-printed JSON that {@link #fromJson(String)} reads back to an equal plan.
   *
   * @param plan the plan
   * @return the JSON document
   */
  public static String toJson(Plan plan) {
    return PlanJsonWriter.write(plan);
  }
}
