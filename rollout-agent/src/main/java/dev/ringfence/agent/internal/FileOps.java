package dev.ringfence.agent.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The few file-system operations the agent's durable state is built from. Every write the agent makes
 * goes through one instance, so tests can inject faults (a full disk, a torn write, a kill at the n-th
 * operation) without touching the code under test.
 *
 * <p>Files are written whole and forced to disk by {@link #writeAndForce}; they become visible under
 * their final name only through {@link #moveAtomically}, followed by {@link #syncDirectory}.
 */
public interface FileOps {

  /**
   * Creates or truncates {@code file}, writes {@code chunks} in order, and forces data and metadata to
   * the device before returning.
   *
   * @param file the file to write
   * @param chunks the bytes, in order; a chunk is the unit a fault can interrupt
   * @throws IOException when the device refuses (full, read-only, gone)
   */
  void writeAndForce(Path file, List<byte[]> chunks) throws IOException;

  /**
   * Renames {@code source} to {@code target} in one step, replacing {@code target}.
   *
   * @param source an existing file
   * @param target its new name, in the same directory
   * @throws IOException when the rename fails; {@code target} is then unchanged
   */
  void moveAtomically(Path source, Path target) throws IOException;

  /**
   * Forces a directory's entries (the result of renames and deletions) to the device.
   *
   * @param directory the directory
   * @throws IOException when the device refuses
   */
  void syncDirectory(Path directory) throws IOException;

  /**
   * Deletes a file if it exists.
   *
   * @param file the file
   * @throws IOException when the deletion fails
   */
  void deleteIfExists(Path file) throws IOException;

  /**
   * Creates a directory and its parents if missing.
   *
   * @param directory the directory
   * @throws IOException when it cannot be created
   */
  void createDirectories(Path directory) throws IOException;

  /**
   * Reads a whole file.
   *
   * @param file the file
   * @return its bytes
   * @throws IOException when it is missing or unreadable
   */
  byte[] readAllBytes(Path file) throws IOException;

  /**
   * Whether a file exists.
   *
   * @param file the file
   * @return true if it exists
   */
  boolean exists(Path file);

  /**
   * The size of a file, read without loading it.
   *
   * @param file the file
   * @return its size in bytes
   * @throws IOException when it is missing or unreadable
   */
  long size(Path file) throws IOException;
}
