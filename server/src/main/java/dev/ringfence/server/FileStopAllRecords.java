package dev.ringfence.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link StopAllRecords} in one file of the data folder ({@code stop-all.json}), every stop and lift in order,
 * written whole or not at all ({@link SecureFiles#write}), so a crash leaves the switch as it was or as it was
 * set: a restart keeps refusing new rollouts until someone lifts it.
 */
final class FileStopAllRecords implements StopAllRecords {

  private final Path file;
  private final List<Event> events = new ArrayList<>();

  private FileStopAllRecords(Path file) {
    this.file = file;
  }

  /**
   * @param file the switch's file; created at the first stop
   * @return the records in it
   * @throws IOException when the file cannot be read or is not well-formed
   */
  static FileStopAllRecords open(Path file) throws IOException {
    FileStopAllRecords records = new FileStopAllRecords(file);
    // Refusing to start is safer than starting unfrozen when the file said otherwise.
    records.events.addAll(JsonListFile.read("stop-all file", file, "events", e -> new Event(e.get("action").asText().equals("stop"),
        e.get("actor").asText(), e.get("reason").asText(), Instant.parse(e.get("at").asText())),
        "restore it, or move it away to start with the switch off"));
    return records;
  }

  @Override
  public synchronized Optional<Event> append(Event event) {
    Optional<Event> latest = latest();
    boolean stopped = latest.isPresent() && latest.get().stop();
    if (event.stop() == stopped) {
      return latest;
    }
    List<Event> next = new ArrayList<>(events);
    next.add(event);
    JsonListFile.write(file, "events", next, (o, e) -> o.put("action", e.stop() ? "stop" : "lift")
        .put("actor", e.actor()).put("reason", e.reason()).put("at", e.at().toString()), false);
    events.add(event);
    return Optional.of(event);
  }

  @Override
  public synchronized Optional<Event> latest() {
    return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
  }

  @Override
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }
}
