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
 */
public record AgentState(long generation, long bootId, @Nullable SlotContent lastKnownGood,
    @Nullable SlotContent pending, int failedStarts, long highestAccepted, SortedSet<Long> knownBad) {

  static final String HEADER = "ringfence-agent-state v1";

  /** Copies the set. */
  public AgentState {
    knownBad = Collections.unmodifiableSortedSet(new TreeSet<>(knownBad));
  }

  /** @return the state of an agent that has never run */
  public static AgentState empty() {
    return new AgentState(0, 0, null, null, 0, -1, new TreeSet<>());
  }

  /** @return the content the host should run now: the pending version if any, else the last-known-good */
  public @Nullable SlotContent active() {
    return pending != null ? pending : lastKnownGood;
  }

  AgentState withBootId(long newBootId) {
    return new AgentState(generation, newBootId, lastKnownGood, pending, failedStarts, highestAccepted, knownBad);
  }

  AgentState withPending(@Nullable SlotContent newPending, int newFailedStarts, long newHighest) {
    return new AgentState(generation, bootId, lastKnownGood, newPending, newFailedStarts, newHighest, knownBad);
  }

  AgentState promoted() {
    return new AgentState(generation, bootId, pending, null, 0, highestAccepted, knownBad);
  }

  AgentState revertedMarkingBad(long badVersion) {
    SortedSet<Long> bad = new TreeSet<>(knownBad);
    bad.add(badVersion);
    return new AgentState(generation, bootId, lastKnownGood, null, 0, highestAccepted, bad);
  }

  AgentState withKnownBad(long badVersion) {
    SortedSet<Long> bad = new TreeSet<>(knownBad);
    bad.add(badVersion);
    return new AgentState(generation, bootId, lastKnownGood, pending, failedStarts, highestAccepted, bad);
  }

  AgentState nextGeneration() {
    return new AgentState(generation + 1, bootId, lastKnownGood, pending, failedStarts, highestAccepted, knownBad);
  }

  byte[] encode() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("generation", Long.toString(generation));
    fields.put("bootId", Long.toString(bootId));
    fields.put("lastKnownGood", lastKnownGood == null ? "none" : lastKnownGood.encode());
    fields.put("pending", pending == null ? "none" : pending.encode());
    fields.put("failedStarts", Integer.toString(failedStarts));
    fields.put("highestAccepted", Long.toString(highestAccepted));
    fields.put("knownBad", knownBad.stream().map(String::valueOf).collect(Collectors.joining(",")));
    return ChecksummedText.encode(HEADER, fields);
  }

  static AgentState decode(byte[] bytes) throws ChecksummedText.CorruptException {
    Map<String, String> fields = ChecksummedText.decode(HEADER, bytes);
    String lkg = ChecksummedText.field(fields, "lastKnownGood");
    String pending = ChecksummedText.field(fields, "pending");
    String bad = ChecksummedText.field(fields, "knownBad");
    SortedSet<Long> knownBad = new TreeSet<>();
    if (!bad.isEmpty()) {
      for (String item : bad.split(",", -1)) {
        long version;
        try {
          version = Long.parseLong(item);
        } catch (NumberFormatException e) {
          throw new ChecksummedText.CorruptException("knownBad entry '" + item + "' is not a number");
        }
        if (version < 0) {
          throw new ChecksummedText.CorruptException("knownBad entry " + version + " is negative");
        }
        knownBad.add(version);
      }
    }
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
    return new AgentState(
        generation,
        bootId,
        lkg.equals("none") ? null : SlotContent.decode(lkg),
        pending.equals("none") ? null : SlotContent.decode(pending),
        (int) failed,
        highestAccepted,
        knownBad);
  }
}
