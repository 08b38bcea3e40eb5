package dev.ringfence.agent.internal;

import dev.ringfence.protocol.Signal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The agent's durable state, written whole (and checksummed) at every change.
 *
 * @param generation incremented at every write; of two valid copies the higher one wins
 * @param bootId incremented at every process start
 * @param lastKnownGood the version that last ran healthily, null before the first confirmation
 * @param pending the version on trial (activated, not yet confirmed healthy), or null
 * @param failedStarts starts of the pending version that were not followed by a confirmation
 * @param highestAccepted the highest version ever accepted, -1 if none; lower or equal ones are refused
 * @param knownBad versions that failed; never activated again
 * @param previous while the last-known-good is in probation (confirmed less than the probation period ago), the
 *     version it replaced, still in its slot; null otherwise
 * @param probationUntil when the probation ends, in epoch milliseconds of the agent's clock; 0 when there is none
 */
public record AgentState(long generation, long bootId, @Nullable SlotContent lastKnownGood,
    @Nullable SlotContent pending, int failedStarts, long highestAccepted, SortedSet<Long> knownBad,
    @Nullable SlotContent previous, long probationUntil) {

  static final String HEADER = "ringfence-agent-state v1";

  /** Copies the set; a state without a previous version, or with a version on trial, has no probation. */
  public AgentState {
    knownBad = Collections.unmodifiableSortedSet(new TreeSet<>(knownBad));
    if (pending != null) {
      previous = null;
    }
    if (previous == null) {
      probationUntil = 0;
    }
  }

  /**
   * A state without a probation, as every state was before probation existed.
   *
   * @param generation incremented at every write
   * @param bootId incremented at every process start
   * @param lastKnownGood the version that last ran healthily, or null
   * @param pending the version on trial, or null
   * @param failedStarts starts of the pending version not followed by a confirmation
   * @param highestAccepted the highest version ever accepted, -1 if none
   * @param knownBad versions that failed
   */
  public AgentState(long generation, long bootId, @Nullable SlotContent lastKnownGood, @Nullable SlotContent pending,
      int failedStarts, long highestAccepted, SortedSet<Long> knownBad) {
    this(generation, bootId, lastKnownGood, pending, failedStarts, highestAccepted, knownBad, null, 0);
  }

  /** @return the state of an agent that has never run */
  public static AgentState empty() {
    return new AgentState(0, 0, null, null, 0, -1, new TreeSet<>());
  }

  /**
   * @param nowMillis the agent's clock, epoch milliseconds
   * @return whether the last-known-good is in probation at that time: a previous version is recorded and its
   *     probation has not ended
   */
  public boolean inProbation(long nowMillis) {
    return previous != null && pending == null && nowMillis < probationUntil;
  }

  /** @return the same state with the probation over: no previous version, and no counter unless a version is on trial */
  AgentState withoutProbation() {
    return new AgentState(generation, bootId, lastKnownGood, pending, pending == null ? 0 : failedStarts,
        highestAccepted, knownBad);
  }

  AgentState withFailedStarts(int newFailedStarts) {
    return new AgentState(generation, bootId, lastKnownGood, pending, newFailedStarts, highestAccepted, knownBad,
        previous, probationUntil);
  }

  /** @return the content the host should run now: the pending version if any, else the last-known-good */
  public @Nullable SlotContent active() {
    return pending != null ? pending : lastKnownGood;
  }

  AgentState withBootId(long newBootId) {
    return new AgentState(generation, newBootId, lastKnownGood, pending, failedStarts, highestAccepted, knownBad,
        previous, probationUntil);
  }

  /** A new or recounted pending version; a new update ends any probation (its slot may overwrite the previous). */
  AgentState withPending(@Nullable SlotContent newPending, int newFailedStarts, long newHighest) {
    return new AgentState(generation, bootId, lastKnownGood, newPending, newFailedStarts, newHighest, knownBad);
  }

  /**
   * @param newProbationUntil when the probation of the promoted version ends (epoch millis), or 0 for none
   * @return the pending version as last-known-good; the one it replaced, if any, as the previous version in
   *     probation until {@code newProbationUntil}
   */
  AgentState promoted(long newProbationUntil) {
    SlotContent replaced = newProbationUntil > 0 ? lastKnownGood : null;
    return new AgentState(generation, bootId, pending, null, 0, highestAccepted, knownBad, replaced,
        newProbationUntil);
  }

  /**
   * @return the previous version back as last-known-good, the abandoned one known-bad, the probation over
   */
  AgentState revertedToPrevious() {
    SortedSet<Long> bad = new TreeSet<>(knownBad);
    bad.add(lastKnownGood == null ? 0 : lastKnownGood.version());
    return new AgentState(generation, bootId, previous, null, 0, highestAccepted, bad);
  }

  AgentState revertedMarkingBad(long badVersion) {
    SortedSet<Long> bad = new TreeSet<>(knownBad);
    bad.add(badVersion);
    return new AgentState(generation, bootId, lastKnownGood, null, 0, highestAccepted, bad);
  }

  AgentState withKnownBad(long badVersion) {
    SortedSet<Long> bad = new TreeSet<>(knownBad);
    bad.add(badVersion);
    return new AgentState(generation, bootId, lastKnownGood, pending, failedStarts, highestAccepted, bad, previous,
        probationUntil);
  }

  AgentState nextGeneration() {
    return new AgentState(generation + 1, bootId, lastKnownGood, pending, failedStarts, highestAccepted, knownBad,
        previous, probationUntil);
  }

  byte[] encode() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("generation", Long.toString(generation));
    fields.put("bootId", Long.toString(bootId));
    fields.put("lastKnownGood", lastKnownGood == null ? "none" : lastKnownGood.encode());
    fields.put("pending", pending == null ? "none" : pending.encode());
    fields.put("failedStarts", Integer.toString(failedStarts));
    fields.put("highestAccepted", Long.toString(highestAccepted));
    fields.put("knownBad", versionList(knownBad));
    if (previous != null) {
      // Appended, and only while there is a probation: a state without one is byte for byte what it was before
      // probation existed, and older readers ignore fields they do not know.
      fields.put("previous", previous.encode());
      fields.put("probationUntil", Long.toString(probationUntil));
    }
    return ChecksummedText.encode(HEADER, fields);
  }

  /**
   * @param list a {@code knownBad} field: versions, comma-separated, or nothing
   * @return the versions
   * @throws ChecksummedText.CorruptException when an entry is not a version
   */
  static SortedSet<Long> versions(String list) throws ChecksummedText.CorruptException {
    SortedSet<Long> versions = new TreeSet<>();
    if (list.isEmpty()) {
      return versions;
    }
    for (String item : list.split(",", -1)) {
      long version;
      try {
        version = Long.parseLong(item);
      } catch (NumberFormatException e) {
        throw new ChecksummedText.CorruptException("knownBad entry '" + item + "' is not a number");
      }
      if (version < 0) {
        throw new ChecksummedText.CorruptException("knownBad entry " + version + " is negative");
      }
      versions.add(version);
    }
    return versions;
  }

  /** @return a {@code knownBad} field's text for these versions */
  static String versionList(SortedSet<Long> versions) {
    return versions.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  static AgentState decode(byte[] bytes) throws ChecksummedText.CorruptException {
    Map<String, String> fields = ChecksummedText.decode(HEADER, bytes);
    String lkg = ChecksummedText.field(fields, "lastKnownGood");
    String pending = ChecksummedText.field(fields, "pending");
    SortedSet<Long> knownBad = versions(ChecksummedText.field(fields, "knownBad"));
    long failed = ChecksummedText.longField(fields, "failedStarts");
    if (failed < 0 || failed > Integer.MAX_VALUE) {
      throw new ChecksummedText.CorruptException("failedStarts " + failed + " is out of range");
    }
    // Versions and boot ids go out in signals, whose constructors refuse them out of range: a state that holds
    // one is as corrupt as one that fails its checksum, and must not stop the agent from starting.
    long generation = ChecksummedText.longField(fields, "generation");
    if (generation < 0) {
      throw new ChecksummedText.CorruptException("generation " + generation + " is negative");
    }
    long bootId = ChecksummedText.longField(fields, "bootId");
    if (bootId < 0 || bootId > Signal.MAX_COUNTER) {
      throw new ChecksummedText.CorruptException("bootId " + bootId + " is outside 0.." + Signal.MAX_COUNTER);
    }
    long highestAccepted = ChecksummedText.longField(fields, "highestAccepted");
    if (highestAccepted < -1) {
      throw new ChecksummedText.CorruptException("highestAccepted " + highestAccepted + " is below -1");
    }
    // previous and probationUntil come together or not at all; a state without them has no probation.
    String previous = fields.get("previous");
    boolean hasUntil = fields.containsKey("probationUntil");
    if ((previous == null) != !hasUntil) {
      throw new ChecksummedText.CorruptException(previous == null ? "probationUntil without previous"
          : "previous without probationUntil");
    }
    long probationUntil = hasUntil ? ChecksummedText.longField(fields, "probationUntil") : 0;
    if (probationUntil < 0) {
      throw new ChecksummedText.CorruptException("probationUntil " + probationUntil + " is negative");
    }
    return new AgentState(
        generation,
        bootId,
        lkg.equals("none") ? null : SlotContent.decode(lkg),
        pending.equals("none") ? null : SlotContent.decode(pending),
        (int) failed,
        highestAccepted,
        knownBad,
        previous == null || previous.equals("none") ? null : SlotContent.decode(previous),
        probationUntil);
  }
}
