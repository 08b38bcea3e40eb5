package dev.ringfence.agent.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Replaces a file so that, after a crash at any instant, it holds either its old bytes or its new
 * bytes, never a mix: write a temporary sibling, force it, rename it over the target, force the
 * directory.
 */
final class AtomicFiles {

  /** Suffix of the temporary sibling; such files are leftovers of an interrupted write. */
  static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  static void replace(FileOps ops, Path target, List<byte[]> chunks) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    try {
      ops.writeAndForce(temp, chunks);
    } catch (IOException e) {
      // A full disk leaves a partial temporary file behind; it is never read, but free the space.
      try {
        ops.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    ops.moveAtomically(temp, target);
    ops.syncDirectory(target.getParent());
  }

  static void replace(FileOps ops, Path target, byte[] bytes) throws IOException {
    replace(ops, target, List.of(bytes));
  }
}
