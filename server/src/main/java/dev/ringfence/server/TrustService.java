package dev.ringfence.server;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.InvalidInputException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the trust-root lifecycle. Keeps every root version (agents walk from theirs to the
 * newest through {@code GET /v1/roots/{version}}), takes a new root only when it chains from the newest one,
 * verifies publications against the newest root's release role, and — with an online timestamp key —
 * re-signs each channel's {@link TimestampDocument} when the channel's newest release or the root changes and
 * when half of its validity has passed. Replicas on PostgreSQL share roots and timestamps: whichever replica
 * re-signs first stores its document under the next serial, the others serve it.
 */
final class TrustService {

  private static final Logger LOG = LoggerFactory.getLogger(TrustService.class);

  private final TrustRecords records;
  private final @Nullable String timestampKeyId;
  private final @Nullable PrivateKey timestampKey;
  private final Duration validity;
  private final Clock clock;
  private volatile NavigableMap<Long, byte[]> roots;
  private volatile RootDocument newest; // set by the first reloadRoots() in the constructor
  private final Map<String, TimestampDocument> served = new ConcurrentHashMap<>();
  private final Map<String, byte[]> servedJson = new ConcurrentHashMap<>();

  /**
   * @param given the root the server was started with: stored when the records hold none, else it must be one
   *     of the stored versions or chain from the newest
   * @throws IllegalStateException when the given root conflicts with the stored ones, or the timestamp key is
   *     missing or not in the newest root's timestamp role
   */
  TrustService(RootDocument given, TrustRecords records, @Nullable String timestampKeyId,
      @Nullable PrivateKey timestampKey, Duration validity, Clock clock) {
    this.records = records;
    this.timestampKeyId = timestampKeyId;
    this.timestampKey = timestampKey;
    this.validity = validity;
    this.clock = clock;
    try {
      given.verifySelfSigned();
    } catch (ContentRefusedException e) {
      throw new IllegalStateException("the trust root is not signed by its own root keys: " + e.getMessage());
    }
    NavigableMap<Long, byte[]> stored = records.roots();
    if (stored.isEmpty()) {
      records.addRoot(given.version(), given.toJson());
    } else {
      byte[] same = stored.get(given.version());
      RootDocument top = RootDocument.parse(stored.lastEntry().getValue());
      if (same != null && !java.util.Arrays.equals(RootDocument.parse(same).signedBytes(), given.signedBytes())) {
        throw new IllegalStateException("the trust root v" + given.version() + " given differs from the stored v"
            + given.version() + "; a root version is never replaced");
      }
      if (same == null) {
        if (given.version() < stored.firstKey()) {
          throw new IllegalStateException("the trust root v" + given.version() + " given is older than every"
              + " stored root (v" + stored.firstKey() + " to v" + stored.lastKey() + ")");
        }
        try {
          top.verifySuccessor(given);
        } catch (ContentRefusedException e) {
          throw new IllegalStateException("the trust root given does not follow the stored v" + top.version()
              + ": " + e.getMessage());
        }
        records.addRoot(given.version(), given.toJson());
      }
    }
    reloadRoots();
    checkTimestampKey(newest);
  }

  private void checkTimestampKey(RootDocument root) {
    if (root.timestamp() == null) {
      return;
    }
    if (timestampKeyId == null || timestampKey == null) {
      throw new IllegalStateException("trust root v" + root.version() + " has a timestamp role, so agents require"
          + " signed freshness; start the server with --timestamp-key FILE (a key of that role)");
    }
    if (!root.timestamp().keyIds().contains(timestampKeyId)) {
      throw new IllegalStateException("the timestamp key '" + timestampKeyId + "' is not in trust root v"
          + root.version() + "'s timestamp role " + root.timestamp().keyIds());
    }
  }

  private void reloadRoots() {
    NavigableMap<Long, byte[]> all = records.roots();
    roots = all;
    RootDocument known = newest;
    // Roots only ever grow: parse (and decode the keys of) the newest again only when a newer one arrived.
    if (known == null || all.lastKey() != known.version()) {
      newest = RootDocument.parse(all.lastEntry().getValue());
    }
  }

  /** @return the newest root */
  RootDocument newest() {
    return newest;
  }

  /** @return the newest root's release keys, which every publication must satisfy */
  TrustStore releaseKeys() {
    return newest.releaseKeys();
  }

  /**
   * @param version a root version
   * @return its JSON, empty when not stored
   */
  Optional<byte[]> root(long version) {
    byte[] json = roots.get(version);
    if (json == null) {
      reloadRoots(); // another replica may have stored it
      json = roots.get(version);
    }
    return Optional.ofNullable(json);
  }

  /** @return every stored root, by version */
  NavigableMap<Long, byte[]> roots() {
    return roots;
  }

  /**
   * Takes a new root: well-formed, chains from the newest, and keeps this server's timestamp key when it has a
   * timestamp role.
   *
   * @param json the new root's JSON
   * @return the root taken
   * @throws HttpError 400 naming the field when it is malformed or does not chain; 409 when it would drop this
   *     server's timestamp key or the version is taken
   */
  synchronized RootDocument publish(byte[] json) {
    RootDocument next;
    try {
      next = RootDocument.parse(json);
    } catch (InvalidInputException e) {
      throw HttpError.badField("root." + e.field(), "root." + e.getMessage());
    }
    reloadRoots();
    try {
      newest.verifySuccessor(next);
    } catch (ContentRefusedException e) {
      throw new HttpError(400, "refused_root", "root", "root: " + e.getMessage());
    }
    try {
      checkTimestampKey(next);
    } catch (IllegalStateException e) {
      throw new HttpError(409, "conflict", "roles.timestamp", "roles.timestamp: " + e.getMessage()
          + "; publish a root with both the old and the new timestamp key first, restart the replicas with the"
          + " new key, then drop the old one");
    }
    records.addRoot(next.version(), next.toJson());
    reloadRoots();
    LOG.info("trust root v{} published; release keys {} (threshold {}), revoked {}", next.version(),
        next.release().keyIds(), next.release().threshold(), next.revokedKeys().keySet());
    return next;
  }

  /**
   * @param channel a channel
   * @return the channel's current timestamp JSON, empty when none was issued (no release yet, or no timestamp
   *     role)
   */
  Optional<byte[]> timestamp(String channel) {
    return Optional.ofNullable(servedJson.get(channel));
  }

  /**
   * Re-signs the timestamps that need it and picks up what other replicas signed; on every tick and after each
   * publish. One call at a time, so that a tick that read the releases before a publish cannot serve its older
   * timestamp after the publish's newer one.
   *
   * @param releases the published releases
   */
  synchronized void refresh(ReleaseStore releases) {
    reloadRoots();
    RootDocument root = newest;
    if (root.timestamp() == null || timestampKey == null || timestampKeyId == null) {
      return;
    }
    Instant now = clock.instant();
    for (String channel : releases.channels()) {
      List<ReleaseStore.Release> all = releases.releases(channel);
      if (all.isEmpty()) {
        continue;
      }
      ReleaseStore.Release top = all.get(all.size() - 1);
      for (int attempt = 0; attempt < 3; attempt++) {
        Optional<TrustRecords.StoredTimestamp> stored = records.timestamp(channel);
        TimestampDocument current = stored.map(st -> parseServed(channel, st)).orElse(null);
        if (current != null && !stale(current, top, root, now)) {
          served.put(channel, current);
          servedJson.put(channel, stored.get().json());
          break;
        }
        long serial = current == null ? 1 : current.serial() + 1;
        byte[] json;
        try {
          json = new TimestampDocument(channel, serial, now, now.plus(validity), top.version(), top.sha256(),
              root.version(), List.of()).signedBy(timestampKeyId, timestampKey).toJson();
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("the timestamp key cannot sign: " + e.getMessage(), e);
        }
        if (records.replaceTimestamp(channel, current == null ? 0 : current.serial(), serial, json)) {
          served.put(channel, TimestampDocument.parse(json));
          servedJson.put(channel, json);
          break;
        }
        // another replica re-signed first: read its document and judge it again
      }
    }
  }

  /** The stored timestamp, parsed once per serial: the one served already is reused on every tick. */
  private TimestampDocument parseServed(String channel, TrustRecords.StoredTimestamp stored) {
    TimestampDocument known = served.get(channel);
    return known != null && known.serial() == stored.serial() ? known : TimestampDocument.parse(stored.json());
  }

  private boolean stale(TimestampDocument ts, ReleaseStore.Release top, RootDocument root, Instant now) {
    return ts.newestVersion() != top.version() || !ts.newestSha256().equals(top.sha256())
        || ts.rootVersion() != root.version()
        || ts.signatures().stream().noneMatch(sig -> sig.keyId().equals(timestampKeyId))
        || !now.isBefore(ts.issuedAt().plus(Duration.between(ts.issuedAt(), ts.expiresAt()).dividedBy(2)));
  }
}
