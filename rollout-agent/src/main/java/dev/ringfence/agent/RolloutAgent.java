package dev.ringfence.agent;

import dev.ringfence.agent.internal.Args;
import java.util.Objects;
import dev.ringfence.agent.internal.AgentSettings;
import dev.ringfence.agent.internal.DefaultRolloutAgent;
import dev.ringfence.agent.internal.FileOps;
import dev.ringfence.agent.internal.RealFileOps;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.SignalSink;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
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

  /** Default of {@link Builder#probation(Duration)}: a day, longer than a slow crash loop takes to show. */
  Duration DEFAULT_PROBATION = Duration.ofHours(24);

  /** Default of {@link Builder#maxFailedStarts(int)}. */
  int DEFAULT_MAX_FAILED_STARTS = 3;

  /**
   * Default of {@link Builder#maxVersionJump(long)}: one billion. Generous enough for sequential versions
   * and for date-based ones such as {@code yyyyMMddHHmm} (a year is 10^8), small enough that one envelope
   * can never use up the version space ({@code Long.MAX_VALUE} is 9.2 × 10^18).
   */
  long DEFAULT_MAX_VERSION_JUMP = 1_000_000_000L;

  /**
   * Loads the state (recovering a damaged one to the last-known-good), increments the boot id, and
   * decides what this start runs: if a version is on trial, its failed-start counter is incremented and
   * persisted <em>before</em> it runs (unless the run before ended with {@link #onCleanShutdown()}); once the counter has reached the limit, the agent switches back to
   * the last-known-good instead, marks the version known-bad and reports {@code REVERTED_BY_AGENT}.
   * Needs no network.
   *
   * @return what was decided and the content to run
   * @throws AgentStorageException when the state directory cannot even be created
   * @throws IllegalStateException when called twice in one process
   */
  StartResult onStart();

  /**
   * Records that this process is about to exit cleanly (a planned restart, a service stop, an OS update),
   * so that the next start is not counted as a failed start of the version on trial: a clean restart is
   * not a crash. Call it last thing before a clean exit, once everything else of the shutdown has
   * succeeded; never from a crash or signal handler that runs after a failure. It writes a marker file
   * naming this run's boot id ({@code clean-shutdown}, docs/agent.md); the next {@link #onStart()} honours a
   * marker of the boot just before it and removes it. Without the marker (a crash, a kill, a power cut) the
   * next start counts as usual.
   *
   * @throws IllegalStateException before {@link #onStart()}
   * @throws AgentStorageException when the marker cannot be written; the next start then counts as usual
   */
  void onCleanShutdown();

  /**
   * Promotes the version on trial to last-known-good. Call once the host has run well with it, and do so at every
   * start once the host is healthy: it is idempotent (with nothing on trial it writes nothing and returns false),
   * so the consumer need not track whether this run's version is still on trial. The promoted version then starts
   * its probation ({@link Builder#probation(Duration)}): the version it replaced is kept to go back to if the
   * promoted one crash-loops later.
   *
   * @return true if a version was promoted, false if none was on trial
   * @throws AgentStorageException when the state cannot be written; the version stays on trial
   */
  boolean confirmHealthy();

  /**
   * Goes back to {@code version} because the update server said so (its rollout answered {@code REVERT}):
   * the version running now is marked known-bad and never activated again, and the host switches to the
   * slot that still holds {@code version} — the last-known-good when the abandoned version is on trial,
   * otherwise the other slot, if it verifies. Nothing is deleted: the abandoned bytes stay in their slot.
   * A heartbeat on {@code version} tells the server the endpoint is back. Calling it when the host already
   * runs {@code version} changes nothing.
   *
   * @param version the version the server wants back, usually the rollout's baseline
   * @param reason why, recorded in the event (e.g. the server's decision reason)
   * @return the content to run now
   * @throws RevertUnavailableException when no verified slot holds {@code version} (it was overwritten,
   *     damaged, or never here): the server must publish it again as a new, higher version
   * @throws AgentStorageException when the state cannot be written; nothing changed
   */
  ActiveContent revertTo(long version, String reason);

  /**
   * Sends a heartbeat on the version running now, in this process's signal order. Call it on a schedule,
   * at the server's heartbeat interval: the server counts an endpoint on trial that stops reporting as a
   * silent failure.
   *
   * @throws IllegalStateException before {@link #onStart()}
   */
  void heartbeat();

  /**
   * Reports that the host crashed while running {@code version} — for the host's crash handler, after the
   * restart that followed (a crash dump, an unclean-shutdown flag). Counted by the server as a crash of
   * that version; it does not change what the agent runs (the failed-start counter does that).
   *
   * @param version the version that ran when the host crashed
   * @param reason what the crash handler found; cut to the signal's reason limit
   * @throws dev.ringfence.protocol.InvalidInputException for a negative version or a null reason
   */
  void reportCrash(long version, String reason);

  /**
   * Reports a probe reading (a health metric the host measures, such as CPU or error rate) on the version
   * running now, in this process's signal order. The server compares candidate and control readings.
   *
   * @param metric the metric's name
   * @param value the reading; finite
   * @throws dev.ringfence.protocol.InvalidSignalException for a bad name or value
   */
  void reportProbe(String metric, double value);

  /**
   * The content the host should run now.
   *
   * @return the verified content, empty when none was ever activated
   */
  Optional<ActiveContent> activeContent();

  /**
   * Verifies a release and activates it on trial: the envelope's signatures (each by a trusted key, at
   * least the threshold of distinct keys), channel, expiry, the known-bad list and the version order,
   * then the payload's size and SHA-256; only then is it staged into the free slot and activated.
   * Every refusal is reported to the signal sink and thrown; the host keeps its content.
   *
   * @param envelope the release's signed envelope
   * @param payload the downloaded payload file; it is read, not moved or deleted
   * @return the new active content, on trial until {@link #confirmHealthy()}
   * @throws ContentRefusedException naming the check that failed in its {@link ContentRefusedException#reason()}
   * @throws UpdateInProgressException when another version is still on trial
   * @throws AgentStorageException when the state directory refuses the write
   * @throws IllegalStateException when the validation executor refuses the validation (shut down or saturated):
   *     nothing was activated, and the version is not marked known-bad
   */
  ActiveContent apply(Envelope envelope, Path payload);

  /**
   * Asks the update server for the channel's current release; when it is new, fetches its payload (with
   * retries, a circuit breaker, a time limit per attempt and a hard size cap), verifies, validates and
   * activates it on trial, exactly as {@link #apply}. Never throws for the server's or the release's
   * faults: they come back as {@link UpdateOutcome#UNAVAILABLE} or {@link UpdateOutcome#REFUSED}.
   *
   * @return what happened
   * @throws IllegalStateException when no update server was configured
   * @throws AgentStorageException when the state directory refuses the write
   */
  UpdateCheck checkForUpdate();

  /** @return a builder */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link RolloutAgent}; every setter checks its argument at once. A null is a
   * {@link NullPointerException}, a value out of range an {@link IllegalArgumentException}, and {@link #build()}
   * with a required setting missing an {@link IllegalStateException}: each names the setting and what is allowed.
   */
  final class Builder {
    private @Nullable Path stateDirectory;
    private @Nullable MemoryDisk memoryDisk;
    private @Nullable String endpointId;
    private int maxFailedStarts = DEFAULT_MAX_FAILED_STARTS;
    private long maxVersionJump = DEFAULT_MAX_VERSION_JUMP;
    private StartCounter startCounter = StartCounter.AGENT;
    private Duration probation = DEFAULT_PROBATION;
    private SignalSink sink = SignalSink.DISCARD;
    private @Nullable String channel;
    private @Nullable TrustStore trustStore;
    private @Nullable RootDocument trustRoot;
    private Clock clock = Clock.systemUTC();
    private ContentValidator validator = ContentValidator.ACCEPT_ALL;
    private Duration validationTimeout = ContentValidator.DEFAULT_TIMEOUT;
    private Executor validationExecutor = AgentSettings.DAEMON_THREAD_PER_TASK;
    private @Nullable URI updateServer;
    private FetchConfig fetchConfig = FetchConfig.ofDefaults();
    private @Nullable EndpointCredentials credentials;
    private @Nullable ExecutorService fetchExecutor;
    private Consumer<AgentEvent> listener = event -> { };

    private Builder() {}

    /**
     * @param directory where the slots, the pointer and the state file live; on a local disk, one agent per
     *     directory
     * @return this builder
     */
    public Builder stateDirectory(Path directory) {
      Objects.requireNonNull(directory, "stateDirectory: is null; pass a directory on a local disk");
      this.stateDirectory = directory;
      return this;
    }

    /**
     * Keeps the agent's files on a {@link MemoryDisk} instead of a directory: for simulations and tests
     * only. The {@link #stateDirectory(Path) state directory} then defaults to {@code agent} on that disk.
     *
     * @param disk the disk; build a new agent over the same disk to simulate a restart
     * @return this builder
     */
    public Builder memoryDisk(MemoryDisk disk) {
      Objects.requireNonNull(disk, "memoryDisk: is null; leave it unset to use stateDirectory on disk");
      this.memoryDisk = disk;
      return this;
    }

    /**
     * @param id the endpoint's stable id, as the update server knows it
     * @return this builder
     */
    public Builder endpointId(String id) {
      Objects.requireNonNull(id, "endpointId: is null");
      Args.require(!id.isBlank(), "endpointId", "is blank; every endpoint needs a stable id");
      this.endpointId = id;
      return this;
    }

    /**
     * @param max starts of a version on trial without {@link #confirmHealthy()} after which the agent
     *     reverts; 1 to 100, default 3
     * @return this builder
     */
    public Builder maxFailedStarts(int max) {
      Args.require(max >= 1 && max <= 100, "maxFailedStarts", max + " is outside 1..100");
      this.maxFailedStarts = max;
      return this;
    }

    /**
     * How long a version stays in <em>probation</em> after {@link #confirmHealthy()} promoted it: the version it
     * replaced stays in its slot as the previous version, every start that does not follow
     * {@link #onCleanShutdown()} is counted as a trial start is, and when {@link #maxFailedStarts(int)} starts
     * have been counted the agent goes back to the previous version by itself ({@code REVERTED_BY_AGENT}, "crash-looped
     * after confirmation"). A version that crashes later than its health window, so after its confirmation, then
     * comes back without hands. The probation ends at this time after the confirmation, when a newer version is
     * applied, or at a revert (docs/agent.md).
     *
     * @param length zero to 3650 days; default {@link #DEFAULT_PROBATION} (24 hours); {@link Duration#ZERO} turns
     *     probation off
     * @return this builder
     */
    public Builder probation(Duration length) {
      Objects.requireNonNull(length, "probation: is null; pass Duration.ZERO to turn probation off");
      Args.require(!length.isNegative() && length.compareTo(Duration.ofDays(3650)) <= 0, "probation",
          length + " is outside PT0S..P3650D");
      this.probation = length;
      return this;
    }

    /**
     * @param counter who counts the starts of a version on trial: {@link StartCounter#AGENT} (default), or
     *     {@link StartCounter#BOOT_GUARD} when {@code ringfence-bootguard start} runs before every start of the
     *     consumer and {@link #onStart()} only reads what it persisted
     * @return this builder
     */
    public Builder startCounter(StartCounter counter) {
      Objects.requireNonNull(counter, "startCounter: is null; pass AGENT or BOOT_GUARD");
      this.startCounter = counter;
      return this;
    }

    /**
     * Guards against fast-forward: an envelope whose version is more than {@code jump} above the highest
     * version this endpoint ever accepted is refused with a {@link ContentRefusedException} of reason {@link ContentRefusedException.Reason#VERSION_JUMP}, so one envelope (a
     * stolen threshold of keys, or a publisher's typo) cannot push the endpoint to a version so high that
     * every later genuine release looks stale. The first version an endpoint accepts is not limited (there is
     * nothing to jump from); the trust threshold guards it.
     *
     * @param jump 1 or more; default {@link #DEFAULT_MAX_VERSION_JUMP}. Set it near your release cadence
     *     (e.g. 1000 for sequential versions) for a tighter guard
     * @return this builder
     */
    public Builder maxVersionJump(long jump) {
      Args.require(jump >= 1, "maxVersionJump", jump + " is below 1");
      this.maxVersionJump = jump;
      return this;
    }

    /**
     * @param signalSink where heartbeats and apply results go; default discards them
     * @return this builder
     */
    public Builder signalSink(SignalSink signalSink) {
      Objects.requireNonNull(signalSink, "signalSink: is null; use SignalSink.DISCARD to send nothing");
      this.sink = signalSink;
      return this;
    }

    /**
     * @param name the channel this agent follows, 1 to 128 of {@code A-Z a-z 0-9 . _ -}, not starting with
     *     {@code .} (it is a path segment of the update server's routes); envelopes of other channels are
     *     refused
     * @return this builder
     */
    public Builder channel(String name) {
      Objects.requireNonNull(name, "channel: is null");
      Args.require(!name.isBlank(), "channel", "is blank");
      Args.require(name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}"), "channel", "'" + name + "' must be 1 to 128 of"
          + " A-Z a-z 0-9 . _ - and not start with '.'; it is a path segment of the update server's routes");
      this.channel = name;
      return this;
    }

    /**
     * @param store the release keys and their threshold
     * @return this builder
     */
    public Builder trustStore(TrustStore store) {
      Objects.requireNonNull(store, "trustStore: is null; build one with TrustStore.builder()");
      this.trustStore = store;
      return this;
    }

    /**
     * Trusts a root document instead of a fixed trust store: release keys come from its release role, the
     * agent follows rotations the update server publishes (each signed by a threshold of the old and of the new
     * root keys), refuses revoked keys by name, and, when the root has a timestamp role and this channel is not
     * exempt, requires an unexpired signed timestamp before it calls itself up to date. The newest verified
     * root and timestamp are kept in the state directory.
     *
     * @param root the root given out of band (shipped with the product); it must be signed by a threshold of
     *     its own root keys
     * @return this builder
     * @throws NullPointerException when the root is null
     * @throws InvalidInputException when the root is not signed by its own root keys
     */
    public Builder trustRoot(RootDocument root) {
      Objects.requireNonNull(root, "trustRoot: is null; read one with RootDocument.parse(bytes)");
      try {
        root.verifySelfSigned();
      } catch (ContentRefusedException e) {
        throw new InvalidInputException("trustRoot", e.getMessage());
      }
      this.trustRoot = root;
      return this;
    }

    /**
     * @param source the clock envelope expiry is judged by; default the UTC system clock
     * @return this builder
     */
    public Builder clock(Clock source) {
      Objects.requireNonNull(source, "clock: is null");
      this.clock = source;
      return this;
    }

    /**
     * @param check the application's own check of staged content, run before activation; prefer a
     *     {@link ProcessValidator}. Default accepts everything
     * @return this builder
     */
    public Builder validator(ContentValidator check) {
      Objects.requireNonNull(check, "validator: is null; use ContentValidator.ACCEPT_ALL for none");
      this.validator = check;
      return this;
    }

    /**
     * @param limit how long an in-process validator may run before the content is refused; default 10 s. A
     *     {@link ProcessValidator} enforces its own timeout and kills its child JVM
     * @return this builder
     */
    public Builder validationTimeout(Duration limit) {
      this.validationTimeout = Args.positive("validationTimeout", limit);
      return this;
    }

    /**
     * @param executor where in-process validators run; default a new daemon thread per validation, so a
     *     validator stuck past its timeout cannot keep the JVM alive
     * @return this builder
     */
    public Builder validationExecutor(Executor executor) {
      Objects.requireNonNull(executor, "validationExecutor: is null");
      this.validationExecutor = executor;
      return this;
    }

    /**
     * @param baseUri the update server, e.g. {@code https://updates.example.com/}; needed by
     *     {@link RolloutAgent#checkForUpdate()}
     * @return this builder
     */
    public Builder updateServer(URI baseUri) {
      Objects.requireNonNull(baseUri, "updateServer: is null");
      Args.require(baseUri.isAbsolute() && baseUri.getPath().endsWith("/"), "updateServer", baseUri
          + " must be an absolute URI ending with '/'");
      this.updateServer = baseUri;
      return this;
    }

    /**
     * @param config timeouts, retries, circuit breaker and payload cap of the fetcher; default
     *     {@link FetchConfig#ofDefaults()}
     * @return this builder
     */
    public Builder fetchConfig(FetchConfig config) {
      Objects.requireNonNull(config, "fetchConfig: is null; use FetchConfig.ofDefaults()");
      this.fetchConfig = config;
      return this;
    }

    /**
     * @param executor where fetch attempts and the HTTP client's tasks run; default a cached pool of daemon
     *     threads. It needs at least two threads (an attempt blocks one while the HTTP client uses another);
     *     a cached pool is best
     * @return this builder
     */
    public Builder fetchExecutor(ExecutorService executor) {
      Objects.requireNonNull(executor, "fetchExecutor: is null");
      this.fetchExecutor = executor;
      return this;
    }

    /**
     * @param eventListener receives an {@link AgentEvent} for every step, on the thread that made it; an
     *     exception it throws is swallowed and never breaks the protocol
     * @return this builder
     */
    public Builder onEvent(Consumer<AgentEvent> eventListener) {
      Objects.requireNonNull(eventListener, "onEvent: listener is null");
      this.listener = eventListener;
      return this;
    }

    /**
     * @param enrolled the credentials the update server issued at enrollment; every fetch then carries the
     *     endpoint id and bearer token. Their endpoint id must be this agent's.
     * @return this builder
     */
    public Builder credentials(EndpointCredentials enrolled) {
      Objects.requireNonNull(enrolled, "credentials: is null; leave credentials unset when the server needs none");
      this.credentials = enrolled;
      return this;
    }

    /**
     * @return the agent; call {@link RolloutAgent#onStart()} next
     * @throws IllegalStateException when the state directory, endpoint id, channel or trust store is missing, both
     *     a trust store and a trust root are set, or the credentials are for another endpoint
     */
    public RolloutAgent build() {
      Path directory = stateDirectory;
      if (directory == null && memoryDisk != null) {
        directory = Path.of("agent");
      }
      Args.state(directory != null, "stateDirectory", "is not set; call stateDirectory(path)");
      Args.state(endpointId != null, "endpointId", "is not set; call endpointId(id)");
      Args.state(channel != null, "channel", "is not set; call channel(name)");
      Args.state(trustStore == null || trustRoot == null, "trustRoot", "and trustStore are both set; set one: the root's"
          + " release role is the trust store");
      TrustStore keys = trustRoot != null ? trustRoot.releaseKeys() : trustStore;
      Args.state(keys != null, "trustStore", "is not set; call trustStore(store) or trustRoot(root)");
      Args.state(credentials == null || credentials.endpointId().equals(endpointId), "credentials",
          "are for endpoint '" + (credentials == null ? "" : credentials.endpointId()) + "', not '" + endpointId + "'");
      FileOps fileOps = memoryDisk == null ? RealFileOps.INSTANCE : memoryDisk.fileOps();
      return new DefaultRolloutAgent(new AgentSettings(directory, endpointId, maxFailedStarts, sink, fileOps,
          channel, keys, clock, validator, validationTimeout, validationExecutor,
          updateServer, fetchConfig, fetchExecutor == null ? AgentSettings.daemonPool() : fetchExecutor, listener, credentials,
          maxVersionJump, startCounter, trustRoot, probation));
    }
  }
}
