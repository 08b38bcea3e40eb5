package dev.ringfence.core.internal;

import dev.ringfence.core.StoreException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.core.store.FileRolloutStore;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.SharedRolloutStore;
import dev.ringfence.core.store.StoreClosedException;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, append-only file journal. Format and recovery rules: {@code docs/journal.md}.
 *
 * <p>Files in the directory: {@code ringfence.lock} (held while open), {@code snapshot.<g>} (the
 * compacted state at generation g, written whole and renamed into place), {@code journal.<g>} (records
 * appended since that snapshot) and {@code audit.jsonl} (the hash-chained audit trail, never compacted).
 * A record is {@code [int length][int crc32c][payload]}, big-endian ({@link RecordFile}), the payload being
 * {@link JournalCodec} JSON.
 *
 * <p>Durability: every append is forced to disk before it returns; appends from concurrent threads
 * share one force (group commit), so a burst of admissions costs one fsync, not one each.
 */
public final class FileJournalStore implements FileRolloutStore {

  private static final Logger LOG = LoggerFactory.getLogger(FileJournalStore.class);
  // At most 18 digits, so that every generation parses as a long; a longer name is not one of ours and is left alone.
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d{1,18})");
  private static final Pattern JOURNAL = Pattern.compile("journal\\.(\\d{1,18})");
  /** The record field that carries the audit head (docs/journal.md). */
  static final String AUDIT_FIELD = "audit";

  /**
   * How the store opens the files it writes (journal, snapshots, audit trail): the file system, or in tests one
   * whose disk fills up. Package-private: a seam for fault injection, not an extension point.
   */
  @FunctionalInterface
  interface FileOpener {
    FileOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
  }

  private final Path directory;
  private final long compactAfterBytes;
  private final FileOpener files;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final InMemoryRolloutStore index = new InMemoryRolloutStore();
  private final AuditChain audit;
  private final Object writeLock = new Object();
  private final Object syncLock = new Object();
  private final Optional<String> recoveryReport;

  // Guarded by writeLock.
  /** Swapped by compaction under both locks; volatile so that {@link #sync} reads the current one. */
  private volatile FileChannel journal;
  private long generation;
  private volatile long written;
  private volatile StoreException failed;
  /** Set under writeLock; volatile so that reads, which take no lock, see it. */
  private volatile boolean closed;
  // Guarded by syncLock.
  private long synced;

  private FileJournalStore(Path directory, long compactAfterBytes, FileOpener files) throws IOException {
    this.directory = directory;
    this.compactAfterBytes = compactAfterBytes;
    this.files = files;
    Files.createDirectories(directory);
    this.lockChannel = FileChannel.open(directory.resolve("ringfence.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock acquired;
    try {
      acquired = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      acquired = null;
    }
    if (acquired == null) {
      lockChannel.close();
      throw new StoreException("journal directory " + directory + " is in use by another store (its"
          + " ringfence.lock is held); one process owns a journal directory — stop the other one or use"
          + " another directory");
    }
    this.lock = acquired;
    try {
      RecoveryResult recovered = recover();
      this.audit = AuditChain.open(directory.resolve("audit.jsonl"), files, recovered.heads);
      this.recoveryReport = Optional.ofNullable(
          Stream.of(recovered.report, audit.report()).filter(Objects::nonNull).reduce((a, b) -> a + "; " + b)
              .orElse(null));
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  /**
   * Opens (creating if needed) a journal directory and recovers its state.
   *
   * @param directory the directory
   * @param compactAfterBytes journal size past which the next append compacts
   * @return the store
   * @throws StoreException if the directory is locked, or a record in the middle is corrupt
   */
  public static FileJournalStore open(Path directory, long compactAfterBytes) {
    return open(directory, compactAfterBytes, FileOpener.DEFAULT);
  }

  /** {@link #open(Path, long)} with the files opened by {@code files}: the fault-injection seam of the tests. */
  static FileJournalStore open(Path directory, long compactAfterBytes, FileOpener files) {
    try {
      return new FileJournalStore(directory, compactAfterBytes, files);
    } catch (IOException e) {
      throw new StoreException("cannot open journal directory " + directory + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- recovery

  /** What recovery found: a torn tail it truncated, and the audit heads the records hold. */
  private record RecoveryResult(@Nullable String report, AuditTail.Recorded heads) {}

  /** The journal files of a directory: the newest snapshot's generation (-1 if none), the live generation. */
  private record Generations(long snapshot, long live, Set<Long> snapshots, Set<Long> journals, List<Path> unfinished) {

    static Generations scan(Path directory) throws IOException {
      long snapshotGeneration = -1;
      Set<Long> journals = new HashSet<>();
      Set<Long> snapshots = new HashSet<>();
      List<Path> unfinished = new ArrayList<>();
      try (var files = Files.list(directory)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          String name = file.getFileName().toString();
          Matcher s = SNAPSHOT.matcher(name);
          Matcher j = JOURNAL.matcher(name);
          if (s.matches()) {
            snapshotGeneration = Math.max(snapshotGeneration, Long.parseLong(s.group(1)));
            snapshots.add(Long.parseLong(s.group(1)));
          } else if (j.matches()) {
            journals.add(Long.parseLong(j.group(1)));
          } else if (name.endsWith(".tmp")) {
            unfinished.add(file);
          }
        }
      }
      long live = snapshotGeneration < 0 ? journals.stream().mapToLong(Long::longValue).max().orElse(0)
          : snapshotGeneration;
      return new Generations(snapshotGeneration, live, snapshots, journals, unfinished);
    }
  }

  /**
   * The audit heads a journal directory's live snapshot and journal record, read without opening the store (it
   * may be open in another process: a torn tail is skipped, not truncated).
   *
   * @throws StoreException if a record is corrupt
   */
  static AuditTail.Recorded recordedHeads(Path directory) throws IOException {
    Generations found = Generations.scan(directory);
    List<AuditHead> heads = new ArrayList<>();
    String lastHeadEntry = null;
    if (found.snapshot() >= 0) {
      heads.addAll(readRecords(directory.resolve("snapshot." + found.live()), true).heads);
    }
    Path journalFile = directory.resolve("journal." + found.live());
    if (Files.exists(journalFile)) {
      ReadResult result = readRecords(journalFile, false);
      heads.addAll(result.heads);
      lastHeadEntry = result.lastHeadEntry;
    }
    return new AuditTail.Recorded(List.copyOf(heads), lastHeadEntry);
  }

  private RecoveryResult recover() throws IOException {
    Generations found = Generations.scan(directory);
    for (Path unfinished : found.unfinished()) {
      Files.delete(unfinished); // a compaction that never finished
    }
    long snapshotGeneration = found.snapshot();
    Set<Long> journals = found.journals();
    Set<Long> snapshots = found.snapshots();
    generation = found.live();
    List<AuditHead> heads = new ArrayList<>();
    String lastHeadEntry = null;
    if (snapshotGeneration >= 0) {
      Path snapshot = directory.resolve("snapshot." + generation);
      ReadResult result = readRecords(snapshot, true);
      result.entries.forEach(this::addRecovered);
      heads.addAll(result.heads);
    }
    Path journalFile = directory.resolve("journal." + generation);
    String report = null;
    if (Files.exists(journalFile)) {
      ReadResult result = readRecords(journalFile, false);
      result.entries.forEach(this::addRecovered);
      heads.addAll(result.heads);
      lastHeadEntry = result.lastHeadEntry;
      if (result.tornAt >= 0) {
        report = RecordFile.truncateTornTail(journalFile, result.tornAt);
        LOG.warn(report);
      }
    }
    for (long older : journals) {
      if (older < generation) {
        Files.deleteIfExists(directory.resolve("journal." + older));
      }
    }
    for (long older : snapshots) {
      if (older < generation) {
        // A compaction killed between its two deletes leaves the old snapshot behind: never read again.
        Files.deleteIfExists(directory.resolve("snapshot." + older));
      }
    }
    journal = files.open(journalFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    written = journal.size();
    journal.position(written);
    synced = written;
    return new RecoveryResult(report, new AuditTail.Recorded(List.copyOf(heads), lastHeadEntry));
  }

  private void addRecovered(JournalEntry entry) {
    try {
      index.check(entry);
    } catch (StoreException e) {
      throw new StoreException("journal directory " + directory + " holds an entry the store contract refuses ("
          + e.getMessage() + "); the journal is inconsistent, restore it from a backup", e);
    }
    index.add(entry);
  }

  /**
   * Entries read from one file, the audit heads its records carry, the entry of the last record that carries one
   * when that entry is audited (so the line it produced can be rebuilt), and where a torn tail starts (-1 if none).
   */
  static final class ReadResult {
    final List<JournalEntry> entries = new ArrayList<>();
    final List<AuditHead> heads = new ArrayList<>();
    @Nullable String lastHeadEntry;
    long tornAt = -1;
  }

  /**
   * Reads every record of a file ({@link RecordFile#read}: a snapshot must be whole, a journal may end in a torn
   * record) as journal entries and the audit heads they carry.
   */
  static ReadResult readRecords(Path file, boolean mustBeWhole) throws IOException {
    ReadResult result = new ReadResult();
    result.tornAt = RecordFile.read(file, mustBeWhole, (offset, payload) -> {
      try {
        JsonNode tree = JournalCodec.parse(payload);
        JournalEntry entry = JournalCodec.fromTree(tree);
        result.entries.add(entry);
        AuditHead head = recordedHead(tree);
        if (head != null) {
          result.heads.add(head);
          result.lastHeadEntry = AuditChain.audits(entry) ? JournalCodec.toTree(entry).toString() : null;
        }
      } catch (StoreException | InvalidInputException e) {
        throw new StoreException("journal file " + file + " has an unreadable record at offset " + offset + ": "
            + e.getMessage(), e);
      }
    });
    return result;
  }

  /** The audit head a record carries in its {@code audit} field: {@code {"seq":n,"hash":"..."}}, or null. */
  private static @Nullable AuditHead recordedHead(JsonNode record) {
    JsonNode audit = record.get(AUDIT_FIELD);
    if (audit == null) {
      return null;
    }
    JsonNode seq = audit.get("seq");
    JsonNode hash = audit.get("hash");
    if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || hash == null || !hash.isTextual()) {
      throw new StoreException("journal record field '" + AUDIT_FIELD + "' is not {\"seq\":<line>,\"hash\":"
          + "\"<sha-256>\"}");
    }
    return new AuditHead(seq.asLong(), hash.asText());
  }

  static ByteBuffer frame(JournalEntry entry) {
    return frame(entry, null);
  }

  /**
   * A record of {@code entry}; with {@code head}, the record also carries where the audit trail ends once this
   * record's line (or, in a snapshot, every line so far) is written, in a field the entry decoder ignores.
   */
  static ByteBuffer frame(JournalEntry entry, @Nullable AuditHead head) {
    ObjectNode tree = JournalCodec.toTree(entry);
    if (head != null) {
      tree.putObject(AUDIT_FIELD).put("seq", head.lines()).put("hash", head.hash());
    }
    return RecordFile.frame(tree.toString().getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- append

  @Override
  public void append(JournalEntry entry) {
    long position;
    AuditRecord line;
    synchronized (writeLock) {
      checkOpen();
      if (failed != null) {
        throw new StoreException("journal " + directory + " refuses writes after an earlier failure: "
            + failed.getMessage(), failed);
      }
      index.check(entry);
      boolean audited = AuditChain.audits(entry);
      line = audited ? audit.next(entry) : null;
      ByteBuffer record = frame(entry, line == null ? null : line.head());
      long auditStart = -1;
      String writing = "journal " + directory + " at offset " + written;
      try {
        while (record.hasRemaining()) {
          journal.write(record);
        }
        if (line != null) {
          writing = "the audit trail of " + directory;
          auditStart = audit.position();
          audit.append(line);
        }
      } catch (IOException e) {
        // A partial record (a full disk, say) is cut off again, so no corrupt record stays behind; an entry the
        // audit trail cannot take is taken back out of the journal, so the two never disagree. The disk may
        // have room again later: the store goes on when it has.
        try {
          journal.truncate(written);
          journal.position(written);
          if (auditStart >= 0) {
            audit.truncate(auditStart);
          }
        } catch (IOException again) {
          failed = new StoreException("journal " + directory + " could not undo a partial write at offset " + written,
              again);
        }
        throw new StoreException("cannot append to " + writing + ": " + e + "; nothing was recorded", e);
      }
      written += record.limit();
      position = written;
      index.add(entry);
      if (audited) {
        // Forced before the next entry is written: a crash then leaves the journal and the trail at most this one
        // line apart, which the next open mends (AuditTail). Audited entries are few (creations, transitions,
        // verdicts); admissions keep sharing one force.
        sync(position, true);
      }
    }
    if (line == null) {
      sync(position, false);
    }
    if (position > compactAfterBytes) {
      try {
        compactIfStillLarge();
      } catch (StoreException e) {
        // The entry is durable; a compaction that failed is retried by a later append, never reported as
        // this append's failure (the caller would act as if the entry were not stored).
        LOG.warn("journal {}: compaction failed, the journal keeps growing until one succeeds", directory, e);
      }
    }
  }

  /**
   * Forces the journal up to {@code position}; whoever forces first covers every write before it.
   * Takes only {@code syncLock}, never {@code writeLock} (compaction takes them in the order write, then
   * sync, so taking write inside sync could deadlock). Compaction swaps the channel under
   * {@code syncLock}, so the channel forced here is never closed under us; an entry written to a
   * generation that was compacted since is in the snapshot, which compaction forced.
   */
  private void sync(long position, boolean withAudit) {
    synchronized (syncLock) {
      if (synced >= position && !withAudit) {
        return;
      }
      try {
        long upTo = written;
        journal.force(false);
        if (withAudit) {
          audit.force();
        }
        synced = Math.max(synced, upTo);
      } catch (IOException e) {
        StoreException failure = new StoreException("cannot force journal " + directory + " to disk: "
            + e.getMessage() + "; the entry may not be durable and the store refuses further writes", e);
        failed = failure;
        throw failure;
      }
    }
  }

  // ---------------------------------------------------------------- compaction

  private void compactIfStillLarge() {
    synchronized (writeLock) {
      if (written > compactAfterBytes) {
        compactLocked();
      }
    }
  }

  @Override
  public void compact() {
    synchronized (writeLock) {
      checkOpen();
      compactLocked();
    }
  }

  /**
   * Writes the current state as a new snapshot and starts an empty journal. Superseded entries (older
   * verdicts, duplicate admissions and reverts) are left out; replaying the snapshot rebuilds the same
   * rollouts. Crash-safe: the snapshot is written to a temporary file, forced, and renamed into place
   * before the old files go.
   */
  private void compactLocked() {
    if (failed != null) {
      throw failed;
    }
    long next = generation + 1;
    Path tmp = directory.resolve("snapshot." + next + ".tmp");
    Path snapshot = directory.resolve("snapshot." + next);
    try {
      // The snapshot records the trail's head, so the trail must hold it on disk first.
      audit.force();
      AuditHead head = audit.head();
      try (FileChannel out = files.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        List<JournalEntry> entries = compacted(index.all());
        for (int i = 0; i < entries.size(); i++) {
          boolean last = i == entries.size() - 1;
          ByteBuffer record = frame(entries.get(i), last && head.lines() > 0 ? head : null);
          while (record.hasRemaining()) {
            out.write(record);
          }
        }
        out.force(true);
      }
      try {
        Files.move(tmp, snapshot, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, snapshot);
      }
      forceDirectory();
      FileChannel fresh;
      try {
        fresh = files.open(directory.resolve("journal." + next), StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.READ);
      } catch (IOException e) {
        // The new snapshot is in place, so the next open reads generation `next`: an entry appended to the old
        // journal from here would be lost then. Refuse every write; everything acknowledged is in the snapshot.
        failed = new StoreException("journal " + directory + ": compaction wrote snapshot." + next + " but cannot"
            + " create journal." + next + " (" + e.getMessage() + "); reopen the store", e);
        throw failed;
      }
      FileChannel old;
      synchronized (syncLock) {
        old = journal;
        journal = fresh;
        written = 0;
        synced = 0;
      }
      long previous = generation;
      generation = next; // the new generation is live from here; what follows is cleanup
      try {
        old.close();
        Files.deleteIfExists(directory.resolve("journal." + previous));
        Files.deleteIfExists(directory.resolve("snapshot." + previous));
        forceDirectory();
      } catch (IOException e) {
        LOG.warn("journal {}: generation {} could not be cleaned up; the next open removes it", directory, previous, e);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // The next open removes *.tmp files anyway.
      }
      throw new StoreException("cannot compact journal " + directory + ": " + e.getMessage()
          + "; the journal stays as it was", e);
    }
  }

  /** The entries that rebuild the same state: duplicates and superseded verdicts dropped. */
  static List<JournalEntry> compacted(List<JournalEntry> all) {
    Map<String, List<JournalEntry>> byRollout = new LinkedHashMap<>();
    Map<String, JournalEntry.VerdictRecorded> lastVerdict = new LinkedHashMap<>();
    Set<String> seenAdmissions = new HashSet<>();
    Set<String> seenReverts = new HashSet<>();
    for (JournalEntry entry : all) {
      String id = entry.rolloutId();
      List<JournalEntry> list = byRollout.computeIfAbsent(id, k -> new ArrayList<>());
      if (entry instanceof JournalEntry.VerdictRecorded) {
        lastVerdict.put(id, (JournalEntry.VerdictRecorded) entry);
      } else if (entry instanceof JournalEntry.Admitted) {
        if (seenAdmissions.add(id + '\u0000' + ((JournalEntry.Admitted) entry).endpointId())) {
          list.add(entry);
        }
      } else if (entry instanceof JournalEntry.Reverted) {
        if (seenReverts.add(id + '\u0000' + ((JournalEntry.Reverted) entry).endpointId())) {
          list.add(entry);
        }
      } else {
        list.add(entry);
      }
    }
    List<JournalEntry> out = new ArrayList<>();
    byRollout.forEach((id, list) -> {
      out.addAll(list);
      JournalEntry.VerdictRecorded verdict = lastVerdict.get(id);
      if (verdict != null) {
        out.add(verdict);
      }
    });
    return out;
  }

  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for reading; the rename is still atomic there.
      LOG.debug("cannot force directory {}", directory, e);
    }
  }

  // ---------------------------------------------------------------- reads and lifecycle

  @Override
  public List<String> rolloutIds() {
    checkOpen();
    return index.rolloutIds();
  }

  @Override
  public List<JournalEntry> read(String rolloutId) {
    checkOpen();
    return index.read(rolloutId);
  }

  /** The directory is owned by one process (its lock says so): nothing to share. */
  @Override
  public Optional<SharedRolloutStore> shared() {
    return Optional.empty();
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException(toString());
    }
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public Optional<String> recoveryReport() {
    return recoveryReport;
  }

  @Override
  public Path auditFile() {
    return directory.resolve("audit.jsonl");
  }

  @Override
  public void close() {
    synchronized (writeLock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (journal != null) {
          journal.close();
        }
        if (audit != null) {
          audit.close();
        }
        if (lock != null && lock.isValid()) {
          lock.release();
        }
        lockChannel.close();
      } catch (IOException e) {
        throw new StoreException("cannot close journal " + directory + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "the file journal " + directory;
  }
}
