package dev.ringfence.agent;

import dev.ringfence.agent.internal.AgentSettings;
import dev.ringfence.agent.internal.DefaultRolloutAgent;
import dev.ringfence.agent.internal.RealFileOps;
import dev.ringfence.core.InvalidInputException;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The endpoint-side guard: keeps the content the host runs in two slots, activates new versions
 * atomically on trial, and reverts to the last-known-good by itself, without the server, after
 * {@link Builder#maxFailedStarts(int) N} starts that were not confirmed healthy.
 *
 * <p>Use: call {@link #onStart()} first thing at every process start and run what
 * {@link #activeContent()} returns; call {@link #confirmHealthy()} once the host has run well for its
 * health window. The protocol and file format are described in {@code docs/agent.md}.
 *
 * <p>Instances are thread-safe. One agent (one process) per state directory.
 */
public interface RolloutAgent {

  /** Default of {@link Builder#maxFailedStarts(int)}. */
  int DEFAULT_MAX_FAILED_STARTS = 3;

  /**
   * Loads the state (recovering a damaged one to the last-known-good), increments the boot id, and
   * decides what this start runs: if a version is on trial, its failed-start counter is incremented and
   * persisted <em>before</em> it runs; once the counter has reached the limit, the agent switches back to
   * the last-known-good instead, marks the version known-bad and reports {@code REVERTED_BY_AGENT}.
   * Needs no network.
   *
   * @return what was decided and the content to run
   * @throws AgentStorageException when the state directory cannot even be created
   * @throws IllegalStateException when called twice in one process
   */
  StartResult onStart();

  /**
   * Promotes the version on trial to last-known-good. Call once the host has run well with it.
   *
   * @return true if a version was promoted, false if none was on trial
   * @throws AgentStorageException when the state cannot be written; the version stays on trial
   */
  boolean confirmHealthy();

  /**
   * The content the host should run now.
   *
   * @return the verified content, empty when none was ever activated
   */
  Optional<ActiveContent> activeContent();

  /** @return a builder */
  static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RolloutAgent}; every setter checks its argument at once. */
  final class Builder {
    private @Nullable Path stateDirectory;
    private @Nullable String endpointId;
    private int maxFailedStarts = DEFAULT_MAX_FAILED_STARTS;
    private SignalSink sink = SignalSink.DISCARD;

    private Builder() {}

    /**
     * @param directory where the slots, the pointer and the state file live; on a local disk, one agent per
     *     directory
     * @return this builder
     */
    public Builder stateDirectory(Path directory) {
      if (directory == null) {
        throw new InvalidInputException("stateDirectory", "is null; pass a directory on a local disk");
      }
      this.stateDirectory = directory;
      return this;
    }

    /**
     * @param id the endpoint's stable id, as the update server knows it
     * @return this builder
     */
    public Builder endpointId(String id) {
      if (id == null || id.isBlank()) {
        throw new InvalidInputException("endpointId", "is null or blank; every endpoint needs a stable id");
      }
      this.endpointId = id;
      return this;
    }

    /**
     * @param max starts of a version on trial without {@link #confirmHealthy()} after which the agent
     *     reverts; 1 to 100, default 3
     * @return this builder
     */
    public Builder maxFailedStarts(int max) {
      if (max < 1 || max > 100) {
        throw new InvalidInputException("maxFailedStarts", max + " is outside 1..100");
      }
      this.maxFailedStarts = max;
      return this;
    }

    /**
     * @param signalSink where heartbeats and apply results go; default discards them
     * @return this builder
     */
    public Builder signalSink(SignalSink signalSink) {
      if (signalSink == null) {
        throw new InvalidInputException("signalSink", "is null; use SignalSink.DISCARD to send nothing");
      }
      this.sink = signalSink;
      return this;
    }

    /**
     * @return the agent; call {@link RolloutAgent#onStart()} next
     * @throws InvalidInputException when the state directory or endpoint id is missing
     */
    public RolloutAgent build() {
      if (stateDirectory == null) {
        throw new InvalidInputException("stateDirectory", "is not set; call stateDirectory(path)");
      }
      if (endpointId == null) {
        throw new InvalidInputException("endpointId", "is not set; call endpointId(id)");
      }
      return new DefaultRolloutAgent(new AgentSettings(stateDirectory, endpointId, maxFailedStarts, sink,
          RealFileOps.INSTANCE));
    }
  }
}
