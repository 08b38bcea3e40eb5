package dev.ringfence.core.store;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.internal.AuditChains;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Checks a tamper-evident audit trail (JSON Lines, each line carrying the SHA-256 of the previous
 * one). The trail is its own export: copy the file, or stream it with {@link #lines(Path)}.
 */
public final class AuditTrail {

  private AuditTrail() {}

  /**
   * Verifies the hash chain of a trail.
   *
   * @param file the trail
   * @return empty if every line is intact and in order; otherwise the first bad line and why
   * @throws StoreException if the file cannot be read
   */
  public static Optional<String> verify(Path file) {
    return Optional.ofNullable(AuditChains.verify(lines(file)));
  }

  /**
   * The trail's lines, for export.
   *
   * @param file the trail
   * @return every line, in order
   * @throws StoreException if the file cannot be read
   */
  public static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read audit trail " + file + ": " + e.getMessage(), e);
    }
  }
}
