package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A list of records kept in one JSON file of the data folder, {@code {"<key>": [record, ...]}}: read whole when
 * opened and written whole or not at all ({@link SecureFiles#write}), so a crash leaves the list as it was or as it
 * was set; the list in memory changes only after its file has. The file-journal mode's tokens, stop-all switch and
 * customer deferrals each live in one. Not thread-safe: its owner synchronizes.
 *
 * @param <T> the record type
 */
final class JsonListFile<T> {

  /**
   * How one kind of list file is read and written.
   *
   * @param what what the file is, for messages, e.g. {@code token file}
   * @param key the field holding the list
   * @param parse reads one record; any runtime exception it throws means the file is damaged
   * @param fill writes one record's fields into its object
   * @param ownerOnly whether the file must be readable by its owner only (mode 0600)
   * @param damaged what to say of a damaged file, after its name and the problem: how to recover
   * @param <T> the record type
   */
  record Format<T>(String what, String key, Function<JsonNode, T> parse, BiConsumer<ObjectNode, T> fill,
      boolean ownerOnly, String damaged) {}

  private final Path file;
  private final Format<T> format;
  private final List<T> records;

  private JsonListFile(Path file, Format<T> format, List<T> records) {
    this.file = file;
    this.format = format;
    this.records = records;
  }

  /**
   * Reads the records, or none when the file does not exist (it is created at the first write).
   *
   * @param file the file
   * @param format how it is read and written
   * @param <T> the record type
   * @return the list, in the file's order
   * @throws IOException when the file cannot be read or is not what this server wrote
   */
  static <T> JsonListFile<T> open(Path file, Format<T> format) throws IOException {
    List<T> records = new ArrayList<>();
    if (Files.exists(file)) {
      try {
        for (JsonNode node : ServerJson.MAPPER.readTree(file.toFile()).path(format.key())) {
          records.add(format.parse().apply(node));
        }
      } catch (RuntimeException e) {
        throw new IOException(format.what() + " " + file + " is not what this server wrote (" + e.getMessage() + "); "
            + format.damaged(), e);
      }
    }
    return new JsonListFile<>(file, format, records);
  }

  /** @return the records, in order; a read-only view */
  List<T> records() {
    return Collections.unmodifiableList(records);
  }

  /**
   * Appends a record: the file first, then the list.
   *
   * @param record the record
   * @throws UncheckedIOException when the file cannot be written; then neither it nor the list has changed
   */
  void add(T record) {
    List<T> next = new ArrayList<>(records);
    next.add(record);
    replace(next);
  }

  /**
   * Replaces the records: the file first, then the list.
   *
   * @param next the records, in order
   * @throws UncheckedIOException when the file cannot be written; then neither it nor the list has changed
   */
  void replace(List<T> next) {
    ObjectNode root = ServerJson.MAPPER.createObjectNode();
    ArrayNode list = root.putArray(format.key());
    for (T record : next) {
      format.fill().accept(list.addObject(), record);
    }
    try {
      SecureFiles.write(file, ServerJson.PRETTY.writeValueAsBytes(root), format.ownerOnly());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    records.clear();
    records.addAll(next);
  }
}
