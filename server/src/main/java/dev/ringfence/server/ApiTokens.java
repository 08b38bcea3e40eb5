package dev.ringfence.server;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's bearer tokens, each with a name and a {@link Role}: every replica's generated admin token (its
 * bootstrap token, named {@code bootstrap-} and the first 8 hex digits of its SHA-256, so every replica gives it
 * the same name) and the named tokens created through the API. Only digests are kept; a presented token is
 * hashed and compared with every valid digest in constant time (no early exit). Revocations and new tokens made
 * through another replica are read again on every tick.
 */
final class ApiTokens {

  /** Names a token may have: what the audit trail records as the actor of its calls. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final String BOOTSTRAP = "bootstrap";
  private static final HexFormat HEX = HexFormat.of();

  /**
   * Who called: the token's name and role.
   *
   * @param name the token's name, recorded as the actor
   * @param role what it may do
   */
  record Principal(String name, Role role) {}

  /**
   * A token just created: the token itself is in this answer only.
   *
   * @param token the bearer token
   * @param stored what is kept of it
   */
  record Created(String token, TokenRecords.StoredToken stored) {}

  private final AdminToken bootstrap;
  private final TokenRecords records;
  private final Clock clock;
  private final SecureRandom random;
  /** The valid tokens as last read. */
  private volatile List<TokenRecords.StoredToken> valid = List.of();
  /** Calls since the last flush: the hex of a token's digest to the time of its latest call. */
  private final Map<String, Instant> used = new ConcurrentHashMap<>();

  private ApiTokens(AdminToken bootstrap, TokenRecords records, Clock clock, SecureRandom random) {
    this.bootstrap = bootstrap;
    this.records = records;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Records this replica's bootstrap token and reads every token.
   *
   * @param bootstrap this replica's generated admin token
   * @param records where tokens are kept
   * @param clock the server's clock
   * @param random for new tokens
   * @return the tokens
   */
  static ApiTokens open(AdminToken bootstrap, TokenRecords records, Clock clock, SecureRandom random) {
    ApiTokens tokens = new ApiTokens(bootstrap, records, clock, random);
    records.addBootstrapToken(bootstrap.sha256(), clock.instant());
    tokens.refresh();
    return tokens;
  }

  /**
   * @param sha256 a bootstrap token's digest
   * @return its name, the same on every replica
   */
  static String bootstrapName(byte[] sha256) {
    return BOOTSTRAP + "-" + HEX.formatHex(sha256, 0, 4);
  }

  static HttpError nameTaken(TokenRecords.StoredToken existing) {
    return new HttpError(409, "conflict", "name", "name: '" + existing.name() + "' is taken"
        + (existing.revokedAt() != null ? " by a token revoked at " + existing.revokedAt() + "; a name is never reused,"
            + " so the audit trail's actors stay unambiguous" : "") + "; choose another name");
  }

  /** @return the file holding this replica's bootstrap token */
  Path bootstrapFile() {
    return bootstrap.file();
  }

  /**
   * @param authorization the request's {@code Authorization} header
   * @return the valid token it carries, or null
   */
  @Nullable Principal authenticate(@Nullable String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return null;
    }
    // Exactly the token: no trimming, so "Bearer <token>\u0000" or a trailing space is a different credential.
    byte[] presented = AdminToken.sha256(authorization.substring("Bearer ".length()));
    TokenRecords.StoredToken match = null;
    for (TokenRecords.StoredToken t : valid) {
      if (MessageDigest.isEqual(t.sha256(), presented)) { // every digest compared: no early exit to time
        match = t;
      }
    }
    if (match == null) {
      return null;
    }
    used.put(HEX.formatHex(match.sha256()), clock.instant());
    return new Principal(match.name(), match.role());
  }

  /**
   * Creates a named token.
   *
   * @param name its name, checked by the caller against {@link #NAME}
   * @param role its role
   * @param by the name of the token that creates it
   * @return the token, to be shown once
   * @throws HttpError 409 when the name is taken
   */
  Created create(String name, Role role, String by) {
    for (TokenRecords.StoredToken t : records.tokens()) {
      if (t.name().equals(name)) {
        throw nameTaken(t);
      }
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    TokenRecords.StoredToken stored = new TokenRecords.StoredToken(name, role, AdminToken.sha256(token),
        clock.instant(), by, null, null, null, false);
    records.addToken(stored);
    refresh();
    return new Created(token, stored);
  }

  /**
   * Revokes a named token: refused on this replica at once, on the others within a tick.
   *
   * @param name its name
   * @param by the name of the token that revokes it
   * @return the token as it is stored now
   * @throws HttpError 404 for an unknown name, 409 for a bootstrap token or one revoked already
   */
  TokenRecords.StoredToken revoke(String name, String by) {
    TokenRecords.StoredToken found = find(name);
    if (found.bootstrap()) {
      throw new HttpError(409, "conflict", "name", "name: '" + name + "' is a replica's generated admin token; it"
          + " lives in that replica's data folder (admin.token): delete the file and restart the replica to replace it");
    }
    if (found.revokedAt() != null || !records.revokeToken(name, by, clock.instant())) {
      throw new HttpError(409, "conflict", "name", "name: '" + name + "' was revoked already"
          + (found.revokedAt() != null ? " at " + found.revokedAt() + " by " + found.revokedBy() : ""));
    }
    refresh();
    return find(name);
  }

  private TokenRecords.StoredToken find(String name) {
    for (TokenRecords.StoredToken t : records.tokens()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new HttpError(404, "not_found", "name", "name: no token is named '" + LogText.of(name) + "'");
  }

  /** @return every token, valid and revoked, with the last use this replica has not yet written added in */
  List<TokenRecords.StoredToken> list() {
    List<TokenRecords.StoredToken> out = new ArrayList<>();
    for (TokenRecords.StoredToken t : records.tokens()) {
      Instant pending = used.get(HEX.formatHex(t.sha256()));
      Instant last = t.lastUsedAt() == null || (pending != null && pending.isAfter(t.lastUsedAt())) ? pending
          : t.lastUsedAt();
      out.add(new TokenRecords.StoredToken(t.name(), t.role(), t.sha256(), t.createdAt(), t.createdBy(), last,
          t.revokedAt(), t.revokedBy(), t.bootstrap()));
    }
    return out;
  }

  /**
   * Writes the last uses seen since the last call and reads the tokens again (every tick): a token created or
   * revoked through another replica counts here from now on.
   */
  void refresh() {
    if (!used.isEmpty()) {
      Map<String, Instant> batch = new HashMap<>(used);
      records.touchTokens(batch);
      batch.forEach(used::remove); // removes an entry only if no newer call replaced it meanwhile
    }
    List<TokenRecords.StoredToken> next = new ArrayList<>();
    for (TokenRecords.StoredToken t : records.tokens()) {
      if (t.revokedAt() == null) {
        next.add(t);
      }
    }
    valid = List.copyOf(next);
  }
}
