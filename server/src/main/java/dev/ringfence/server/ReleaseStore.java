package dev.ringfence.server;

import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.MalformedEnvelopeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Published releases: per channel, each version's signed envelope, and its payload stored once by
 * SHA-256 under {@code content/}. A publication is checked whole (envelope well-formed and signed,
 * channel, version above every earlier one, payload size and digest) before anything is written; the
 * payload is written before the envelope, so a crash leaves at most an unreferenced content file.
 *
 * <p>A channel's <em>general</em> version is what endpoints get when no rollout governs the channel.
 * Only a channel's first release may be published as general; every later one goes out by a rollout.
 *
 * <p>With {@link SharedRecords} (replicas on one PostgreSQL) the releases live in the database: the
 * database makes the final checks under its lock, every replica catches up on each tick and on a lookup
 * that misses, and {@code content/} is this replica's cache of payloads.
 */
final class ReleaseStore {

  /** A channel is a directory name under {@code channels/}: no separator, and never {@code .} or {@code ..}. */
  static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  /**
   * One published release.
   *
   * @param channel its channel
   * @param version its version
   * @param sha256 its payload's digest
   * @param size its payload's size
   * @param envelopeJson the signed envelope, as published
   * @param expiresAt the envelope's expiry
   */
  record Release(String channel, long version, String sha256, long size, byte[] envelopeJson, Instant expiresAt) {}

  private final Path directory;
  private final @Nullable SharedRecords shared;
  private final Map<String, NavigableMap<Long, Release>> channels = new ConcurrentHashMap<>();
  private final Map<String, Long> general = new ConcurrentHashMap<>();
  private long seenSeq;

  ReleaseStore(Path directory) throws IOException {
    this(directory, null);
  }

  /**
   * @param directory the release folder: with {@code shared}, only the payload cache
   * @param shared the replicas' shared records, or null for a single server
   */
  ReleaseStore(Path directory, @Nullable SharedRecords shared) throws IOException {
    this.directory = directory;
    this.shared = shared;
    Files.createDirectories(directory.resolve("content"));
    if (shared != null) {
      refresh();
      return;
    }
    Files.createDirectories(directory.resolve("channels"));
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory.resolve("channels"))) {
      for (Path channelDir : dirs) {
        if (!Files.isDirectory(channelDir)) {
          continue;
        }
        String channel = channelDir.getFileName().toString();
        try (DirectoryStream<Path> envelopes = Files.newDirectoryStream(channelDir, "*.envelope.json")) {
          for (Path file : envelopes) {
            byte[] json = Files.readAllBytes(file);
            Envelope e = Envelope.parse(json);
            channels.computeIfAbsent(channel, c -> new TreeMap<>()).put(e.version(),
                new Release(channel, e.version(), e.sha256(), e.size(), json, e.expiresAt()));
          }
        }
        Path generalFile = channelDir.resolve("general");
        if (Files.exists(generalFile)) {
          general.put(channel, Long.parseLong(Files.readString(generalFile, StandardCharsets.UTF_8).trim()));
        }
      }
    }
  }

  static void checkChannel(String channel) {
    if (channel == null || !CHANNEL.matcher(channel).matches()) {
      throw HttpError.badField("channel", "'" + channel + "' must be 1 to 128 of A-Z a-z 0-9 . _ - and not start"
          + " with '.'");
    }
  }

  /**
   * Checks and stores a release.
   *
   * @param channel the channel named in the path
   * @param envelopeJson the signed envelope
   * @param payload the content
   * @param asGeneral make it the channel's general version (first release only)
   * @param now the server's time
   * @return the release
   */
  synchronized Release publish(String channel, byte[] envelopeJson, byte[] payload, boolean asGeneral, Instant now) {
    checkChannel(channel);
    if (shared != null) {
      refresh();
    }
    Envelope envelope;
    try {
      envelope = Envelope.parse(envelopeJson);
    } catch (MalformedEnvelopeException e) {
      throw new HttpError(400, "bad_request", "envelope." + e.field(), "envelope." + e.getMessage());
    }
    if (!envelope.channel().equals(channel)) {
      throw HttpError.badField("envelope.channel", "'" + envelope.channel() + "' is not the channel '" + channel
          + "' published to");
    }
    if (envelope.signatures().isEmpty()) {
      throw HttpError.badField("envelope.signatures", "none present; sign the envelope with your release keys"
          + " before publishing");
    }
    if (!envelope.expiresAt().isAfter(now)) {
      throw HttpError.badField("envelope.expiresAt", envelope.expiresAt() + " is not in the future; re-sign with a"
          + " later expiry");
    }
    if (envelope.size() != payload.length) {
      throw HttpError.badField("payloadBase64", "holds " + payload.length + " bytes; the envelope says "
          + envelope.size());
    }
    String digest = sha256(payload);
    if (!digest.equals(envelope.sha256())) {
      throw HttpError.badField("payloadBase64", "has SHA-256 " + digest + "; the envelope says " + envelope.sha256());
    }
    NavigableMap<Long, Release> releases = channels.getOrDefault(channel, new TreeMap<>());
    if (!releases.isEmpty() && envelope.version() <= releases.lastKey()) {
      throw new HttpError(409, "conflict", "envelope.version", "envelope.version: " + envelope.version()
          + " is not above v" + releases.lastKey() + ", the newest release of '" + channel
          + "'; publish a new, higher version (a revert too)");
    }
    if (asGeneral && general.containsKey(channel)) {
      throw new HttpError(409, "conflict", "general", "general: channel '" + channel + "' has general version v"
          + general.get(channel) + " already; later releases go out by a rollout");
    }
    if (asGeneral && !releases.isEmpty()) {
      // Only a channel's first release goes to every endpoint at once: a later one marked general would reach the
      // whole fleet with no canary, the push this server exists to prevent.
      throw new HttpError(409, "conflict", "general", "general: channel '" + channel + "' has releases already (v"
          + releases.firstKey() + " to v" + releases.lastKey() + "); only a channel's first release may be general,"
          + " later ones go out by a rollout");
    }
    if (shared != null) {
      shared.publish(channel, envelope.version(), digest, envelopeJson.clone(), payload, asGeneral);
      cache(digest, payload);
    } else {
      Path channelDir = directory.resolve("channels").resolve(channel);
      try {
        cache(digest, payload);
        SecureFiles.write(channelDir.resolve(envelope.version() + ".envelope.json"), envelopeJson, false);
        if (asGeneral) {
          SecureFiles.write(channelDir.resolve("general"),
              Long.toString(envelope.version()).getBytes(StandardCharsets.UTF_8), false);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot store release v" + envelope.version() + " of " + channel, e);
      }
    }
    Release release = new Release(channel, envelope.version(), digest, payload.length, envelopeJson.clone(),
        envelope.expiresAt());
    channels.computeIfAbsent(channel, c -> new TreeMap<>()).put(envelope.version(), release);
    if (asGeneral) {
      general.put(channel, envelope.version());
    }
    return release;
  }

  synchronized Optional<Release> release(String channel, long version) {
    Optional<Release> found = known(channel, version);
    if (found.isEmpty() && shared != null) {
      refresh(); // published through another replica since the last tick?
      found = known(channel, version);
    }
    return found;
  }

  private Optional<Release> known(String channel, long version) {
    NavigableMap<Long, Release> releases = channels.get(channel);
    return Optional.ofNullable(releases == null ? null : releases.get(version));
  }

  /** Catches up with releases published through other replicas; a single server has nothing to do. */
  synchronized void refresh() {
    if (shared == null) {
      return;
    }
    for (SharedRecords.ReleaseRow row : shared.releasesAfter(seenSeq)) {
      Envelope e;
      try {
        e = Envelope.parse(row.envelopeJson());
      } catch (MalformedEnvelopeException ex) {
        throw new IllegalStateException("release row " + row.seq() + " of '" + row.channel()
            + "' holds an envelope this server cannot read: " + ex.getMessage(), ex);
      }
      channels.computeIfAbsent(row.channel(), c -> new TreeMap<>()).put(e.version(),
          new Release(row.channel(), e.version(), e.sha256(), e.size(), row.envelopeJson(), e.expiresAt()));
      if (row.general()) {
        general.put(row.channel(), e.version());
      }
      seenSeq = row.seq();
    }
  }

  synchronized Optional<Release> bySha256(String sha256) {
    for (NavigableMap<Long, Release> releases : channels.values()) {
      for (Release r : releases.values()) {
        if (r.sha256().equals(sha256)) {
          return Optional.of(r);
        }
      }
    }
    return Optional.empty();
  }

  synchronized List<Release> releases(String channel) {
    NavigableMap<Long, Release> releases = channels.get(channel);
    return releases == null ? List.of() : new ArrayList<>(releases.values());
  }

  synchronized List<String> channels() {
    List<String> names = new ArrayList<>(channels.keySet());
    names.sort(null);
    return names;
  }

  OptionalLong general(String channel) {
    Long v = general.get(channel);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  byte[] payload(Release release) throws IOException {
    Path cached = directory.resolve("content").resolve(release.sha256());
    if (shared != null && !Files.exists(cached)) {
      byte[] payload = shared.payload(release.sha256()).orElseThrow(() -> new IOException("payload "
          + release.sha256() + " of v" + release.version() + " of '" + release.channel() + "' is not in the database"));
      if (!sha256(payload).equals(release.sha256())) {
        throw new IOException("payload " + release.sha256() + " in the database does not match its digest");
      }
      cache(release.sha256(), payload);
      return payload;
    }
    return Files.readAllBytes(cached);
  }

  /** Writes a payload under {@code content/} by its digest, once. */
  private void cache(String sha256, byte[] payload) {
    Path content = directory.resolve("content").resolve(sha256);
    try {
      if (!Files.exists(content)) {
        SecureFiles.write(content, payload, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store payload " + sha256, e);
    }
  }

  /** A release as the admin API shows it. */
  record Summary(String channel, long version, String sha256, long size, String expiresAt) {}

  static Summary summary(Release r) {
    return new Summary(r.channel(), r.version(), r.sha256(), r.size(), r.expiresAt().toString());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
