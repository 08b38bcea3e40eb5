package dev.ringfence.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@link StopAllRecords} in one file of the data folder ({@code stop-all.json}), every stop and lift in order,
 * written whole or not at all ({@link SecureFiles#write}), so a crash leaves the switch as it was or as it was
 * set: a restart keeps refusing new rollouts until someone lifts it.
 */
final class FileStopAllRecords implements StopAllRecords {

  // Refusing to start is safer than starting unfrozen when the file said otherwise: a damaged file stops the start.
  private static final JsonListFile.Format<Event> FORMAT = new JsonListFile.Format<>("stop-all file", "events",
      e -> new Event(e.get("action").asText().equals("stop"), e.get("actor").asText(), e.get("reason").asText(),
          Instant.parse(e.get("at").asText())),
      (o, e) -> o.put("action", e.stop() ? "stop" : "lift").put("actor", e.actor()).put("reason", e.reason())
          .put("at", e.at().toString()),
      false, "restore it, or move it away to start with the switch off");

  private final JsonListFile<Event> events;

  /**
   * @param file the switch's file; created at the first stop
   * @throws IOException when the file cannot be read or is not well-formed
   */
  FileStopAllRecords(Path file) throws IOException {
    this.events = JsonListFile.open(file, FORMAT);
  }

  @Override
  public synchronized Optional<Event> append(Event event) {
    Optional<Event> latest = latest();
    boolean stopped = latest.isPresent() && latest.get().stop();
    if (event.stop() == stopped) {
      return latest;
    }
    events.add(event);
    return Optional.of(event);
  }

  @Override
  public synchronized Optional<Event> latest() {
    List<Event> all = events.records();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  @Override
  public synchronized List<Event> events() {
    return List.copyOf(events.records());
  }
}
