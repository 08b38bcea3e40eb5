package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The file journal's delivery cursors: one small JSON file per sink, {@code <data>/notifications/<sink>.cursor.json}
 * ({@code {"sink": ..., "line": n}}), rewritten whole or not at all (temp file, fsync, atomic rename) after each
 * answered event, so a restart resumes after the last event the receiver took: none skipped, and at most the one
 * in flight at a crash sent again. One process owns a file journal, so the lease is always its own.
 */
final class FileNotificationCursors implements NotificationCursors {

  private final Path directory;
  private final Map<String, Long> cursors = new HashMap<>();

  FileNotificationCursors(Path directory) {
    this.directory = directory;
  }

  private Path file(String sink) {
    return directory.resolve(sink + ".cursor.json"); // a sink's name is [A-Za-z0-9._-]{1,64}
  }

  @Override
  public synchronized OptionalLong claim(String sink, long initial, String owner, Instant now, Duration lease) {
    Long known = cursors.get(sink);
    if (known != null) {
      return OptionalLong.of(known);
    }
    Path file = file(sink);
    long line;
    try {
      if (Files.exists(file)) {
        JsonNode root = ServerJson.MAPPER.readTree(file.toFile());
        JsonNode value = root == null ? null : root.get("line");
        if (value == null || !value.canConvertToLong() || value.asLong() < 0) {
          throw new StoreException("notification cursor " + file + " holds no line number; delete it to start the"
              + " sink '" + sink + "' at the journal's end");
        }
        line = value.asLong();
      } else {
        line = initial;
        write(sink, line);
      }
    } catch (IOException e) {
      throw new StoreException("cannot read notification cursor " + file + ": " + e.getMessage(), e);
    }
    cursors.put(sink, line);
    return OptionalLong.of(line);
  }

  @Override
  public synchronized boolean advance(String sink, String owner, long line, Instant now, Duration lease) {
    Long known = cursors.get(sink);
    if (known == null || line <= known) {
      return true;
    }
    try {
      write(sink, line);
    } catch (IOException e) {
      throw new StoreException("cannot write notification cursor " + file(sink) + ": " + e.getMessage(), e);
    }
    cursors.put(sink, line);
    return true;
  }

  @Override
  public void release(String sink, String owner) {
    // one process, one owner: nothing to hand over
  }

  private void write(String sink, long line) throws IOException {
    ObjectNode root = ServerJson.MAPPER.createObjectNode().put("sink", sink).put("line", line);
    SecureFiles.write(file(sink), ServerJson.MAPPER.writeValueAsBytes(root), false);
  }
}
