package dev.ringfence.agent.internal;

import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's trust state: the newest root it verified (starting from the one it was given) and the newest
 * timestamp it accepted, both kept in {@code trust/} of the state directory with the agent's write discipline
 * (temporary file, fsync, atomic rename, directory fsync), so that a restart neither forgets a rotation nor
 * accepts a timestamp older than one seen before.
 */
public final class TrustKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(TrustKeeper.class);

  /** The most root versions fetched in one walk; a server offering more is refused, not followed forever. */
  static final int MAX_ROTATIONS_PER_WALK = 64;

  /** Fetches one document from the update server; null when the server has none. */
  public interface Source {
    /**
     * @param version a root version
     * @return the root's JSON, null when the server has no such version
     * @throws HttpFetcher.FetchFailedException when the server cannot be reached
     */
    byte @Nullable [] root(long version) throws HttpFetcher.FetchFailedException;
  }

  private final FileOps ops;
  private final Path rootFile;
  private final Path timestampFile;
  private volatile RootDocument root;
  private volatile TrustStore releaseKeys;
  private volatile @Nullable TimestampDocument lastTimestamp;

  /**
   * Reads the kept state; damaged or older files are ignored (the given root is the floor, the server's
   * roots are walked again), never trusted.
   *
   * @param given the root the agent was configured with
   * @param ops file operations
   * @param stateDirectory the agent's state directory
   */
  public TrustKeeper(RootDocument given, FileOps ops, Path stateDirectory) {
    this.ops = ops;
    Path dir = stateDirectory.resolve("trust");
    this.rootFile = dir.resolve("root.json");
    this.timestampFile = dir.resolve("timestamp.json");
    RootDocument current = given;
    RootDocument kept = read(rootFile, RootDocument::parse);
    if (kept != null && kept.version() > given.version()) {
      try {
        TrustMemo.verifySelfSigned(kept);
        current = kept;
      } catch (ContentRefusedException e) {
        LOG.warn("ignoring {}: {}", rootFile, e.getMessage());
      }
    }
    this.root = current;
    this.releaseKeys = current.releaseKeys();
    TimestampDocument ts = read(timestampFile, TimestampDocument::parse);
    if (ts != null && current.timestamp() != null
        && TrustVerifier.validSignatures(current.keysOf("timestamp"), ts.signedBytes(), ts.signatures())
            >= current.timestamp().threshold()) {
      this.lastTimestamp = ts;
    }
  }

  private interface Parser<T> {
    T parse(byte[] json);
  }

  private <T> @Nullable T read(Path file, Parser<T> parser) {
    if (!ops.exists(file)) {
      return null;
    }
    try {
      return parser.parse(ops.readAllBytes(file));
    } catch (IOException | InvalidInputException e) {
      LOG.warn("ignoring damaged {}: {}", file, e.getMessage());
      return null;
    }
  }

  /** @return the trusted root */
  public RootDocument root() {
    return root;
  }

  /** @return the release keys of the trusted root */
  public TrustStore releaseKeys() {
    return releaseKeys;
  }

  /** @return the newest timestamp accepted, null before the first */
  public @Nullable TimestampDocument lastTimestamp() {
    return lastTimestamp;
  }

  /**
   * Walks the server's roots one version at a time, verifying each against the one before, up to
   * {@code target} or until the server has no next one; each accepted root is kept on disk before the next.
   *
   * @param source the update server
   * @param target the version to reach; {@link Long#MAX_VALUE} for "as far as the server goes"
   * @return whether the root changed
   * @throws ContentRefusedException {@link Reason#ROOT_ROTATION_REFUSED} when a root does not chain, or a
   *     target the server cannot reach
   * @throws HttpFetcher.FetchFailedException when the server cannot be reached
   * @throws IOException when the new root cannot be kept
   */
  public synchronized boolean walkRoots(Source source, long target)
      throws HttpFetcher.FetchFailedException, IOException {
    boolean changed = false;
    for (int steps = 0; root.version() < target; steps++) {
      if (steps == MAX_ROTATIONS_PER_WALK) {
        throw new ContentRefusedException(Reason.ROOT_ROTATION_REFUSED, 0, "rootVersion: more than "
            + MAX_ROTATIONS_PER_WALK + " rotations in one walk from v" + root.version() + "; refusing to follow");
      }
      long next = root.version() + 1;
      byte[] json = source.root(next);
      if (json == null) {
        if (target != Long.MAX_VALUE) {
          throw new ContentRefusedException(Reason.ROOT_ROTATION_REFUSED, 0, "rootVersion: the server names root v"
              + target + " but has no v" + next);
        }
        break;
      }
      RootDocument candidate;
      try {
        candidate = RootDocument.parse(json);
      } catch (InvalidInputException e) {
        throw new ContentRefusedException(Reason.ROOT_ROTATION_REFUSED, 0, "root v" + next + " refused: "
            + e.getMessage());
      }
      TrustVerifier.verifyNext(root, candidate);
      ops.createDirectories(rootFile.getParent());
      AtomicFiles.replace(ops, rootFile, json);
      LOG.info("trust root rotated from v{} to v{}", root.version(), candidate.version());
      root = candidate;
      releaseKeys = candidate.releaseKeys();
      changed = true;
    }
    return changed;
  }

  /**
   * Parses and verifies a timestamp, first walking to the root it names; keeps it when it is newer.
   *
   * @param json the timestamp's JSON
   * @param source the update server, for roots
   * @param channel the agent's channel
   * @param now the current instant
   * @param highestAccepted the highest version accepted, -1 when none
   * @return the accepted timestamp
   * @throws ContentRefusedException when the timestamp or a root it needs is refused
   * @throws HttpFetcher.FetchFailedException when the server cannot be reached
   * @throws IOException when the timestamp cannot be kept
   */
  public synchronized TimestampDocument acceptTimestamp(byte[] json, Source source, String channel, Instant now,
      long highestAccepted) throws HttpFetcher.FetchFailedException, IOException {
    TimestampDocument ts;
    try {
      ts = TimestampDocument.parse(json);
    } catch (InvalidInputException e) {
      throw new ContentRefusedException(Reason.TIMESTAMP_INVALID, 0, "timestamp " + e.getMessage());
    }
    if (ts.rootVersion() > root.version()) {
      walkRoots(source, ts.rootVersion());
    }
    TimestampDocument last = lastTimestamp;
    TrustVerifier.verifyTimestamp(ts, root, channel, now, last, highestAccepted);
    if (last == null || ts.serial() > last.serial()) {
      ops.createDirectories(timestampFile.getParent());
      AtomicFiles.replace(ops, timestampFile, json);
      lastTimestamp = ts;
    }
    return ts;
  }

  /**
   * @param now the current instant
   * @throws ContentRefusedException {@link Reason#ROOT_EXPIRED} when the trusted root expired
   */
  public void checkUnexpired(Instant now) {
    RootDocument current = root;
    if (!current.expiresAt().isAfter(now)) {
      throw new ContentRefusedException(Reason.ROOT_EXPIRED, 0, "expiresAt: trust root v" + current.version()
          + " expired at " + current.expiresAt() + " (now " + now + "); publish a newer root");
    }
  }
}
