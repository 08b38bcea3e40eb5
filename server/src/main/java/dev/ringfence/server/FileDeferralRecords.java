package dev.ringfence.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link DeferralRecords} in one file of the data folder ({@code deferrals.json}), every change in order, written
 * whole or not at all ({@link SecureFiles#write}), so a crash leaves the policies as they were or as they were set.
 */
final class FileDeferralRecords implements DeferralRecords {

  private final Path file;
  private final List<Change> changes = new ArrayList<>();

  private FileDeferralRecords(Path file) {
    this.file = file;
  }

  /**
   * @param file the policies' file; created at the first change
   * @return the records in it
   * @throws IOException when the file cannot be read or is not well-formed
   */
  static FileDeferralRecords open(Path file) throws IOException {
    FileDeferralRecords records = new FileDeferralRecords(file);
    // Starting without the customers' deferrals would send them releases they asked to wait for.
    records.changes.addAll(JsonListFile.read("deferrals file", file, "changes", c -> new Change(c.get("seq").asLong(),
        c.get("channel").asText(), c.get("deferrals").toString(), c.get("actor").asText(),
        Instant.parse(c.get("at").asText())), "restore it, or move it away to start without customer deferrals"));
    return records;
  }

  @Override
  public synchronized void appendDeferral(String channel, String policyJson, String actor, Instant at) {
    List<Change> next = new ArrayList<>(changes);
    next.add(new Change(changes.isEmpty() ? 1 : changes.get(changes.size() - 1).seq() + 1, channel, policyJson, actor,
        at));
    JsonListFile.write(file, "changes", next, (o, c) -> {
      o.put("seq", c.seq()).put("channel", c.channel());
      try {
        o.set("deferrals", ServerJson.MAPPER.readTree(c.policyJson()));
      } catch (IOException e) {
        throw new UncheckedIOException("deferrals of channel " + c.channel() + ": " + e.getMessage(), e);
      }
      o.put("actor", c.actor()).put("at", c.at().toString());
    }, false);
    changes.clear();
    changes.addAll(next);
  }

  @Override
  public synchronized List<Change> deferralsAfter(long seq) {
    return changes.stream().filter(c -> c.seq() > seq).toList();
  }
}
