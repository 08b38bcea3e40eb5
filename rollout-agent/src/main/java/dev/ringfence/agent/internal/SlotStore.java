package dev.ringfence.agent.internal;

import dev.ringfence.protocol.Signal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The agent's files under its state directory:
 *
 * <pre>
 * state, state.bak          the {@link AgentState}, two checksummed copies (the higher valid generation wins)
 * active                    the pointer: the slot the host should run, rewritten from the state at every start
 * slots/A/content, manifest one version and its checksummed manifest (version, sha256, size)
 * slots/B/content, manifest the other
 * </pre>
 *
 * <p>Every file is replaced through {@link AtomicFiles} (temporary file, fsync, rename, directory
 * fsync). The state file is authoritative; a slot is trusted only when its content matches the digest
 * that the state and its manifest both record.
 */
public final class SlotStore {

  static final String SLOT_HEADER = "ringfence-slot v1";
  static final String POINTER_HEADER = "ringfence-pointer v1";
  static final String CLEAN_SHUTDOWN_HEADER = "ringfence-clean-shutdown v1";
  static final String AGENT_START_HEADER = "ringfence-agent-start v1";
  private static final int CHUNK = 64 * 1024;

  private final Path directory;
  private final FileOps ops;

  /**
   * @param directory the state directory; created if missing
   * @param ops the file-system operations to use
   */
  public SlotStore(Path directory, FileOps ops) {
    this.directory = directory;
    this.ops = ops;
  }

  /** @return the state directory */
  public Path directory() {
    return directory;
  }

  /**
   * @param slot a slot
   * @return the path of its content file
   */
  public Path contentFile(Slot slot) {
    return slotDirectory(slot).resolve("content");
  }

  Path manifestFile(Slot slot) {
    return slotDirectory(slot).resolve("manifest");
  }

  Path slotDirectory(Slot slot) {
    return directory.resolve("slots").resolve(slot.name());
  }

  Path stateFile() {
    return directory.resolve("state");
  }

  Path backupStateFile() {
    return directory.resolve("state.bak");
  }

  Path pointerFile() {
    return directory.resolve("active");
  }

  /**
   * What {@link #load()} found.
   *
   * @param state the state to continue from
   * @param problems what was damaged and how it was recovered, empty when all was well
   */
  public record Loaded(AgentState state, List<String> problems) {}

  /**
   * Reads the state: the valid copy with the higher generation, else a state rebuilt from the slots.
   *
   * @return the state and any problems found
   * @throws IOException when the directory cannot be created
   */
  public Loaded load() throws IOException {
    ops.createDirectories(slotDirectory(Slot.A));
    ops.createDirectories(slotDirectory(Slot.B));
    List<String> problems = new ArrayList<>();
    AgentState primary = readState(stateFile(), problems);
    AgentState backup = readState(backupStateFile(), problems);
    if (primary != null || backup != null) {
      AgentState best = primary == null ? backup
          : backup == null || primary.generation() >= backup.generation() ? primary : backup;
      return new Loaded(best, problems);
    }
    List<SlotContent> slots = new ArrayList<>();
    for (Slot slot : Slot.values()) {
      readVerifiedSlot(slot).ifPresent(slots::add);
    }
    if (slots.isEmpty()) {
      if (!problems.isEmpty()) {
        problems.add("no slot holds verified content either: starting with no content");
      }
      return new Loaded(AgentState.empty(), problems);
    }
    // Without a state we cannot tell the last-known-good from an untested pending version; the oldest
    // verified slot was a last-known-good once, so it is the safe choice. Nothing older is accepted again.
    slots.sort(Comparator.comparingLong(SlotContent::version));
    SlotContent oldest = slots.get(0);
    long highest = slots.get(slots.size() - 1).version();
    problems.add("state file missing or corrupt in both copies: rebuilt from the slots, running v"
        + oldest.version() + " from slot " + oldest.slot() + " as last-known-good");
    AgentState rebuilt = new AgentState(0, 0, oldest, null, 0, highest, new TreeSet<>());
    return new Loaded(rebuilt, problems);
  }

  private @Nullable AgentState readState(Path file, List<String> problems) {
    if (!ops.exists(file)) {
      return null;
    }
    try {
      return AgentState.decode(ops.readAllBytes(file));
    } catch (IOException | ChecksummedText.CorruptException e) {
      problems.add(file.getFileName() + " is unreadable (" + e.getMessage() + ")");
      return null;
    }
  }

  /**
   * Writes the state as the next generation: the primary copy, then the backup.
   *
   * @param state the state to write
   * @return the state as written, with its generation
   * @throws IOException when the device refuses; the previous state is then still on disk
   */
  public AgentState writeState(AgentState state) throws IOException {
    AgentState next = state.nextGeneration();
    byte[] bytes = next.encode();
    AtomicFiles.replace(ops, stateFile(), bytes);
    AtomicFiles.replace(ops, backupStateFile(), bytes);
    return next;
  }

  Path cleanShutdownFile() {
    return directory.resolve("clean-shutdown");
  }

  /**
   * Writes the clean-shutdown marker: the process that ran boot {@code bootId} is exiting cleanly. Written
   * like every state file (temp file, fsync, atomic rename, directory fsync).
   *
   * @param bootId the boot id of the process that exits
   * @param version the version it ran, 0 for none
   * @throws IOException when the device refuses; then no marker is there
   */
  public void writeCleanShutdown(long bootId, long version) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("bootId", Long.toString(bootId));
    fields.put("version", Long.toString(version));
    AtomicFiles.replace(ops, cleanShutdownFile(), ChecksummedText.encode(CLEAN_SHUTDOWN_HEADER, fields));
  }

  /**
   * Reads the clean-shutdown marker.
   *
   * @return the boot id it names; -1 when it is missing, unreadable or corrupt (a start after a marker that
   *     cannot be read counts as any other start)
   */
  public long readCleanShutdown() {
    if (!ops.exists(cleanShutdownFile())) {
      return -1;
    }
    try {
      long bootId = ChecksummedText.longField(
          ChecksummedText.decode(CLEAN_SHUTDOWN_HEADER, ops.readAllBytes(cleanShutdownFile())), "bootId");
      return bootId >= 0 && bootId <= Signal.MAX_COUNTER ? bootId : -1;
    } catch (IOException | ChecksummedText.CorruptException e) {
      return -1;
    }
  }

  /**
   * Removes the clean-shutdown marker; a missing one is fine.
   *
   * @throws IOException when the device refuses
   */
  public void deleteCleanShutdown() throws IOException {
    ops.deleteIfExists(cleanShutdownFile());
    ops.syncDirectory(directory);
  }

  Path agentStartFile() {
    return directory.resolve("agent-start");
  }

  /**
   * What the agent recorded at its last start while the native boot guard counts starts.
   *
   * @param bootId the state's boot id at that start, or -1 when there is no readable record: if the next start finds
   *     the state on the same boot id, the guard did not run before it
   * @param knownBad the known-bad versions the state held then, each reported to the server by then; empty when no
   *     record was ever written, null when there is one without them (an older agent's) or it is unreadable: a
   *     version known-bad now and not then was reverted by the guard since, and is reported at this start
   */
  public record AgentStart(long bootId, @Nullable SortedSet<Long> knownBad) {}

  /**
   * Records this start while the native boot guard counts starts.
   *
   * @param bootId the state's boot id at this start
   * @param knownBad the state's known-bad versions, every one reported to the server by now
   * @throws IOException when the device refuses
   */
  public void writeAgentStart(long bootId, SortedSet<Long> knownBad) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("bootId", Long.toString(bootId));
    fields.put("knownBad", AgentState.versionList(knownBad));
    AtomicFiles.replace(ops, agentStartFile(), ChecksummedText.encode(AGENT_START_HEADER, fields));
  }

  /**
   * @return what {@link #writeAgentStart} recorded (see {@link AgentStart} for a missing or unreadable record)
   */
  public AgentStart readAgentStart() {
    if (!ops.exists(agentStartFile())) {
      return new AgentStart(-1, new TreeSet<>());
    }
    try {
      Map<String, String> fields = ChecksummedText.decode(AGENT_START_HEADER, ops.readAllBytes(agentStartFile()));
      String knownBad = fields.get("knownBad");
      return new AgentStart(ChecksummedText.longField(fields, "bootId"),
          knownBad == null ? null : AgentState.versions(knownBad));
    } catch (IOException | ChecksummedText.CorruptException e) {
      return new AgentStart(-1, null);
    }
  }

  /**
   * Points the {@code active} file at a slot, or at nothing.
   *
   * @param content the content the host should run, or null
   * @throws IOException when the device refuses
   */
  public void pointTo(@Nullable SlotContent content) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("slot", content == null ? "none" : content.slot().name());
    fields.put("version", content == null ? "-1" : Long.toString(content.version()));
    AtomicFiles.replace(ops, pointerFile(), ChecksummedText.encode(POINTER_HEADER, fields));
  }

  /**
   * Reads the pointer.
   *
   * @return the slot it names, empty when it names none or is missing or corrupt
   */
  public Optional<Slot> readPointer() {
    try {
      String slot = ChecksummedText.field(ChecksummedText.decode(POINTER_HEADER, ops.readAllBytes(pointerFile())),
          "slot");
      return slot.equals("none") ? Optional.empty() : Optional.of(Slot.valueOf(slot));
    } catch (IOException | ChecksummedText.CorruptException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes content into a slot: the manifest is removed first, so a slot interrupted half-way is never
   * taken for a complete one; then the content and a new manifest are written atomically, and the
   * content is read back and checked.
   *
   * @param slot the slot, which must hold neither the last-known-good nor the pending version
   * @param version the version
   * @param chunks the content
   * @return what the slot now holds
   * @throws IOException when the device refuses or the read-back differs
   */
  public SlotContent stage(Slot slot, long version, List<byte[]> chunks) throws IOException {
    ops.createDirectories(slotDirectory(slot));
    ops.deleteIfExists(manifestFile(slot));
    ops.syncDirectory(slotDirectory(slot));
    String sha256 = Digests.sha256Hex(chunks);
    long size = chunks.stream().mapToLong(c -> c.length).sum();
    AtomicFiles.replace(ops, contentFile(slot), chunks);
    SlotContent content = new SlotContent(slot, version, sha256, size);
    if (!verifyContent(content)) {
      throw new IOException("slot " + slot + " content read back differs from what was written");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("version", Long.toString(version));
    fields.put("sha256", sha256);
    fields.put("size", Long.toString(size));
    AtomicFiles.replace(ops, manifestFile(slot), ChecksummedText.encode(SLOT_HEADER, fields));
    return content;
  }

  /**
   * Whether a slot still holds exactly this content: its manifest agrees and the content's digest matches.
   *
   * @param content what the state records
   * @return true if intact
   */
  public boolean verify(SlotContent content) {
    return readVerifiedSlot(content.slot()).map(content::equals).orElse(false);
  }

  /**
   * Reads a slot's manifest and checks its content against it.
   *
   * @param slot the slot
   * @return what it holds, empty when the manifest or content is missing, corrupt or mismatched
   */
  public Optional<SlotContent> readVerifiedSlot(Slot slot) {
    try {
      Map<String, String> fields = ChecksummedText.decode(SLOT_HEADER, ops.readAllBytes(manifestFile(slot)));
      String sha256 = ChecksummedText.field(fields, "sha256");
      long version = ChecksummedText.longField(fields, "version");
      long size = ChecksummedText.longField(fields, "size");
      if (version < 0 || size < 0) {
        return Optional.empty(); // a manifest no stage() wrote: never trusted, as a failed checksum
      }
      SlotContent content = new SlotContent(slot, version, sha256, size);
      return verifyContent(content) ? Optional.of(content) : Optional.empty();
    } catch (IOException | ChecksummedText.CorruptException e) {
      return Optional.empty();
    }
  }

  private boolean verifyContent(SlotContent content) {
    try {
      byte[] bytes = ops.readAllBytes(contentFile(content.slot()));
      return bytes.length == content.size() && Digests.sha256Hex(bytes).equals(content.sha256());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Splits bytes into the chunks writes are made of.
   *
   * @param bytes the data
   * @return chunks of at most 64 KiB
   */
  public static List<byte[]> chunks(byte[] bytes) {
    List<byte[]> chunks = new ArrayList<>();
    for (int from = 0; from < bytes.length; from += CHUNK) {
      chunks.add(java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + CHUNK)));
    }
    return chunks;
  }
}
