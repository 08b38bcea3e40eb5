package dev.ringfence.agent.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link FileOps} over a map held in memory: the files of one simulated disk. Renames are atomic and
 * nothing needs forcing, so every crash point of the real protocol is still a valid state here; a
 * simulated host "restarts" by building a new agent over the same instance. Directories are implicit.
 * Thread-safe (one lock); a simulator keeps one per endpoint.
 */
public final class MemoryFileOps implements FileOps {

  private final Map<Path, byte[]> files = new HashMap<>();

  @Override
  public synchronized void writeAndForce(Path file, List<byte[]> chunks) {
    if (chunks.size() == 1) {
      files.put(file, chunks.get(0).clone());
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] chunk : chunks) {
      out.writeBytes(chunk);
    }
    files.put(file, out.toByteArray());
  }

  @Override
  public synchronized void moveAtomically(Path source, Path target) throws IOException {
    byte[] bytes = files.remove(source);
    if (bytes == null) {
      throw new NoSuchFileException(source.toString());
    }
    files.put(target, bytes);
  }

  @Override
  public void syncDirectory(Path directory) {
    // nothing is buffered
  }

  @Override
  public synchronized void deleteIfExists(Path file) {
    files.remove(file);
  }

  @Override
  public void createDirectories(Path directory) {
    // directories are implicit
  }

  @Override
  public synchronized byte[] readAllBytes(Path file) throws IOException {
    byte[] bytes = files.get(file);
    if (bytes == null) {
      throw new NoSuchFileException(file.toString());
    }
    return bytes.clone();
  }

  @Override
  public synchronized boolean exists(Path file) {
    return files.containsKey(file);
  }

  @Override
  public synchronized long size(Path file) throws IOException {
    byte[] bytes = files.get(file);
    if (bytes == null) {
      throw new NoSuchFileException(file.toString());
    }
    return bytes.length;
  }

  /** @return an independent copy of every file */
  public synchronized MemoryFileOps copy() {
    MemoryFileOps copy = new MemoryFileOps();
    files.forEach((path, bytes) -> copy.files.put(path, bytes.clone()));
    return copy;
  }

  /** @return the bytes held, over all files */
  public synchronized long bytesHeld() {
    return files.values().stream().mapToLong(b -> b.length).sum();
  }
}
