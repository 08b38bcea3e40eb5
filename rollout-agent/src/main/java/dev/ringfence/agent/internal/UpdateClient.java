package dev.ringfence.agent.internal;

import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.AgentStorageException;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.MalformedEnvelopeException;
import dev.ringfence.agent.TimestampDocument;
import dev.ringfence.agent.UpdateCheck;
import dev.ringfence.agent.UpdateOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The agent's network side, {@code checkForUpdate()}: asks the update server for this endpoint's decision,
 * follows a REVERT, checks the trust root and the channel's timestamp, verifies the offered envelope, downloads
 * the payload and hands it to the agent's activation protocol ({@link DefaultRolloutAgent#apply}). Holds no
 * lock while it waits on the network; the agent's state is read and changed only through the agent.
 */
final class UpdateClient {

  private final DefaultRolloutAgent agent;
  private final AgentSettings settings;
  private final HttpFetcher http;
  private final @Nullable TrustKeeper trust;
  private final SignalReporter signals;
  private final Path stateDirectory;

  UpdateClient(DefaultRolloutAgent agent, AgentSettings settings, HttpFetcher http, @Nullable TrustKeeper trust,
      SignalReporter signals, Path stateDirectory) {
    this.agent = agent;
    this.settings = settings;
    this.http = http;
    this.trust = trust;
    this.signals = signals;
    this.stateDirectory = stateDirectory;
  }

  /**
   * One poll: the decision (following a REVERT first), the trust checks, the envelope's checks, the download and
   * the activation.
   *
   * @return what happened
   */
  UpdateCheck check() {
    AgentState current = agent.current();
    HttpFetcher.EnvelopeAnswer answer;
    try {
      answer = http.fetchEnvelope();
    } catch (HttpFetcher.FetchFailedException e) {
      answer = null;
      if (current.pending() == null) {
        return new UpdateCheck(UpdateOutcome.UNAVAILABLE, -1, e.getMessage());
      }
    }
    if (answer != null && answer.revertTo() >= 0) {
      return agent.followRevert(answer.revertTo(), answer.reason());
    }
    if (current.pending() != null) {
      return new UpdateCheck(UpdateOutcome.TRIAL_IN_PROGRESS, current.pending().version(),
          "v" + current.pending().version() + " is on trial; confirm it healthy first");
    }
    byte[] json = answer == null ? null : answer.envelope();
    TimestampDocument fresh = null;
    if (trust != null) {
      // After a REVERT, never before: going back to the last-known-good must not wait on freshness.
      try {
        fresh = checkTrust(trust, current, json != null);
      } catch (ContentRefusedException e) {
        signals.refused(current.bootId(), 0, e);
        return new UpdateCheck(UpdateOutcome.REFUSED, -1, e.getMessage());
      } catch (HttpFetcher.FetchFailedException e) {
        return new UpdateCheck(UpdateOutcome.UNAVAILABLE, -1, e.getMessage());
      } catch (IOException e) {
        throw new AgentStorageException("cannot keep the trust state in " + stateDirectory.resolve("trust")
            + ": " + e.getMessage(), e);
      }
    }
    if (json == null) {
      return new UpdateCheck(UpdateOutcome.UP_TO_DATE, -1, "the server has no newer release for this endpoint");
    }
    Envelope envelope;
    try {
      envelope = Envelope.parse(json);
    } catch (MalformedEnvelopeException e) {
      signals.refused(current.bootId(), 0, e);
      return new UpdateCheck(UpdateOutcome.REFUSED, -1, e.getMessage());
    }
    if (envelope.version() == current.highestAccepted() && !current.knownBad().contains(envelope.version())) {
      try {
        // A server that replays the accepted version's envelope forever freezes the endpoint on it: once
        // the envelope expires, that is a refusal, reported, not "up to date".
        agent.verifyAuthentic(envelope);
      } catch (ContentRefusedException e) {
        // Reported without a version: the endpoint runs this version fine, and a failure signal on it would
        // count against the version's health in a rollout.
        signals.refused(current.bootId(), 0, e);
        return new UpdateCheck(UpdateOutcome.REFUSED, envelope.version(), e.getMessage());
      }
      return new UpdateCheck(UpdateOutcome.UP_TO_DATE, envelope.version(), "v" + envelope.version()
          + " is the newest release and was accepted already");
    }
    HttpFetcher.Download download = null;
    try {
      try {
        if (fresh != null) {
          checkAgainstTimestamp(envelope, fresh);
        }
        verifyFollowingRotation(envelope);
        download = http.fetchPayload(envelope.version(), envelope.size(), stateDirectory.resolve("downloads"));
        EnvelopeVerifier.checkPayload(envelope, download.size(), download.sha256());
      } catch (ContentRefusedException e) {
        signals.refused(current.bootId(), envelope.version(), e);
        return new UpdateCheck(UpdateOutcome.REFUSED, envelope.version(), e.getMessage());
      } catch (HttpFetcher.FetchFailedException e) {
        return new UpdateCheck(UpdateOutcome.UNAVAILABLE, envelope.version(), e.getMessage());
      }
      try {
        ActiveContent active = agent.apply(envelope, download.file()); // reports its own refusals
        return new UpdateCheck(UpdateOutcome.ACTIVATED, active.version(), "v" + active.version()
            + " verified, validated and activated on trial");
      } catch (ContentRefusedException e) {
        return new UpdateCheck(UpdateOutcome.REFUSED, envelope.version(), e.getMessage());
      }
    } finally {
      if (download != null) {
        try {
          Files.deleteIfExists(download.file());
        } catch (IOException e) {
          // a leftover in downloads/ is harmless: names are unique and nothing reads them
        }
      }
    }
  }

  /**
   * The trust checks of one poll: the root is unexpired (after fetching newer roots if it is not), and, when
   * the channel requires freshness, the server's timestamp verifies, is unexpired and is not a replay.
   *
   * @return the accepted timestamp, null when the channel does not require one or nothing needs it yet
   */
  private @Nullable TimestampDocument checkTrust(TrustKeeper keeper, AgentState current,
      boolean offered) throws HttpFetcher.FetchFailedException, IOException {
    Instant now = settings.clock().instant();
    TrustKeeper.Source roots = http::fetchRoot;
    if (!keeper.root().expiresAt().isAfter(now)) {
      keeper.walkRoots(roots, Long.MAX_VALUE);
    }
    keeper.checkUnexpired(now);
    String channel = Objects.requireNonNull(settings.channel());
    if (!keeper.root().requiresTimestamp(channel)) {
      return null;
    }
    byte[] ts = http.fetchTimestamp();
    if (ts == null) {
      if (!offered && current.highestAccepted() < 0) {
        return null; // nothing published, nothing accepted: there is nothing to freeze yet
      }
      throw new ContentRefusedException(ContentRefusedException.Reason.TIMESTAMP_INVALID, 0, "timestamp: the"
          + " update server has none for channel '" + channel + "', which root v" + keeper.root().version()
          + " requires; without it a withheld update cannot be told from no update");
    }
    return keeper.acceptTimestamp(ts, roots, channel, now, current.highestAccepted());
  }

  private static void checkAgainstTimestamp(Envelope envelope, TimestampDocument fresh) {
    if (envelope.version() > fresh.newestVersion()
        || envelope.version() == fresh.newestVersion() && !envelope.sha256().equals(fresh.newestSha256())) {
      throw new ContentRefusedException(ContentRefusedException.Reason.TIMESTAMP_INVALID, envelope.version(),
          "timestamp newestVersion: the timestamp (serial " + fresh.serial() + ") names v" + fresh.newestVersion()
          + " with sha256 " + fresh.newestSha256() + " as the channel's newest, but v" + envelope.version()
          + " with sha256 " + envelope.sha256() + " is offered");
    }
  }

  /**
   * Verifies an offered envelope; when a trust root is followed and the envelope names a key the root does not
   * hold, the server's newer roots are fetched once (a release key may have been rotated in) and it is checked
   * again.
   */
  private void verifyFollowingRotation(Envelope envelope) throws HttpFetcher.FetchFailedException {
    try {
      agent.verifyOffered(envelope);
    } catch (ContentRefusedException e) {
      TrustKeeper keeper = trust;
      if (keeper == null || e.reason() != ContentRefusedException.Reason.UNKNOWN_KEY) {
        throw e;
      }
      boolean rotated;
      try {
        rotated = keeper.walkRoots(http::fetchRoot, Long.MAX_VALUE);
      } catch (IOException io) {
        throw new AgentStorageException("cannot keep the trust root: " + io.getMessage(), io);
      }
      if (!rotated) {
        throw e;
      }
      agent.verifyOffered(envelope);
    }
  }
}
