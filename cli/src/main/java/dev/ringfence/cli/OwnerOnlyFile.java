package dev.ringfence.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A new file only its owner can read (mode 0600 where the file system has modes), for keys, tokens and the demo's
 * agent configuration (it holds the endpoint's credentials).
 */
public final class OwnerOnlyFile {

  private OwnerOnlyFile() {}

  /**
   * Creates the file with its mode already 0600 (never readable by others, not even for an instant) and writes it.
   *
   * @param file the file; its folder is created when missing
   * @param content what it holds
   * @param charset how the content is encoded
   * @throws FileAlreadyExistsException if the file exists: a secret is never overwritten
   * @throws IOException if it cannot be created or written
   */
  public static void create(Path file, String content, Charset charset) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
    Files.writeString(file, content, charset);
  }
}
