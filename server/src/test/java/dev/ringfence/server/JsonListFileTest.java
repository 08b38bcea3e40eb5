package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data folder's list files (tokens, stop-all, customer deferrals): read whole, written whole, damage named. */
class JsonListFileTest {

  @TempDir
  Path dir;

  @Test
  void missingFile_readsAsNoRecords_andAWrittenListReadsBackInOrder() throws IOException {
    Path file = dir.resolve("stop-all.json");
    assertThat(new FileStopAllRecords(file).events()).isEmpty();

    FileStopAllRecords records = new FileStopAllRecords(file);
    Instant at = Instant.parse("2026-12-05T10:00:00Z");
    records.append(new StopAllRecords.Event(true, "alice", "incident 42", at));
    records.append(new StopAllRecords.Event(false, "bob", "fixed", at.plusSeconds(60)));

    assertThat(new FileStopAllRecords(file).events()).containsExactly(
        new StopAllRecords.Event(true, "alice", "incident 42", at),
        new StopAllRecords.Event(false, "bob", "fixed", at.plusSeconds(60)));
  }

  @Test
  void damagedFile_stopsTheStart_namingTheFileWhatWentWrongAndHowToRecover() throws IOException {
    Path file = dir.resolve("stop-all.json");
    Files.writeString(file, "{\"events\": [{\"action\": \"stop\", \"actor\": \"alice\"}]}", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> new FileStopAllRecords(file)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("stop-all file " + file + " is not what this server wrote (")
        .hasMessageEndingWith("); restore it, or move it away to start with the switch off");
  }

  @Test
  void ownerOnlyLists_areWrittenMode0600() throws IOException {
    Path file = dir.resolve("list.json");
    JsonListFile.Format<String> format = new JsonListFile.Format<>("list file", "items", n -> n.get("name").asText(),
        (o, s) -> o.put("name", s), true, "restore it");
    JsonListFile.open(file, format).replace(List.of("a", "b"));

    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(JsonListFile.open(file, format).records()).containsExactly("a", "b");
  }

  @Test
  void aFailedWrite_changesNeitherTheFileNorTheList() throws IOException {
    Path file = dir.resolve("list.json");
    JsonListFile.Format<String> format = new JsonListFile.Format<>("list file", "items", n -> n.get("name").asText(),
        (o, s) -> o.put("name", s), false, "restore it");
    JsonListFile<String> list = JsonListFile.open(file, format);
    list.add("a");
    byte[] before = Files.readAllBytes(file);

    // A record that cannot be written stops the write as a full disk would, before anything is replaced.
    JsonListFile.Format<String> unwritable = new JsonListFile.Format<>("list file", "items",
        n -> n.get("name").asText(), (o, s) -> {
          throw new UncheckedIOException(new IOException("disk full"));
        }, false, "restore it");
    JsonListFile<String> broken = JsonListFile.open(file, unwritable);
    assertThatThrownBy(() -> broken.add("b")).isInstanceOf(UncheckedIOException.class);

    assertThat(broken.records()).containsExactly("a");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(list.records()).containsExactly("a");
  }
}
