package dev.ringfence.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The administrator's bearer token. There is no default credential: at first start a random 256-bit
 * token is generated and written to a file only its owner can read (mode 0600); later starts read it
 * back and refuse a file that others can read. Only the token's SHA-256 is kept in memory, and requests
 * are compared in constant time. Replicas sharing a PostgreSQL database share their tokens' digests
 * ({@link #share}), so an operator's token works on every replica.
 */
final class AdminToken {

  private final byte[] sha256;
  private final Path file;
  /** With PostgreSQL: the replicas sharing the database, whose tokens this one accepts too. */
  private @Nullable SharedRecords shared;
  /** The other replicas' token digests, as read on the last refresh. */
  private volatile List<byte[]> others = List.of();

  private AdminToken(byte[] sha256, Path file) {
    this.sha256 = sha256;
    this.file = file;
  }

  static AdminToken loadOrCreate(Path file, SecureRandom random) throws IOException {
    String token;
    if (Files.exists(file)) {
      if (SecureFiles.posix(file.toAbsolutePath().getParent())) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!SecureFiles.OWNER_ONLY.containsAll(perms)) {
          throw new IOException("admin token file " + file + " can be read by others (" + perms
              + "); run chmod 600 on it, or delete it to have a new token generated");
        }
        SecureFiles.checkOwnedBySelf(file, "admin token file");
        SecureFiles.checkNotReplaceableByOthers(file.toAbsolutePath().getParent(), "admin token file " + file);
      }
      token = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (token.length() < 32) {
        throw new IOException("admin token file " + file + " holds fewer than 32 characters; delete it to have a"
            + " new token generated");
      }
    } else {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      SecureFiles.write(file, (token + "\n").getBytes(StandardCharsets.UTF_8), true);
    }
    return new AdminToken(sha256(token), file);
  }

  /**
   * Shares this token's digest with the replicas of one database and accepts theirs from now on: any replica's
   * token works on every replica (each keeps its own file; the database holds digests only).
   *
   * @throws RuntimeException if the database cannot be reached
   */
  void share(SharedRecords records) {
    records.addAdminToken(sha256);
    shared = records;
    refresh();
  }

  /** Reads the replicas' token digests again (every tick): a new replica's token works here within a tick. */
  void refresh() {
    SharedRecords records = shared;
    if (records != null) {
      others = List.copyOf(records.adminTokens());
    }
  }

  /** @return the file that holds the token */
  Path file() {
    return file;
  }

  /**
   * @param authorization the request's {@code Authorization} header
   * @return whether it carries this token
   */
  boolean matches(@Nullable String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return false;
    }
    // Exactly the token: no trimming, so "Bearer <token>\u0000" or a trailing space is a different credential.
    byte[] presented = sha256(authorization.substring("Bearer ".length()));
    boolean match = MessageDigest.isEqual(sha256, presented);
    for (byte[] other : others) {
      match |= MessageDigest.isEqual(other, presented); // every digest compared: no early exit to time
    }
    return match;
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
