package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A list of records kept in one JSON file of the data folder, {@code {"<key>": [record, ...]}}: read whole at start
 * and written whole or not at all ({@link SecureFiles#write}), so a crash leaves the list as it was or as it was
 * set. The file-journal mode's tokens, stop-all switch and customer deferrals each live in one.
 */
final class JsonListFile {

  private JsonListFile() {}

  /**
   * Reads the records, or none when the file does not exist.
   *
   * @param what what the file is, for messages, e.g. {@code token file}
   * @param file the file
   * @param key the field holding the list
   * @param parse reads one record; any runtime exception it throws means the file is damaged
   * @param damaged what to say of a damaged file, after its name and the problem: how to recover
   * @param <T> the record type
   * @return the records in the file's order
   * @throws IOException when the file cannot be read or is not what this server wrote
   */
  static <T> List<T> read(String what, Path file, String key, Function<JsonNode, T> parse, String damaged) throws IOException {
    List<T> records = new ArrayList<>();
    if (!Files.exists(file)) {
      return records;
    }
    try {
      for (JsonNode node : ServerJson.MAPPER.readTree(file.toFile()).path(key)) {
        records.add(parse.apply(node));
      }
    } catch (RuntimeException e) {
      throw new IOException(what + " " + file + " is not what this server wrote (" + e.getMessage() + "); " + damaged, e);
    }
    return records;
  }

  /**
   * Replaces the file with these records.
   *
   * @param file the file
   * @param key the field holding the list
   * @param records the records, in order
   * @param fill writes one record's fields into its object
   * @param ownerOnly whether the file must be readable by its owner only (mode 0600)
   * @param <T> the record type
   * @throws UncheckedIOException when the file cannot be written; it is then unchanged
   */
  static <T> void write(Path file, String key, List<T> records, BiConsumer<ObjectNode, T> fill, boolean ownerOnly) {
    ObjectNode root = ServerJson.MAPPER.createObjectNode();
    ArrayNode list = root.putArray(key);
    for (T record : records) {
      fill.accept(list.addObject(), record);
    }
    try {
      SecureFiles.write(file, ServerJson.PRETTY.writeValueAsBytes(root), ownerOnly);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
