package dev.ringfence.agent.internal;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.EnvelopeSignature;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The checks of the trust-root lifecycle: a root chains from the trusted one, a timestamp is fresh and not
 * replayed. Every refusal is a {@link ContentRefusedException} with its {@link Reason}, naming the field.
 */
public final class TrustVerifier {

  private TrustVerifier() {}

  /**
   * Counts the distinct keys of a role whose signatures verify; signatures by other keys are ignored (a
   * rotated root carries the old root keys' signatures too).
   *
   * @param roleKeys the role's keys by id
   * @param signed the signed bytes
   * @param signatures the signatures
   * @return how many distinct role keys signed
   */
  public static int validSignatures(Map<String, PublicKey> roleKeys, byte[] signed, List<EnvelopeSignature> signatures) {
    Set<String> valid = new HashSet<>();
    for (EnvelopeSignature sig : signatures) {
      PublicKey key = roleKeys.get(sig.keyId());
      if (key != null && !valid.contains(sig.keyId()) && EnvelopeVerifier.verifies(key, signed, sig.signature())) {
        valid.add(sig.keyId());
      }
    }
    return valid.size();
  }

  /**
   * Checks that a root is signed by a threshold of its own root keys: what a root given out of band, or read
   * back from disk, must at least be.
   *
   * @param root the root
   * @throws ContentRefusedException {@link Reason#ROOT_ROTATION_REFUSED} when it is not
   */
  public static void verifySelfSigned(RootDocument root) {
    int valid = validSignatures(root.keysOf("root"), root.signedBytes(), root.signatures());
    if (valid < root.root().threshold()) {
      throw new ContentRefusedException(Reason.ROOT_ROTATION_REFUSED, 0, "signatures: root v" + root.version()
          + " has " + valid + " valid signature(s) by its own root keys, fewer than its threshold "
          + root.root().threshold());
    }
  }

  /**
   * Checks that {@code next} may replace {@code trusted}: exactly the next version; signed by a threshold of
   * the trusted root's root keys and by a threshold of its own; every key revoked before stays revoked.
   *
   * @param trusted the root trusted now
   * @param next the candidate
   * @throws ContentRefusedException {@link Reason#ROOT_ROTATION_REFUSED} naming what failed
   */
  public static void verifyNext(RootDocument trusted, RootDocument next) {
    if (next.version() != trusted.version() + 1) {
      throw refusedRoot(next, "version: " + next.version() + " does not follow the trusted root v"
          + trusted.version() + "; roots are taken one version at a time");
    }
    byte[] signed = next.signedBytes();
    int old = validSignatures(trusted.keysOf("root"), signed, next.signatures());
    if (old < trusted.root().threshold()) {
      throw refusedRoot(next, "signatures: " + old + " valid signature(s) by root v" + trusted.version()
          + "'s root keys, fewer than its threshold " + trusted.root().threshold()
          + "; a rotation needs the old root keys' consent");
    }
    int own = validSignatures(next.keysOf("root"), signed, next.signatures());
    if (own < next.root().threshold()) {
      throw refusedRoot(next, "signatures: " + own + " valid signature(s) by its own root keys, fewer than"
          + " its threshold " + next.root().threshold());
    }
    for (Map.Entry<String, String> revoked : trusted.revokedKeys().entrySet()) {
      if (!revoked.getValue().equals(next.revokedKeys().get(revoked.getKey()))) {
        throw refusedRoot(next, "revokedKeys: drops the revocation of '" + revoked.getKey()
            + "'; a revoked key stays revoked");
      }
    }
  }

  private static ContentRefusedException refusedRoot(RootDocument next, String detail) {
    return new ContentRefusedException(Reason.ROOT_ROTATION_REFUSED, 0, "root v" + next.version() + " refused: "
        + detail);
  }

  /**
   * Checks a timestamp: a threshold of the root's timestamp keys signed it, it is for this channel, unexpired,
   * not older than the one accepted before, and consistent with what this endpoint already accepted.
   *
   * @param ts the timestamp
   * @param root the trusted root (already updated to {@code ts.rootVersion()} when the server had a newer one)
   * @param channel the agent's channel
   * @param now the current instant
   * @param last the timestamp accepted before, or null
   * @param highestAccepted the highest version this endpoint accepted, -1 when none
   * @throws ContentRefusedException with {@link Reason#TIMESTAMP_INVALID}, {@link Reason#TIMESTAMP_EXPIRED}
   *     or {@link Reason#TIMESTAMP_REPLAYED}
   */
  public static void verifyTimestamp(TimestampDocument ts, RootDocument root, String channel, Instant now,
      @Nullable TimestampDocument last, long highestAccepted) {
    if (root.timestamp() == null) {
      throw refusedTimestamp(Reason.TIMESTAMP_INVALID, "roles.timestamp: root v" + root.version()
          + " has no timestamp role, so no timestamp can verify");
    }
    byte[] signed = ts.signedBytes();
    int valid = validSignatures(root.keysOf("timestamp"), signed, ts.signatures());
    if (valid < root.timestamp().threshold()) {
      throw refusedTimestamp(Reason.TIMESTAMP_INVALID, "signatures: timestamp serial " + ts.serial() + " has "
          + valid + " valid signature(s) by root v" + root.version() + "'s timestamp keys, fewer than its"
          + " threshold " + root.timestamp().threshold());
    }
    if (!ts.channel().equals(channel)) {
      throw refusedTimestamp(Reason.TIMESTAMP_INVALID, "channel: the timestamp is for '" + ts.channel()
          + "', not '" + channel + "'");
    }
    if (ts.rootVersion() < root.version()) {
      throw refusedTimestamp(Reason.TIMESTAMP_REPLAYED, "rootVersion: " + ts.rootVersion() + " is below the"
          + " trusted root v" + root.version() + "; the timestamp predates a rotation this endpoint saw");
    }
    if (last != null && ts.serial() < last.serial()) {
      throw refusedTimestamp(Reason.TIMESTAMP_REPLAYED, "serial: " + ts.serial() + " is below " + last.serial()
          + ", accepted at " + last.issuedAt() + "; an old timestamp is being replayed");
    }
    if (last != null && ts.serial() == last.serial() && !Arrays.equals(signed, last.signedBytes())) {
      throw refusedTimestamp(Reason.TIMESTAMP_REPLAYED, "serial: " + ts.serial() + " was accepted before with"
          + " other contents; a timestamp key signed two different documents under one serial");
    }
    if (!ts.expiresAt().isAfter(now)) {
      throw refusedTimestamp(Reason.TIMESTAMP_EXPIRED, "expiresAt: " + ts.expiresAt() + " is not after now ("
          + now + "); the update server stopped re-signing freshness: it is frozen, or a newer release is"
          + " withheld");
    }
    if (ts.newestVersion() < highestAccepted) {
      throw refusedTimestamp(Reason.TIMESTAMP_INVALID, "newestVersion: " + ts.newestVersion() + " is below v"
          + highestAccepted + ", which this endpoint accepted; the timestamp hides a release");
    }
  }

  private static ContentRefusedException refusedTimestamp(Reason reason, String detail) {
    return new ContentRefusedException(reason, 0, "timestamp " + detail);
  }
}
