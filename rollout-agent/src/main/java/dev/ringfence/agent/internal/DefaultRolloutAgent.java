package dev.ringfence.agent.internal;

import dev.ringfence.agent.FetchConfig;
import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.AgentEvent;
import dev.ringfence.agent.AgentStorageException;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.RevertUnavailableException;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.StartAction;
import dev.ringfence.agent.StartCounter;
import dev.ringfence.agent.StartResult;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.agent.UpdateCheck;
import dev.ringfence.agent.UpdateInProgressException;
import dev.ringfence.agent.UpdateOutcome;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.Signal;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The activation protocol over a {@link SlotStore}.
 *
 * <p>Activation: stage into the slot that holds neither the last-known-good nor a pending version →
 * check the digest → (validate) → write the state with the new version pending and its counter at 0 →
 * switch the pointer. Each {@link #onStart()} while a version is pending first persists counter + 1;
 * once the counter has reached the limit, the start reverts to the last-known-good instead, marks the
 * version known-bad and reports {@link ApplyOutcome#REVERTED_BY_AGENT}. {@link #confirmHealthy()} promotes
 * the pending version to last-known-good. The state file is written before the pointer, and the pointer
 * is rewritten from the state at every start, so a kill between the two is harmless.
 */
public final class DefaultRolloutAgent implements RolloutAgent {

  private static final Logger LOG = LoggerFactory.getLogger(DefaultRolloutAgent.class);

  private final AgentSettings settings;
  private final SlotStore store;
  private final SignalReporter signals;
  private @Nullable AgentState state;
  /** What this process runs; differs from {@code state.active()} only when a counter could not be persisted. */
  private @Nullable SlotContent running;

  private final @Nullable HttpFetcher fetcher;
  private final @Nullable TrustKeeper trust;
  private final @Nullable UpdateClient updates;

  /** @param settings validated settings */
  public DefaultRolloutAgent(AgentSettings settings) {
    this.settings = settings;
    this.store = new SlotStore(settings.stateDirectory(), settings.fileOps());
    URI server = settings.updateServer();
    String channel = settings.channel();
    this.fetcher = server == null || channel == null ? null
        : new HttpFetcher(server, channel, settings.fetchConfig(), settings.fetchExecutor(), settings.credentials(),
            this::runningVersion);
    RootDocument root = settings.trustRoot();
    this.trust = root == null ? null : new TrustKeeper(root, settings.fileOps(), settings.stateDirectory());
    this.signals = new SignalReporter(settings);
    this.updates = fetcher == null ? null : new UpdateClient(this, settings, fetcher, trust, signals,
        store.directory());
  }

  /** @return the validated settings this agent was built with, for tests that swap the file operations */
  public AgentSettings settings() {
    return settings;
  }

  /** @return the trust state when the agent follows a trust root, for tests and diagnostics */
  public @Nullable TrustKeeper trust() {
    return trust;
  }

  /** @return the fetcher, for tests */
  public @Nullable HttpFetcher fetcher() {
    return fetcher;
  }

  private EnvelopeVerifier verifier() {
    String channel = settings.channel();
    if (channel == null) {
      throw new IllegalStateException("a channel is required");
    }
    return new EnvelopeVerifier(trustStoreOrFail(), channel, settings.maxVersionJump());
  }

  private TrustStore trustStoreOrFail() {
    TrustKeeper keeper = trust;
    TrustStore trustStore = keeper != null ? keeper.releaseKeys() : settings.trustStore();
    if (trustStore == null) {
      throw new IllegalStateException("a trust store is required");
    }
    return trustStore;
  }

  @Override
  public UpdateCheck checkForUpdate() {
    UpdateClient client = updates;
    if (client == null) {
      throw new IllegalStateException("checkForUpdate() needs an update server and a channel; set both on the"
          + " builder");
    }
    return client.check();
  }

  /** @return the state of a started agent, under its lock */
  synchronized AgentState current() {
    return started();
  }

  /**
   * Checks an offered envelope against the trust store and the agent's state (highest accepted, known-bad).
   *
   * @param envelope the envelope
   */
  synchronized void verifyOffered(Envelope envelope) {
    verifier().verify(envelope, settings.clock().instant(), started());
  }

  /**
   * Checks that an envelope of the version already accepted is still authentic and unexpired.
   *
   * @param envelope the envelope
   */
  void verifyAuthentic(Envelope envelope) {
    verifier().verifyAuthentic(envelope, settings.clock().instant());
  }

  /** @return the store, for tests */
  public SlotStore store() {
    return store;
  }

  @Override
  public synchronized StartResult onStart() {
    if (state != null) {
      throw new IllegalStateException("onStart() was already called in this process; call it once, first thing");
    }
    SlotStore.Loaded loaded;
    try {
      loaded = store.load();
    } catch (IOException e) {
      throw new AgentStorageException("stateDirectory: cannot create " + store.directory()
          + "; check that it is writable", e);
    }
    List<String> problems = new ArrayList<>(loaded.problems());
    // The previous process exited cleanly if it left a marker naming its boot, the last one the state has
    // seen. A marker of an older boot is stale (a start came in between and did not consume it).
    long markerBoot = store.readCleanShutdown();
    boolean cleanRestart = markerBoot >= 0 && markerBoot == loaded.state().bootId();
    // With the native boot guard installed it counts the start before this process runs, and this start only
    // reads its result; the guard moved the boot id on, so the same boot id as at the last start means it did not
    // run, and then the agent counts, so that a start is never left uncounted.
    boolean guardInstalled = settings.startCounter() == StartCounter.BOOT_GUARD;
    SlotStore.AgentStart lastAgentStart = guardInstalled ? store.readAgentStart() : null;
    long lastAgentBoot = lastAgentStart == null ? -1 : lastAgentStart.bootId();
    boolean guardCounted = guardInstalled && lastAgentBoot != loaded.state().bootId();
    AgentState next = loaded.state();
    if (!guardCounted) {
      next = next.withBootId((next.bootId() + 1) & Signal.MAX_COUNTER);
    }
    next = checkLastKnownGood(next, problems);

    StartAction action;
    String reason;
    boolean probationRefusal = false;
    SlotContent pending = next.pending();
    SlotContent confirmed = next.lastKnownGood();
    if (pending != null && (pending.slot() == (next.lastKnownGood() == null ? null : next.lastKnownGood().slot())
        || !store.verify(pending))) {
      next = next.revertedMarkingBad(pending.version());
      action = StartAction.REVERTED;
      reason = "pending v" + pending.version() + " in slot " + pending.slot() + " is damaged; "
          + backOn(next) + ", v" + pending.version() + " marked known-bad";
    } else if (pending != null && guardCounted) {
      action = StartAction.TRIAL;
      reason = "v" + pending.version() + " on trial, start " + next.failedStarts() + " counted by the boot guard";
    } else if (pending != null && !cleanRestart && next.failedStarts() >= settings.maxFailedStarts()) {
      next = next.revertedMarkingBad(pending.version());
      action = StartAction.REVERTED;
      reason = "v" + pending.version() + " failed " + settings.maxFailedStarts()
          + " starts without confirmHealthy(); " + backOn(next) + ", v" + pending.version() + " marked known-bad";
    } else if (pending != null && cleanRestart) {
      // The run before ended in a clean shutdown, so it did not fail to start: this start is not counted.
      action = StartAction.TRIAL;
      reason = "v" + pending.version() + " on trial after a clean shutdown, not counted: still "
          + next.failedStarts() + " of " + settings.maxFailedStarts() + " failed starts";
    } else if (pending != null) {
      next = next.withPending(pending, next.failedStarts() + 1, next.highestAccepted());
      action = StartAction.TRIAL;
      reason = "v" + pending.version() + " on trial, start " + next.failedStarts() + " of "
          + settings.maxFailedStarts();
    } else if (next.previous() != null) {
      Probation probation = probationStart(next, guardCounted, cleanRestart);
      next = probation.state();
      action = probation.action();
      reason = probation.reason();
      probationRefusal = probation.refused();
    } else {
      action = next.lastKnownGood() == null ? StartAction.NO_CONTENT : StartAction.LAST_KNOWN_GOOD;
      reason = next.lastKnownGood() == null ? "no content activated yet"
          : "running last-known-good v" + next.lastKnownGood().version();
    }
    // The guard reverted a version since the agent last ran (a trial that crash-looped before any JVM ran, or a
    // confirmed version in probation): the agent is the only one that can tell the server, so it does it now.
    long guardReverted = -1;
    SortedSet<Long> fresh = new TreeSet<>();
    if (guardCounted && action != StartAction.REVERTED && lastAgentStart.knownBad() != null) {
      fresh.addAll(next.knownBad());
      fresh.removeAll(lastAgentStart.knownBad());
      if (!fresh.isEmpty()) {
        guardReverted = fresh.last();
        action = StartAction.REVERTED;
        reason = "the boot guard reverted v" + guardReverted + " since the agent last ran (v" + guardReverted
            + " known-bad); " + reason;
      }
    }
    if (!problems.isEmpty()) {
      reason = String.join("; ", problems) + "; " + reason;
      if (action != StartAction.REVERTED) {
        action = StartAction.RECOVERED;
      }
    }

    if (guardInstalled && !guardCounted) {
      reason = "the boot guard did not run before this start (boot " + lastAgentBoot + " again): counted by the"
          + " agent; " + reason;
      LOG.warn("{}: {}", store.directory(), reason);
    }
    try {
      if (!guardCounted || !next.equals(loaded.state())) {
        next = store.writeState(next);
      }
      running = next.active();
    } catch (IOException e) {
      // The counter could not be persisted: a trial start that is not counted could loop forever, so
      // this boot runs the last-known-good, and the disk's state stays as it was.
      running = loaded.state().lastKnownGood();
      reason = "cannot write the state file (" + e.getMessage() + "): running last-known-good "
          + (running == null ? "(none)" : "v" + running.version()) + " for this boot; " + reason;
      if (action == StartAction.TRIAL) {
        action = running == null ? StartAction.NO_CONTENT : StartAction.RECOVERED;
      }
    }
    state = next;
    if (markerBoot >= 0 && !guardCounted) {
      try {
        // After the state: a kill in between leaves a marker of an older boot, which the next start ignores.
        store.deleteCleanShutdown();
      } catch (IOException e) {
        reason = reason + "; clean-shutdown marker not removed (" + e.getMessage() + "), it is stale now";
      }
    }
    try {
      if (!guardCounted || !store.readPointer().equals(Optional.ofNullable(running).map(SlotContent::slot))) {
        store.pointTo(running);
      }
    } catch (IOException e) {
      // The state is authoritative and the pointer is rewritten at the next start.
      reason = reason + "; pointer not updated (" + e.getMessage() + ")";
    }
    if (guardInstalled) {
      try {
        store.writeAgentStart(next.bootId(), next.knownBad());
      } catch (IOException e) {
        // Then the next start takes the guard for having run: at most one start goes uncounted, never two counts.
        reason = reason + "; agent-start not recorded (" + e.getMessage() + ")";
      }
    }
    long version = running == null ? 0 : running.version();
    // A revert out of probation abandons the confirmed version the host ran, not a pending one.
    long abandoned = guardReverted >= 0 ? guardReverted
        : pending != null ? pending.version() : confirmed != null ? confirmed.version() : version;
    if (action == StartAction.REVERTED) {
      signals.emit(AgentEvent.Type.REVERTED, abandoned, reason);
    } else if (action == StartAction.RECOVERED) {
      signals.emit(AgentEvent.Type.RECOVERED, version, reason);
    }
    signals.emit(AgentEvent.Type.STARTED, version, action + ": " + reason);
    for (long earlier : fresh.headSet(guardReverted)) {
      // More than one reverted while the agent did not run (rare): each is reported; the last below, as any revert.
      signals.applyResult(next.bootId(), earlier, ApplyOutcome.REVERTED_BY_AGENT, "the boot guard reverted v" + earlier
          + " since the agent last ran");
    }
    if (action == StartAction.REVERTED || action == StartAction.RECOVERED) {
      long failedVersion = action == StartAction.REVERTED ? abandoned : version;
      signals.applyResult(next.bootId(), failedVersion,
          ApplyOutcome.REVERTED_BY_AGENT, reason);
    }
    if (probationRefusal) {
      // The version crash-looped after its confirmation and nothing is left to go back to: the server must hear it.
      LOG.warn("{}: {}", store.directory(), reason);
      signals.applyResult(next.bootId(), version, ApplyOutcome.CRASHED, reason);
    }
    // At a trial start, every earlier run of the pending version ended without confirmHealthy(), the
    // activating run included: that is what the server must hear, before this run can crash too.
    signals.heartbeat(next.bootId(), version,
        action == StartAction.TRIAL ? next.failedStarts() : 0);
    return new StartResult(action, toActive(running),
        next.pending() != null || next.previous() != null ? next.failedStarts() : 0, reason);
  }

  /** What a start decided about a last-known-good in probation. */
  private record Probation(AgentState state, StartAction action, String reason, boolean refused) {}

  /**
   * A start while the state records a previous version: the last-known-good was confirmed less than the probation
   * period ago (or the probation has just ended). Every start that does not follow a clean shutdown is counted as a
   * trial start is; at the limit the agent goes back to the previous version, if its slot still verifies.
   */
  private Probation probationStart(AgentState next, boolean guardCounted, boolean cleanRestart) {
    SlotContent lkg = next.lastKnownGood();
    SlotContent previous = next.previous();
    long now = settings.clock().millis();
    int max = settings.maxFailedStarts();
    String until = java.time.Instant.ofEpochMilli(next.probationUntil()).toString();
    if (lkg == null || previous == null) {
      return new Probation(next.withoutProbation(), lkg == null ? StartAction.NO_CONTENT : StartAction.LAST_KNOWN_GOOD,
          "no content activated yet", false);
    }
    String v = "v" + lkg.version();
    if (guardCounted) {
      // The guard counted, reverted or ended the probation before this process; this start only reads it.
      return new Probation(next, StartAction.LAST_KNOWN_GOOD, "running last-known-good " + v + " in probation until "
          + until + ", start " + next.failedStarts() + " counted by the boot guard", false);
    }
    if (!next.inProbation(now)) {
      return new Probation(next.withoutProbation(), StartAction.LAST_KNOWN_GOOD, "running last-known-good " + v
          + "; its probation ended at " + until + ", previous v" + previous.version() + " is no longer guarded", false);
    }
    if (cleanRestart) {
      return new Probation(next, StartAction.LAST_KNOWN_GOOD, "running last-known-good " + v + " in probation after a"
          + " clean shutdown, not counted: still " + next.failedStarts() + " of " + max + " failed starts", false);
    }
    if (next.failedStarts() >= max) {
      String loop = v + " crash-looped after confirmation: " + max + " starts in probation (until " + until
          + ") did not follow a clean shutdown";
      if (previous.slot() != lkg.slot() && !next.knownBad().contains(previous.version()) && store.verify(previous)) {
        return new Probation(next.revertedToPrevious(), StartAction.REVERTED, loop + "; back on previous v"
            + previous.version() + " in slot " + previous.slot() + ", " + v + " marked known-bad", false);
      }
      return new Probation(next.withoutProbation(), StartAction.LAST_KNOWN_GOOD, loop + ", but previous v"
          + previous.version() + " in slot " + previous.slot() + " no longer verifies: cannot revert, still running "
          + v + "; probation ended", true);
    }
    AgentState counted = next.withFailedStarts(next.failedStarts() + 1);
    return new Probation(counted, StartAction.LAST_KNOWN_GOOD, "running last-known-good " + v + " in probation until "
        + until + ", start " + counted.failedStarts() + " of " + max, false);
  }

  private static String backOn(AgentState next) {
    return next.lastKnownGood() == null ? "no last-known-good: running without content"
        : "back on last-known-good v" + next.lastKnownGood().version();
  }

  private AgentState checkLastKnownGood(AgentState current, List<String> problems) {
    SlotContent lkg = current.lastKnownGood();
    if (lkg == null || store.verify(lkg)) {
      return current;
    }
    // The other slot may still hold an older verified version that is neither pending nor known-bad, and that
    // passed the validator once: at most the highest version accepted (a version staged there whose validation never
    // finished, the process killed meanwhile, is above it), and in a probation the very content it replaced.
    SlotContent pending = current.pending();
    SlotContent previous = current.previous();
    Optional<SlotContent> other = store.readVerifiedSlot(lkg.slot().other())
        .filter(c -> pending == null || c.slot() != pending.slot())
        .filter(c -> !current.knownBad().contains(c.version()))
        .filter(c -> c.version() <= current.highestAccepted())
        .filter(c -> previous == null || (c.version() == previous.version() && c.sha256().equals(previous.sha256())));
    problems.add("last-known-good v" + lkg.version() + " in slot " + lkg.slot() + " is damaged; "
        + other.map(c -> "falling back to v" + c.version() + " in slot " + c.slot())
            .orElse("no other verified slot holds an accepted version"));
    // Without a pending version the counter was the probation's, which ends here.
    return new AgentState(current.generation(), current.bootId(), other.orElse(null), pending,
        pending == null ? 0 : current.failedStarts(), current.highestAccepted(), current.knownBad());
  }

  @Override
  public synchronized void onCleanShutdown() {
    AgentState current = state;
    if (current == null) {
      throw new IllegalStateException("onCleanShutdown() before onStart(): there is no run to end");
    }
    try {
      store.writeCleanShutdown(current.bootId(), running == null ? 0 : running.version());
    } catch (IOException e) {
      throw new AgentStorageException("stateDirectory: cannot write the clean-shutdown marker in "
          + store.directory() + " (" + e.getMessage() + "); the next start counts as any other", e);
    }
  }

  @Override
  public synchronized boolean confirmHealthy() {
    AgentState current = started();
    SlotContent pending = current.pending();
    if (pending == null || !pending.equals(running)) {
      return false;
    }
    try {
      state = store.writeState(current.promoted(probationUntil(current)));
    } catch (IOException e) {
      throw new AgentStorageException("stateDirectory: cannot record v" + pending.version() + " as healthy in "
          + store.directory() + " (" + e.getMessage() + "); it stays on trial. Free space and call confirmHealthy()"
          + " again", e);
    }
    signals.heartbeat(current.bootId(), pending.version(), 0);
    signals.emit(AgentEvent.Type.CONFIRMED, pending.version(), "v" + pending.version() + " is now the last-known-good");
    return true;
  }

  /** When the probation of a version confirmed now ends: 0 (none) when it is disabled or nothing is replaced. */
  private long probationUntil(AgentState current) {
    long length = settings.probation().toMillis();
    if (length == 0 || current.lastKnownGood() == null) {
      return 0;
    }
    long now = settings.clock().millis();
    return now > Long.MAX_VALUE - length ? Long.MAX_VALUE : now + length;
  }

  private synchronized long runningVersion() {
    SlotContent now = running;
    return now == null ? 0 : now.version();
  }

  UpdateCheck followRevert(long version, String reason) {
    if (runningVersion() == version) {
      return new UpdateCheck(UpdateOutcome.UP_TO_DATE, version, "already on v" + version + " (server: " + reason + ")");
    }
    try {
      revertTo(version, reason);
      return new UpdateCheck(UpdateOutcome.REVERTED, version, "server asked for v" + version + ": " + reason);
    } catch (RevertUnavailableException e) {
      return new UpdateCheck(UpdateOutcome.REFUSED, version, e.getMessage());
    }
  }

  @Override
  public synchronized ActiveContent revertTo(long version, String reason) {
    AgentState current = started();
    if (reason == null) {
      throw new InvalidInputException("reason", "is null; say why the server asked for the revert");
    }
    SlotContent now = running;
    if (now != null && now.version() == version) {
      return toActive(now);
    }
    SlotContent lkg = current.lastKnownGood();
    SlotContent pending = current.pending();
    AgentState next;
    SlotContent target;
    long abandoned;
    if (pending != null && lkg != null && lkg.version() == version && store.verify(lkg)) {
      target = lkg;
      abandoned = pending.version();
      next = current.revertedMarkingBad(abandoned);
    } else {
      SlotContent active = current.active();
      Optional<SlotContent> other = active == null ? Optional.empty()
          : store.readVerifiedSlot(active.slot().other()).filter(c -> c.version() == version)
              .filter(c -> !current.knownBad().contains(version));
      if (other.isEmpty() || active == null) {
        throw new RevertUnavailableException(version, "slots hold " + describe(lkg, pending)
            + (current.knownBad().contains(version) ? "; v" + version + " is known-bad here" : ""));
      }
      target = other.get();
      abandoned = active.version();
      next = new AgentState(current.generation(), current.bootId(), target, null, 0, current.highestAccepted(),
          current.knownBad()).withKnownBad(abandoned);
    }
    try {
      state = store.writeState(next);
    } catch (IOException e) {
      throw new AgentStorageException("stateDirectory: cannot record the revert to v" + version + " in "
          + store.directory() + " (" + e.getMessage() + "); still running v" + (now == null ? 0 : now.version())
          + ". Free space and retry", e);
    }
    running = target;
    try {
      store.pointTo(target);
    } catch (IOException e) {
      // Harmless: the pointer is rewritten from the state at the next start.
    }
    signals.emit(AgentEvent.Type.REVERTED, abandoned, "server asked for v" + version + " (" + reason + "); back on v"
        + version + ", v" + abandoned + " marked known-bad");
    signals.heartbeat(state.bootId(), version, 0);
    return toActive(target);
  }

  private static String describe(@Nullable SlotContent lkg, @Nullable SlotContent pending) {
    return "last-known-good " + (lkg == null ? "none" : "v" + lkg.version() + " in " + lkg.slot())
        + ", on trial " + (pending == null ? "none" : "v" + pending.version() + " in " + pending.slot());
  }

  @Override
  public synchronized void heartbeat() {
    AgentState current = started();
    SlotContent now = running;
    signals.heartbeat(current.bootId(), now == null ? 0 : now.version(), 0);
  }

  @Override
  public synchronized void reportCrash(long version, String reason) {
    AgentState current = started();
    if (version < 0) {
      throw new InvalidInputException("version", version + " is negative");
    }
    if (reason == null) {
      throw new InvalidInputException("reason", "is null; say what the crash handler found");
    }
    signals.applyResult(current.bootId(), version,
        ApplyOutcome.CRASHED, reason);
  }

  @Override
  public synchronized void reportProbe(String metric, double value) {
    AgentState current = started();
    SlotContent now = running;
    signals.probe(current.bootId(), now == null ? 0 : now.version(), metric, value);
  }

  @Override
  public synchronized Optional<ActiveContent> activeContent() {
    started();
    return Optional.ofNullable(toActive(running));
  }

  /**
   * Stages verified bytes into the free slot, checks their digest, runs the validator on the staged file,
   * and activates them as the pending version. Callers have verified the envelope; this checks the
   * known-bad list and the version order again. A validation failure marks the version known-bad.
   *
   * @param version the version
   * @param chunks the content
   * @param expectedSha256 the digest the signed envelope names
   * @return the new active content
   */
  public synchronized ActiveContent stageAndActivate(long version, List<byte[]> chunks, String expectedSha256) {
    AgentState current = started();
    checkAcceptable(current, version);
    Slot target = current.lastKnownGood() == null ? Slot.A : current.lastKnownGood().slot().other();
    SlotContent staged;
    try {
      staged = store.stage(target, version, chunks);
    } catch (IOException e) {
      throw new AgentStorageException("stateDirectory: cannot stage v" + version + " into slot " + target + " of "
          + store.directory() + " (" + e.getMessage() + "); the host stays on its current content. Free space"
          + " and retry", e);
    }
    if (!staged.sha256().equals(expectedSha256)) {
      throw Refusals.digestMismatch(version, "sha256", expectedSha256, staged.sha256());
    }
    String refusal = Validation.run(settings.validator(), store.contentFile(target), version,
        settings.validationTimeout(), settings.validationExecutor());
    if (refusal != null) {
      try {
        // The refused bytes went into the free slot, which may have held the previous version: no probation.
        state = store.writeState(current.withKnownBad(version).withoutProbation());
      } catch (IOException e) {
        refusal = refusal + " (known-bad mark not persisted: " + e.getMessage() + ")";
      }
      throw Refusals.validationFailed(version, refusal);
    }
    AgentState next;
    try {
      next = store.writeState(current.withPending(staged, 0, version));
    } catch (IOException e) {
      throw new AgentStorageException("stateDirectory: cannot record v" + version + " as pending in "
          + store.directory() + " (" + e.getMessage() + "); the host stays on its current content. Free space"
          + " and retry", e);
    }
    state = next;
    running = staged;
    try {
      store.pointTo(staged);
    } catch (IOException e) {
      // Harmless: the state says pending, and the pointer is rewritten from it at the next start.
    }
    signals.applyResult(next.bootId(), version,
        ApplyOutcome.ACTIVATED, "v" + version + " verified and activated on trial");
    signals.emit(AgentEvent.Type.ACTIVATED, version, "v" + version + " verified, validated and activated on trial in slot "
        + target);
    return toActive(staged);
  }

  @Override
  public synchronized ActiveContent apply(Envelope envelope, Path payload) {
    AgentState current = started();
    String channel = settings.channel();
    TrustKeeper keeper = trust;
    TrustStore trustStore = keeper != null ? keeper.releaseKeys() : settings.trustStore();
    if (channel == null || trustStore == null) {
      throw new IllegalStateException("apply() needs a channel and a trust store; set both on the builder");
    }
    try {
      new EnvelopeVerifier(trustStore, channel, settings.maxVersionJump()).verify(envelope,
          settings.clock().instant(), current);
      if (current.pending() != null) {
        throw new UpdateInProgressException(envelope.version(), current.pending().version());
      }
      List<byte[]> chunks = readPayload(settings.fileOps(), envelope, payload);
      EnvelopeVerifier.checkPayload(envelope, chunks.stream().mapToLong(c -> c.length).sum(), Digests.sha256Hex(chunks));
      return stageAndActivate(envelope.version(), chunks, envelope.sha256());
    } catch (ContentRefusedException e) {
      signals.refused(current.bootId(), envelope.version(), e);
      throw e;
    }
  }

  private static List<byte[]> readPayload(FileOps ops, Envelope envelope, Path payload) {
    if (envelope.size() > FetchConfig.MAX_PAYLOAD_BYTES) {
      // The payload is held in memory while it is staged and verified: refused before a byte is read.
      throw Refusals.payloadTooLarge(envelope.version(), FetchConfig.MAX_PAYLOAD_BYTES);
    }
    try {
      long size = ops.size(payload);
      if (size != envelope.size()) {
        // Checked before reading, so an oversized payload is never loaded into memory.
        throw Refusals.digestMismatch(envelope.version(), "size", envelope.size() + " bytes", size + " bytes");
      }
      return SlotStore.chunks(ops.readAllBytes(payload));
    } catch (IOException e) {
      throw new AgentStorageException("payload: cannot read " + payload + " (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Refuses a version that is on trial already, known-bad, or not above the highest accepted.
   *
   * @param version the offered version
   */
  public synchronized void checkAcceptable(long version) {
    checkAcceptable(started(), version);
  }

  private static void checkAcceptable(AgentState current, long version) {
    SlotContent pending = current.pending();
    if (pending != null) {
      throw new UpdateInProgressException(version, pending.version());
    }
    if (current.knownBad().contains(version)) {
      throw Refusals.knownBad(version);
    }
    if (version <= current.highestAccepted()) {
      throw Refusals.stale(version, current.highestAccepted());
    }
  }

  /** @return the state as last written or loaded, for tests and diagnostics */
  public synchronized AgentState state() {
    return started();
  }

  private AgentState started() {
    AgentState current = state;
    if (current == null) {
      throw new IllegalStateException("call onStart() first, at process start");
    }
    return current;
  }

  private @Nullable ActiveContent toActive(@Nullable SlotContent content) {
    return content == null ? null
        : new ActiveContent(store.contentFile(content.slot()), content.version(), content.sha256(), content.size());
  }

}
