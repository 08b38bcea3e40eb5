package dev.ringfence.server;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the admin API's tokens live, by their SHA-256 only (a token is shown once, when it is created, and
 * never stored): a 0600 file in the data folder ({@link FileTokenRecords}) or, for replicas sharing a
 * database, PostgreSQL ({@link JdbcSharedRecords}). A token's name is never reused: a revoked token stays listed
 * with when and by whom it was revoked, so a name in the audit trail always means one token.
 */
interface TokenRecords {

  /**
   * One token as stored.
   *
   * @param name its name, which the audit trail records as the actor of every call made with it
   * @param role what it may do
   * @param sha256 the SHA-256 of the token
   * @param createdAt when it was created (a bootstrap token: when the store first saw it)
   * @param createdBy the name of the token that created it, or {@code "server start"} for a bootstrap token
   * @param lastUsedAt when a call last carried it, to within a tick, or null if never
   * @param revokedAt when it was revoked, or null while it is valid
   * @param revokedBy the name of the token that revoked it, or null
   * @param bootstrap whether it is a replica's generated admin token (its file in the data folder)
   */
  record StoredToken(String name, Role role, byte[] sha256, Instant createdAt, String createdBy,
      @Nullable Instant lastUsedAt, @Nullable Instant revokedAt, @Nullable String revokedBy, boolean bootstrap) {}

  /**
   * Records a replica's generated admin token, by its digest; a repeat is a no-op. The file of one server also
   * revokes the bootstrap token it held before, if any: its {@code admin.token} was replaced. The database keeps
   * every replica's.
   *
   * @param sha256 the token's SHA-256
   * @param at now
   */
  void addBootstrapToken(byte[] sha256, Instant at);

  /**
   * Stores a new named token.
   *
   * @param token the token, not revoked
   * @throws HttpError 409 when the name is taken, by a valid or a revoked token
   */
  void addToken(StoredToken token);

  /** @return every token, bootstrap and named, valid and revoked, oldest first */
  List<StoredToken> tokens();

  /**
   * Revokes a named token.
   *
   * @param name its name
   * @param by the name of the token that revokes it
   * @param at now
   * @return whether a valid named token of that name was revoked
   */
  boolean revokeToken(String name, String by, Instant at);

  /**
   * Records when tokens were last used; an older time than the stored one is ignored.
   *
   * @param lastUsed the time of each token's latest call, keyed by the hex of its SHA-256
   */
  void touchTokens(Map<String, Instant> lastUsed);
}
