package dev.ringfence.agent.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * {@link FileOps} over the real file system that counts every step (each chunk written, each force,
 * rename, directory sync and deletion) and can fail at a chosen step: as a full disk (an
 * {@link IOException}, the partial data stays) or as a crash (a {@link SimulatedCrash}, nothing after it
 * runs). A write interrupted inside a chunk leaves half of that chunk on disk: a torn write.
 */
final class FaultyFileOps implements FileOps {

  /** Thrown at the crash step; the agent never catches it, like a power cut. */
  static final class SimulatedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String message) {
      super(message);
    }
  }

  /** What happens at the fault step. */
  enum Fault { NONE, DISK_FULL, CRASH }

  /** Called at every step with its number (1-based); used by the kill -9 child to stop at a step. */
  interface StepListener {
    void atStep(long step, String what);
  }

  private final FileOps real = RealFileOps.INSTANCE;
  private long steps;
  private long faultAt = Long.MAX_VALUE;
  private Fault fault = Fault.NONE;
  private boolean diskFullStays;
  private StepListener listener = (step, what) -> { };
  private boolean force = true;

  /**
   * Skips the real fsyncs (still counting them as steps). A simulated crash loses nothing the page cache
   * holds, so in-process tests need no device flush; the kill -9 child keeps them.
   */
  FaultyFileOps withoutFsync() {
    this.force = false;
    return this;
  }

  /** Fails every step from {@code step} on with a full disk. */
  FaultyFileOps diskFullFrom(long step) {
    this.faultAt = step;
    this.fault = Fault.DISK_FULL;
    this.diskFullStays = true;
    return this;
  }

  /** Crashes at {@code step}. */
  FaultyFileOps crashAt(long step) {
    this.faultAt = step;
    this.fault = Fault.CRASH;
    return this;
  }

  FaultyFileOps listener(StepListener stepListener) {
    this.listener = stepListener;
    return this;
  }

  /** Stops injecting faults. */
  FaultyFileOps heal() {
    this.fault = Fault.NONE;
    this.faultAt = Long.MAX_VALUE;
    return this;
  }

  long steps() {
    return steps;
  }

  /** @return true if this step must fail; throws for a crash */
  private boolean step(String what) throws IOException {
    steps++;
    listener.atStep(steps, what);
    if (fault != Fault.NONE && steps >= faultAt && (steps == faultAt || diskFullStays)) {
      if (fault == Fault.CRASH) {
        throw new SimulatedCrash("crash at step " + steps + ": " + what);
      }
      return true;
    }
    return false;
  }

  @Override
  public void writeAndForce(Path file, List<byte[]> chunks) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (byte[] chunk : chunks) {
        boolean fail;
        try {
          fail = step("write " + file.getFileName());
        } catch (SimulatedCrash crash) {
          writeFully(channel, Arrays.copyOf(chunk, chunk.length / 2)); // torn: half the chunk reached the disk
          throw crash;
        }
        if (fail) {
          writeFully(channel, Arrays.copyOf(chunk, chunk.length / 2));
          throw new IOException("No space left on device (injected) writing " + file.getFileName());
        }
        writeFully(channel, chunk);
      }
      if (step("force " + file.getFileName())) {
        throw new IOException("No space left on device (injected) forcing " + file.getFileName());
      }
      if (force) {
        channel.force(true);
      }
    }
  }

  private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  @Override
  public void moveAtomically(Path source, Path target) throws IOException {
    if (step("rename " + source.getFileName() + " -> " + target.getFileName())) {
      throw new IOException("rename refused (injected)");
    }
    real.moveAtomically(source, target);
  }

  @Override
  public void syncDirectory(Path directory) throws IOException {
    if (step("sync dir " + directory.getFileName())) {
      throw new IOException("directory sync refused (injected)");
    }
    if (force) {
      real.syncDirectory(directory);
    }
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    if (step("delete " + file.getFileName())) {
      throw new IOException("delete refused (injected)");
    }
    real.deleteIfExists(file);
  }

  @Override
  public void createDirectories(Path directory) throws IOException {
    real.createDirectories(directory);
  }

  @Override
  public byte[] readAllBytes(Path file) throws IOException {
    return real.readAllBytes(file);
  }

  @Override
  public boolean exists(Path file) {
    return real.exists(file);
  }

  @Override
  public long size(Path file) throws IOException {
    return real.size(file);
  }
}
