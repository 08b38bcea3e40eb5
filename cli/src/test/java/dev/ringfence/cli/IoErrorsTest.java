package dev.ringfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {

  @Test
  void fileErrors_sayTheFileAndTheReason_once() {
    assertThat(IoErrors.describe(new NoSuchFileException("/tmp/plan.json"))).isEqualTo(
        "/tmp/plan.json: no such file or folder");
    assertThat(IoErrors.describe(new AccessDeniedException("/etc/x"))).isEqualTo("/etc/x: permission denied");
    assertThat(IoErrors.describe(new FileSystemException("/proc/x", null, "Read-only file system")))
        .isEqualTo("/proc/x: read-only file system");
    assertThat(IoErrors.describe(new UncheckedIOException("cannot read plan file /tmp/p.json",
        new NoSuchFileException("/tmp/p.json")))).isEqualTo("cannot read plan file /tmp/p.json: no such file or folder");
    assertThat(IoErrors.describe(new IOException())).isEqualTo("an I/O error (IOException)");
    assertThat(IoErrors.describe(new IllegalStateException("plain"))).isEqualTo("plain");
  }
}
