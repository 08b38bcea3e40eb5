package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The file journal on a real full disk: a 256 KiB tmpfs mounted for the test (root only; skipped with a
 * JUnit assumption where {@code mount} is not permitted, e.g. in an unprivileged CI container, where
 * {@link FileJournalDiskFullTest} still covers the same ground in process). A filler file leaves 0, 1, 2, ...
 * pages free, so the disk fills at a different point of {@link DiskFullScenario} in each trial, and the
 * kernel's own {@code ENOSPC} (a short write, then "No space left on device") meets the store.
 */
class TmpfsDiskFullTest {

  private static final int PAGE = 4096;
  private static final int TRIALS = 16;
  private static Path mountPoint;

  @BeforeAll
  static void mountTmpfs() throws IOException {
    mountPoint = Files.createTempDirectory("ringfence-full-disk-");
    String result = run("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "ringfence-full", mountPoint.toString());
    if (result != null) {
      Files.delete(mountPoint);
      mountPoint = null;
    }
    Assumptions.assumeTrue(result == null, () -> "cannot mount a small tmpfs here (" + result + "); the in-process"
        + " FileJournalDiskFullTest covers the full disk instead");
  }

  @AfterAll
  static void unmount() throws IOException {
    if (mountPoint != null) {
      String result = run("umount", mountPoint.toString());
      assertThat(result).as("umount").isNull();
      Files.delete(mountPoint);
    }
  }

  /** @return null if the command succeeded, else what it said */
  private static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + " did not finish";
      }
      return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + output;
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** The tmpfs: a filler file takes what the trial does not leave free. */
  private static final class Tmpfs implements DiskFullScenario.Space {
    private final FullDisk counting = new FullDisk(); // unlimited: counts the kernel's refusals only
    private final Path filler;
    private int fillers;

    Tmpfs(Path filler) {
      this.filler = filler;
    }

    /** Writes filler files until the file system refuses, then frees {@code pages} pages of them. */
    void leaveFree(int pages) {
      fillCompletely();
      try (FileChannel last = FileChannel.open(filler.resolveSibling(filler.getFileName() + "." + fillers),
          StandardOpenOption.WRITE)) {
        last.truncate(Math.max(0, last.size() - (long) pages * PAGE));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public FileJournalStore.FileOpener files() {
      return counting;
    }

    @Override
    public int refusals() {
      return counting.refusals();
    }

    @Override
    public void fillCompletely() {
      fillers++;
      try (FileChannel out = FileChannel.open(filler.resolveSibling(filler.getFileName() + "." + fillers),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer page = ByteBuffer.allocate(PAGE);
        while (true) {
          page.clear();
          out.write(page);
        }
      } catch (IOException e) {
        if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
          throw new UncheckedIOException(e);
        }
      }
    }

    @Override
    public boolean fullToTheByte() {
      return false; // tmpfs allocates pages: an append that fits into a file's last page still succeeds
    }

    @Override
    public void freeAll() {
      try {
        for (int i = 1; i <= fillers; i++) {
          Files.deleteIfExists(filler.resolveSibling(filler.getFileName() + "." + i));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void realFullTmpfs_atEachPageOfTheScenario_noCorruptRecord_engineHolds_goesOnWhenFreed_restartReplaysCleanly()
      throws IOException {
    int filled = 0;
    for (int pages = 0; pages < TRIALS; pages++) {
      Path trialDir = Files.createDirectory(mountPoint.resolve("trial-" + pages));
      Tmpfs disk = new Tmpfs(mountPoint.resolve("filler-" + pages));
      disk.leaveFree(pages);
      DiskFullScenario trial = new DiskFullScenario(trialDir.resolve("journal"), disk, false);
      trial.run();
      disk.freeAll();
      if (trial.filled) {
        filled++;
      }
      deleteTree(trialDir);
    }
    assertThat(filled).as("trials in which the tmpfs filled during the rollout").isGreaterThanOrEqualTo(5);
    System.out.printf("TmpfsDiskFullTest: %d trials on a 256 KiB tmpfs, %d filled during the rollout, 0 torn or"
        + " corrupt records%n", TRIALS, filled);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
