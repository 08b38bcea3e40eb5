package dev.ringfence.agent;

import dev.ringfence.agent.internal.MemoryFileOps;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * A disk held in memory, for simulations and tests: an agent built with
 * {@link RolloutAgent.Builder#memoryDisk(MemoryDisk)} keeps its slots, pointer and state here instead of
 * in a directory, with exactly the protocol it runs on a real disk. A restart is simulated by building a
 * new agent over the same disk and calling {@link RolloutAgent#onStart()}; the disk outlives agents, not
 * the process. Never use it on a real endpoint: nothing here survives a reboot.
 */
public final class MemoryDisk {

  private static final Path INCOMING = Path.of("incoming");

  private final MemoryFileOps files;

  /** Creates an empty disk. */
  public MemoryDisk() {
    this(new MemoryFileOps());
  }

  private MemoryDisk(MemoryFileOps files) {
    this.files = files;
  }

  /**
   * Copies the disk, like imaging a host from a golden image: a simulator installs and confirms the
   * baseline once, then gives each endpoint a copy.
   *
   * @return an independent copy
   */
  public MemoryDisk copy() {
    return new MemoryDisk(files.copy());
  }

  /**
   * Puts a downloaded payload on the disk, for {@link RolloutAgent#apply(Envelope, Path)}.
   *
   * @param name the file name, without directories
   * @param bytes the payload
   * @return the path to pass to {@code apply}
   */
  public Path putPayload(String name, byte[] bytes) {
    if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new InvalidInputException("name", "'" + name
          + "' must be a plain file name (no directories, not hidden)");
    }
    Path file = INCOMING.resolve(name);
    files.writeAndForce(file, List.of(bytes));
    return file;
  }

  /** @return the bytes stored, over all files */
  public long bytesHeld() {
    return files.bytesHeld();
  }

  MemoryFileOps fileOps() {
    return files;
  }
}
