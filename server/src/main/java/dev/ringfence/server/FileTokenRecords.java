package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@link TokenRecords} in one file of the data folder ({@code tokens.json}, mode 0600, written whole or not at all
 * by {@link SecureFiles#write}): digests only, never a token. Read once at start; this server is its only writer.
 * A file others can read, or one owned by another user, stops the start, as the admin token's file does.
 */
final class FileTokenRecords implements TokenRecords {

  private static final HexFormat HEX = HexFormat.of();

  private static final JsonListFile.Format<StoredToken> FORMAT = new JsonListFile.Format<>("token file", "tokens",
      t -> new StoredToken(t.get("name").asText(), Role.parse(t.get("role").asText()),
          HEX.parseHex(t.get("sha256").asText()), Instant.parse(t.get("createdAt").asText()),
          t.get("createdBy").asText(), instant(t.get("lastUsedAt")), instant(t.get("revokedAt")),
          t.hasNonNull("revokedBy") ? t.get("revokedBy").asText() : null, t.path("bootstrap").asBoolean(false)),
      (o, t) -> {
        o.put("name", t.name()).put("role", t.role().wireName()).put("sha256", HEX.formatHex(t.sha256()))
            .put("createdAt", t.createdAt().toString()).put("createdBy", t.createdBy()).put("bootstrap", t.bootstrap());
        o.put("lastUsedAt", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
        o.put("revokedAt", t.revokedAt() == null ? null : t.revokedAt().toString());
        o.put("revokedBy", t.revokedBy());
      },
      true, "restore it from a backup, or move it away to start without its named tokens");

  private final JsonListFile<StoredToken> tokens;

  /**
   * @param file the token file; created at the first write
   * @throws IOException when the file cannot be read, is readable by others or is not well-formed
   */
  FileTokenRecords(Path file) throws IOException {
    if (Files.exists(file) && SecureFiles.posix(file.toAbsolutePath().getParent())) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (!SecureFiles.OWNER_ONLY.containsAll(perms)) {
        throw new IOException("token file " + file + " can be read by others (" + perms + "); run chmod 600 on it");
      }
      SecureFiles.checkOwnedBySelf(file, "token file");
      SecureFiles.checkNotReplaceableByOthers(file.toAbsolutePath().getParent(), "token file " + file);
    }
    this.tokens = JsonListFile.open(file, FORMAT);
  }

  private static @Nullable Instant instant(@Nullable JsonNode node) {
    return node == null || node.isNull() ? null : Instant.parse(node.asText());
  }

  @Override
  public synchronized void addBootstrapToken(byte[] sha256, Instant at) {
    List<StoredToken> next = new ArrayList<>(tokens.records());
    boolean known = false;
    boolean changed = false;
    for (int i = 0; i < next.size(); i++) {
      StoredToken t = next.get(i);
      if (Arrays.equals(t.sha256(), sha256)) {
        known = true;
      } else if (t.bootstrap() && t.revokedAt() == null) {
        // One server, one token file: a different bootstrap token means the file was deleted for a new token,
        // and the old one must stop working, as it did before named tokens existed.
        next.set(i, new StoredToken(t.name(), t.role(), t.sha256(), t.createdAt(), t.createdBy(), t.lastUsedAt(), at,
            "server start: admin.token replaced", true));
        changed = true;
      }
    }
    if (known) {
      if (changed) {
        tokens.replace(next);
      }
      return;
    }
    next.add(new StoredToken(ApiTokens.bootstrapName(sha256), Role.ADMIN, sha256.clone(), at, "server start", null,
        null, null, true));
    tokens.replace(next);
  }

  @Override
  public synchronized void addToken(StoredToken token) {
    for (StoredToken t : tokens.records()) {
      if (t.name().equals(token.name())) {
        throw ApiTokens.nameTaken(t);
      }
    }
    tokens.add(token);
  }

  @Override
  public synchronized List<StoredToken> tokens() {
    return List.copyOf(tokens.records());
  }

  @Override
  public synchronized boolean revokeToken(String name, String by, Instant at) {
    List<StoredToken> next = new ArrayList<>(tokens.records());
    for (int i = 0; i < next.size(); i++) {
      StoredToken t = next.get(i);
      if (t.name().equals(name) && !t.bootstrap() && t.revokedAt() == null) {
        next.set(i, new StoredToken(t.name(), t.role(), t.sha256(), t.createdAt(), t.createdBy(), t.lastUsedAt(), at,
            by, false));
        tokens.replace(next);
        return true;
      }
    }
    return false;
  }

  @Override
  public synchronized void touchTokens(Map<String, Instant> lastUsed) {
    List<StoredToken> next = new ArrayList<>(tokens.records());
    boolean changed = false;
    for (int i = 0; i < next.size(); i++) {
      StoredToken t = next.get(i);
      Instant used = lastUsed.get(HEX.formatHex(t.sha256()));
      if (used != null && (t.lastUsedAt() == null || used.isAfter(t.lastUsedAt()))) {
        next.set(i, new StoredToken(t.name(), t.role(), t.sha256(), t.createdAt(), t.createdBy(), used, t.revokedAt(),
            t.revokedBy(), t.bootstrap()));
        changed = true;
      }
    }
    if (changed) {
      tokens.replace(next);
    }
  }
}
