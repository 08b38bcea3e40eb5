package dev.ringfence.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A disk with a byte budget, for {@link FileJournalStore}'s file seam: files grow only while the budget lasts.
 * A write that does not fit writes what fits and returns its count, and the next write throws {@code
 * IOException: No space left on device}, as Linux does; truncating a file gives its bytes back. Opening files
 * always works (an empty file needs no data block).
 *
 * <p>It also records every write that grew a file, so a test can place the end of the budget in the middle
 * of any one of them. With an unlimited budget over a real file system it only counts the writes the file
 * system itself refuses for want of space.
 */
final class FullDisk implements FileJournalStore.FileOpener, DiskFullScenario.Space {

  static final long UNLIMITED = Long.MAX_VALUE / 2;

  /** One write that grew a file: the bytes the disk held before it, and how many it added. */
  record Write(String file, long usedBefore, int bytes) {}

  private long free = UNLIMITED;
  private long used;
  private int refusals;
  private final List<Write> writes = new ArrayList<>();

  synchronized void free(long bytes) {
    this.free = bytes;
  }

  @Override
  public FileJournalStore.FileOpener files() {
    return this;
  }

  /** @return how many writes were cut short or refused for want of space */
  @Override
  public synchronized int refusals() {
    return refusals;
  }

  @Override
  public void fillCompletely() {
    free(0);
  }

  @Override
  public void freeAll() {
    free(UNLIMITED);
  }

  @Override
  public boolean fullToTheByte() {
    return true;
  }

  private synchronized void refusedByTheFileSystem() {
    refusals++;
  }

  synchronized List<Write> writes() {
    return List.copyOf(writes);
  }

  synchronized long used() {
    return used;
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    return new Metered(path.getFileName().toString(), FileChannel.open(path, options));
  }

  /** @return how many of {@code wanted} new bytes fit */
  private synchronized long take(String file, long wanted) {
    long granted = Math.min(wanted, free);
    if (granted < wanted) {
      refusals++;
    }
    if (granted > 0) {
      writes.add(new Write(file, used, (int) granted));
    }
    free -= granted;
    used += granted;
    return granted;
  }

  private synchronized void giveBack(long bytes) {
    free += bytes;
    used -= bytes;
  }

  private final class Metered extends FileChannel {
    private final String name;
    private final FileChannel delegate;

    Metered(String name, FileChannel delegate) {
      this.name = name;
      this.delegate = delegate;
    }

    /** Writes what fits of {@code src} at {@code at}: relative (moving the position) or positional. */
    private int write(ByteBuffer src, long at, boolean relative) throws IOException {
      int wanted = src.remaining();
      long growth = Math.max(0, at + wanted - delegate.size());
      long granted = take(name, growth);
      if (wanted > 0 && growth > 0 && granted == 0) {
        throw new IOException("No space left on device");
      }
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + (int) (wanted - (growth - granted)));
      int written;
      try {
        written = relative ? delegate.write(part) : delegate.write(part, at);
      } catch (IOException e) {
        if (String.valueOf(e.getMessage()).contains("No space left on device")) {
          refusedByTheFileSystem();
        }
        throw e;
      }
      src.position(src.position() + written);
      return written;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return write(src, delegate.position(), true);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return write(src, position, false);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        total += write(srcs[i]);
      }
      return total;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      long before = delegate.size();
      delegate.truncate(size);
      if (size < before) {
        giveBack(before - size);
      }
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public void force(boolean metaData) throws IOException {
      delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      throw new UnsupportedOperationException("not metered");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("not metered");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }
}
