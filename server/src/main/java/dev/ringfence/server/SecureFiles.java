package dev.ringfence.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files whole or not at all (temp file, fsync, atomic rename), readable by the owner only when
 * they hold secrets.
 */
final class SecureFiles {

  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  /** What files that hold no secret get: readable by all, as the usual umask 022 gives. */
  static final Set<PosixFilePermission> OWNER_WRITES = PosixFilePermissions.fromString("rw-r--r--");

  private SecureFiles() {}

  static void write(Path file, byte[] bytes, boolean ownerOnly) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    FileAttribute<?>[] attrs = posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(ownerOnly ? OWNER_ONLY : OWNER_WRITES)}
        : new FileAttribute<?>[0];
    // A fresh, unique name from the file system (no clock, no guess), created with the final permissions.
    Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp", attrs);
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Refuses a secret file that another user owns: its owner could read it, or have placed a token of their
   * choosing.
   *
   * @param file the file
   * @param what what it is, for the message
   * @throws IOException naming the file, its owner and what to do
   */
  static void checkOwnedBySelf(Path file, String what) throws IOException {
    java.nio.file.attribute.UserPrincipal owner = Files.getOwner(file);
    String self = System.getProperty("user.name");
    if (!owner.getName().equals(self)) {
      throw new IOException(what + " " + file + " is owned by " + owner.getName() + ", not by " + self
          + ", who runs the server; chown it to " + self + " or delete it to have a new one generated");
    }
  }

  /**
   * Refuses a folder in which any user may replace a secret file: writable by others without the sticky bit
   * (which would keep them from renaming or deleting files they do not own).
   *
   * @param dir the folder
   * @param what what lives in it, for the message
   * @throws IOException naming the folder, its permissions and what to do
   */
  static void checkNotReplaceableByOthers(Path dir, String what) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    // Group write is left alone: with user-private groups (umask 002) it is the norm and no one else's.
    if (perms.contains(PosixFilePermission.OTHERS_WRITE) && !sticky(dir)) {
      throw new IOException(what + " is in " + dir + ", which every user may write to ("
          + PosixFilePermissions.toString(perms) + ") without the sticky bit, so they could replace it; run chmod"
          + " o-w on " + dir + " or keep the data directory elsewhere");
    }
  }

  private static boolean sticky(Path dir) throws IOException {
    Object mode = Files.getAttribute(dir, "unix:mode");
    return mode instanceof Integer && (((Integer) mode) & 01000) != 0;
  }

  static boolean posix(Path dir) {
    return Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class) != null;
  }
}
