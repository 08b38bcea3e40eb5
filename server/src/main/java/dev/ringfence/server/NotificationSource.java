package dev.ringfence.server;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.postgresql.PostgresRolloutStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The notifications' outbox: the journal's hash-chained audit trail, which holds every creation, transition and
 * verdict of every rollout, numbered from 1 in commit order. With PostgreSQL that order is the same for every
 * replica (the trail's head row serializes the appends), so a line's number names one event everywhere.
 */
interface NotificationSource {

  /**
   * @param line the last line the caller has handled, 0 or more
   * @param limit the most lines returned
   * @return the lines after it, in order, without a gap
   */
  List<AuditRecord> after(long line, int limit);

  /** @return the number of the trail's last line, 0 when empty */
  long head();

  /**
   * The PostgreSQL store's trail.
   *
   * @param dataSource the database the store uses
   * @return the source
   */
  static NotificationSource postgres(DataSource dataSource) {
    return new NotificationSource() {
      @Override
      public List<AuditRecord> after(long line, int limit) {
        return PostgresRolloutStore.auditAfter(dataSource, line, limit);
      }

      @Override
      public long head() {
        return PostgresRolloutStore.auditHead(dataSource).lines();
      }
    };
  }

  /**
   * The file journal's trail ({@code audit.jsonl}), read from where the last read stopped. It is only ever
   * appended to (never compacted) and each line is written whole before the store's append returns; a line
   * without its newline yet is left for the next read.
   *
   * @param auditFile the trail
   * @return the source
   */
  static NotificationSource file(Path auditFile) {
    return new FileSource(auditFile);
  }

  /**
   * Reads {@code audit.jsonl} on from the byte after the last whole line read. {@link #after} and {@link #head} each
   * keep their own position, so that counting to the end does not make the next read start over.
   */
  final class FileSource implements NotificationSource {
    private final Path file;
    private final Position reading = new Position();
    private final Position counting = new Position();

    /** Where a reader is: the byte after the last whole line it read, and that line's number. */
    private static final class Position {
      long offset;
      long lastSeq;
    }

    FileSource(Path file) {
      this.file = file;
    }

    @Override
    public synchronized List<AuditRecord> after(long line, int limit) {
      return read(reading, line, limit);
    }

    private List<AuditRecord> read(Position p, long line, int limit) {
      if (line < p.lastSeq) {
        p.offset = 0; // asked for an earlier line than read so far (a round broke off mid-batch): from the start
        p.lastSeq = 0;
      }
      long offset = p.offset;
      long lastSeq = p.lastSeq;
      List<AuditRecord> out = new ArrayList<>();
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        long length = in.length();
        if (length < offset) {
          throw new StoreException("audit trail " + file + " is shorter (" + length + " bytes) than already read ("
              + offset + "); it was truncated or replaced");
        }
        long base = offset;
        in.seek(base);
        byte[] rest = new byte[(int) Math.min(length - base, 4L << 20)];
        in.readFully(rest);
        int start = 0;
        for (int i = 0; i < rest.length && out.size() < limit; i++) {
          if (rest[i] != '\n') {
            continue;
          }
          String text = new String(rest, start, i - start, StandardCharsets.UTF_8);
          long next = base + i + 1;
          start = i + 1;
          if (text.isBlank()) {
            continue;
          }
          AuditRecord record = parse(text, lastSeq);
          if (record.seq() != lastSeq + 1) {
            throw new StoreException("audit trail " + file + ": line " + record.seq() + " follows line " + lastSeq);
          }
          lastSeq = record.seq();
          offset = next; // consumed whole lines only
          p.offset = offset;
          p.lastSeq = lastSeq;
          if (record.seq() > line) {
            out.add(record);
          }
        }
      } catch (NoSuchFileException | java.io.FileNotFoundException e) {
        return out; // nothing audited yet
      } catch (IOException e) {
        throw new StoreException("cannot read audit trail " + file + ": " + e.getMessage(), e);
      }
      return out;
    }

    @Override
    public synchronized long head() {
      long length;
      try {
        length = Files.size(file);
      } catch (NoSuchFileException e) {
        return 0;
      } catch (IOException e) {
        throw new StoreException("cannot read audit trail " + file + ": " + e.getMessage(), e);
      }
      // Every whole line up to the end; lines read before are not parsed again. Each round reads at least one
      // line, so the rounds are bounded by the file's length.
      for (long round = 0; round <= length && counting.offset < length; round++) {
        if (read(counting, counting.lastSeq, 10_000).isEmpty()) {
          break;
        }
      }
      return counting.lastSeq;
    }

    private AuditRecord parse(String text, long lastSeq) {
      try {
        return AuditRecord.fromLine(text);
      } catch (StoreException e) {
        throw new StoreException("audit trail " + file + ": the line after line " + lastSeq + " is " + e.getMessage(),
            e);
      }
    }
  }
}
