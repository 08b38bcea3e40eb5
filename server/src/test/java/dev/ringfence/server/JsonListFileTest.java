package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data folder's list files (tokens, stop-all, customer deferrals): read whole, written whole, damage named. */
class JsonListFileTest {

  @TempDir
  Path dir;

  @Test
  void missingFile_readsAsNoRecords_andAWrittenListReadsBackInOrder() throws IOException {
    Path file = dir.resolve("stop-all.json");
    assertThat(FileStopAllRecords.open(file).events()).isEmpty();

    FileStopAllRecords records = FileStopAllRecords.open(file);
    Instant at = Instant.parse("2026-12-05T10:00:00Z");
    records.append(new StopAllRecords.Event(true, "alice", "incident 42", at));
    records.append(new StopAllRecords.Event(false, "bob", "fixed", at.plusSeconds(60)));

    assertThat(FileStopAllRecords.open(file).events()).containsExactly(
        new StopAllRecords.Event(true, "alice", "incident 42", at),
        new StopAllRecords.Event(false, "bob", "fixed", at.plusSeconds(60)));
  }

  @Test
  void damagedFile_stopsTheStart_namingTheFileWhatWentWrongAndHowToRecover() throws IOException {
    Path file = dir.resolve("stop-all.json");
    Files.writeString(file, "{\"events\": [{\"action\": \"stop\", \"actor\": \"alice\"}]}", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> FileStopAllRecords.open(file)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("stop-all file " + file + " is not what this server wrote (")
        .hasMessageEndingWith("); restore it, or move it away to start with the switch off");
  }

  @Test
  void ownerOnlyLists_areWrittenMode0600() throws IOException {
    Path file = dir.resolve("list.json");
    JsonListFile.write(file, "items", java.util.List.of("a", "b"), (o, s) -> o.put("name", s), true);

    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(JsonListFile.read("list file", file, "items", n -> n.get("name").asText(), "restore it"))
        .containsExactly("a", "b");
  }
}
