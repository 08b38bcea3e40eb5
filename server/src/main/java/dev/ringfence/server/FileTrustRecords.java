package dev.ringfence.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link TrustRecords} in a folder: {@code roots/<version>.json} and {@code timestamps/<channel>.json}, each
 * written whole or not at all ({@link SecureFiles#write}), so a crash leaves the old document or the new one.
 */
final class FileTrustRecords implements TrustRecords {

  private static final Pattern ROOT_FILE = Pattern.compile("([1-9][0-9]{0,18})\\.json");

  private final Path roots;
  private final Path timestamps;
  private final NavigableMap<Long, byte[]> rootCache = new TreeMap<>();
  private final java.util.Map<String, StoredTimestamp> timestampCache = new java.util.HashMap<>();

  FileTrustRecords(Path directory) throws IOException {
    this.roots = directory.resolve("roots");
    this.timestamps = directory.resolve("timestamps");
    Files.createDirectories(roots);
    Files.createDirectories(timestamps);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(roots, "*.json")) {
      for (Path file : files) {
        Matcher m = ROOT_FILE.matcher(file.getFileName().toString());
        if (m.matches()) {
          rootCache.put(Long.parseLong(m.group(1)), Files.readAllBytes(file));
        }
      }
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(timestamps, "*.json")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String channel = name.substring(0, name.length() - ".json".length());
        byte[] json = Files.readAllBytes(file);
        try {
          timestampCache.put(channel, new StoredTimestamp(
              dev.ringfence.agent.TimestampDocument.parse(json).serial(), json));
        } catch (dev.ringfence.protocol.InvalidInputException e) {
          // A damaged timestamp is re-issued at the next tick with a serial above none: agents that saw a
          // higher serial refuse it as a replay until the serial passes theirs, which is why this never happens
          // silently: the log says so.
          org.slf4j.LoggerFactory.getLogger(FileTrustRecords.class).warn("ignoring damaged {}: {}", file,
              e.getMessage());
        }
      }
    }
  }

  @Override
  public synchronized void addRoot(long version, byte[] json) {
    byte[] existing = rootCache.get(version);
    if (existing != null) {
      if (Arrays.equals(existing, json)) {
        return;
      }
      throw new HttpError(409, "conflict", "version", "version: root v" + version + " is stored already with"
          + " other contents; a root version is never replaced");
    }
    write(roots.resolve(version + ".json"), json);
    rootCache.put(version, json.clone());
  }

  @Override
  public synchronized NavigableMap<Long, byte[]> roots() {
    return Collections.unmodifiableNavigableMap(new TreeMap<>(rootCache));
  }

  @Override
  public synchronized Optional<StoredTimestamp> timestamp(String channel) {
    return Optional.ofNullable(timestampCache.get(channel));
  }

  @Override
  public synchronized boolean replaceTimestamp(String channel, long expectedSerial, long serial, byte[] json) {
    StoredTimestamp current = timestampCache.get(channel);
    long have = current == null ? 0 : current.serial();
    if (have != expectedSerial || serial <= have) {
      return false;
    }
    ReleaseStore.checkChannel(channel); // the name becomes a file name
    write(timestamps.resolve(channel + ".json"), json);
    timestampCache.put(channel, new StoredTimestamp(serial, json.clone()));
    return true;
  }

  private static void write(Path target, byte[] bytes) {
    try {
      SecureFiles.write(target, bytes, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }
}
