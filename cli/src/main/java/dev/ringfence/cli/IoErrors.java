package dev.ringfence.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** An I/O failure said with its reason: the JDK's messages of file errors are often the path alone. */
final class IoErrors {

  private IoErrors() {}

  /**
   * @param e an I/O failure, or an unchecked one wrapping it
   * @return what failed and why, e.g. {@code /proc/x: permission denied}
   */
  static String describe(Throwable e) {
    Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    String prefix = e instanceof UncheckedIOException && e.getMessage() != null
        && !e.getMessage().equals(String.valueOf(cause)) ? e.getMessage() + ": " : "";
    if (!(cause instanceof IOException)) {
      return e.getMessage();
    }
    boolean named = cause instanceof FileSystemException && ((FileSystemException) cause).getFile() != null
        && prefix.contains(((FileSystemException) cause).getFile());
    return prefix + reason((IOException) cause, !named);
  }

  private static String reason(IOException e, boolean withFile) {
    if (e instanceof FileSystemException) {
      FileSystemException f = (FileSystemException) e;
      String file = f.getFile() == null || !withFile ? ""
          : f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": ";
      if (e instanceof NoSuchFileException) {
        return file + "no such file or folder";
      }
      if (e instanceof AccessDeniedException) {
        return file + "permission denied";
      }
      if (e instanceof FileAlreadyExistsException) {
        return file + "already exists";
      }
      if (e instanceof NotDirectoryException) {
        return file + "not a folder";
      }
      return file + (f.getReason() == null ? "cannot be used" : f.getReason().toLowerCase(java.util.Locale.ROOT));
    }
    return e.getMessage() == null ? "an I/O error (" + e.getClass().getSimpleName() + ")" : e.getMessage();
  }
}
