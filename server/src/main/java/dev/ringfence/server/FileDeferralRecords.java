package dev.ringfence.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@link DeferralRecords} in one file of the data folder ({@code deferrals.json}), every change in order, written
 * whole or not at all ({@link SecureFiles#write}), so a crash leaves the policies as they were or as they were set.
 */
final class FileDeferralRecords implements DeferralRecords {

  // Starting without the customers' deferrals would send them releases they asked to wait for: a damaged file
  // stops the start.
  private static final JsonListFile.Format<Change> FORMAT = new JsonListFile.Format<>("deferrals file", "changes",
      c -> new Change(c.get("seq").asLong(), c.get("channel").asText(), c.get("deferrals").toString(),
          c.get("actor").asText(), Instant.parse(c.get("at").asText())),
      (o, c) -> {
        o.put("seq", c.seq()).put("channel", c.channel());
        try {
          o.set("deferrals", ServerJson.MAPPER.readTree(c.policyJson()));
        } catch (IOException e) {
          throw new UncheckedIOException("deferrals of channel " + c.channel() + ": " + e.getMessage(), e);
        }
        o.put("actor", c.actor()).put("at", c.at().toString());
      },
      false, "restore it, or move it away to start without customer deferrals");

  private final JsonListFile<Change> changes;

  /**
   * @param file the policies' file; created at the first change
   * @throws IOException when the file cannot be read or is not well-formed
   */
  FileDeferralRecords(Path file) throws IOException {
    this.changes = JsonListFile.open(file, FORMAT);
  }

  @Override
  public synchronized void appendDeferral(String channel, String policyJson, String actor, Instant at) {
    List<Change> all = changes.records();
    changes.add(new Change(all.isEmpty() ? 1 : all.get(all.size() - 1).seq() + 1, channel, policyJson, actor, at));
  }

  @Override
  public synchronized List<Change> deferralsAfter(long seq) {
    return changes.records().stream().filter(c -> c.seq() > seq).toList();
  }
}
