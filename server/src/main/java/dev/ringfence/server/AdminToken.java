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
import java.util.Set;

/**
 * The administrator's bearer token. There is no default credential: at first start a random 256-bit
 * token is generated and written to a file only its owner can read (mode 0600); later starts read it
 * back and refuse a file that others can read. Only the token's SHA-256 is kept in memory; {@link ApiTokens}
 * accepts it as an {@code admin} token named {@code bootstrap-<first 8 hex digits of the SHA-256>}, on every replica
 * that shares a database with this one.
 */
final class AdminToken {

  private final byte[] sha256;
  private final Path file;

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

  /** @return the token's SHA-256 */
  byte[] sha256() {
    return sha256.clone();
  }

  /** @return the file that holds the token */
  Path file() {
    return file;
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
