package dev.ringfence.agent.internal;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.EnvelopeSignature;
import dev.ringfence.agent.TrustStore;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * The checks every envelope passes before its payload is fetched, in this order: signatures (each names
 * a trusted key and verifies; at least the threshold of distinct keys), channel, expiry, known-bad list,
 * version above the highest accepted and at most {@code maxVersionJump} above it. Then {@link #checkPayload} checks the payload's size and digest.
 */
public final class EnvelopeVerifier {

  private final TrustStore trustStore;
  private final String channel;
  private final long maxVersionJump;

  /**
   * @param trustStore the trusted keys and threshold
   * @param channel the channel this agent follows
   */
  public EnvelopeVerifier(TrustStore trustStore, String channel) {
    this(trustStore, channel, dev.ringfence.agent.RolloutAgent.DEFAULT_MAX_VERSION_JUMP);
  }

  /**
   * @param trustStore the trusted keys and threshold
   * @param channel the channel this agent follows
   * @param maxVersionJump how far above the highest accepted version a version may be, 1 or more
   */
  public EnvelopeVerifier(TrustStore trustStore, String channel, long maxVersionJump) {
    this.trustStore = trustStore;
    this.channel = channel;
    this.maxVersionJump = maxVersionJump;
  }

  /**
   * Checks an envelope against the trust store and the agent's state.
   *
   * @param envelope the envelope
   * @param now the current instant
   * @param state the agent's state (highest accepted, known-bad)
   * @throws ContentRefusedException with the {@link ContentRefusedException.Reason} of the check that failed
   */
  public void verify(Envelope envelope, Instant now, AgentState state) {
    verifyAuthentic(envelope, now);
    long version = envelope.version();
    if (state.knownBad().contains(version)) {
      throw Refusals.knownBad(version);
    }
    if (version <= state.highestAccepted()) {
      throw Refusals.stale(version, state.highestAccepted());
    }
    // Both are at least 0 here, so the difference cannot overflow.
    if (state.highestAccepted() >= 0 && version - state.highestAccepted() > maxVersionJump) {
      throw Refusals.versionJump(version, state.highestAccepted(), maxVersionJump);
    }
  }

  /**
   * The checks that do not depend on the agent's state: signatures and threshold, channel, expiry. Used
   * alone for an envelope of the version the endpoint already accepted, so a server that keeps replaying it
   * is noticed once it expires (an indefinite freeze ends at the envelope's expiry).
   *
   * @param envelope the envelope
   * @param now the current instant
   * @throws ContentRefusedException with the {@link ContentRefusedException.Reason} of the check that failed
   */
  public void verifyAuthentic(Envelope envelope, Instant now) {
    long version = envelope.version();
    if (envelope.signatures().isEmpty()) {
      throw Refusals.badSignature(version, "signatures", "none present");
    }
    byte[] signed = envelope.signedBytes();
    Set<String> validKeys = new HashSet<>();
    for (EnvelopeSignature sig : envelope.signatures()) {
      if (trustStore.isRevoked(sig.keyId())) {
        throw new ContentRefusedException(ContentRefusedException.Reason.REVOKED_KEY, version, "signatures["
            + sig.keyId() + "]: key '" + sig.keyId() + "' signing v" + version + " was revoked by the trust root;"
            + " re-sign the release with a current release key");
      }
      PublicKey key = trustStore.key(sig.keyId())
          .orElseThrow(() -> Refusals.unknownKey(version, sig.keyId()));
      if (!trustStore.recentlyVerified(sig.keyId(), signed, sig.signature()) && !verifies(key, signed, sig.signature())) {
        throw Refusals.badSignature(version, "signatures[" + sig.keyId() + "]",
            "does not verify over the envelope's signed fields");
      }
      trustStore.rememberVerified(sig.keyId(), signed, sig.signature());
      validKeys.add(sig.keyId());
    }
    if (validKeys.size() < trustStore.threshold()) {
      throw Refusals.belowThreshold(version, validKeys.size(), trustStore.threshold());
    }
    if (!envelope.channel().equals(channel)) {
      throw Refusals.wrongChannel(version, envelope.channel(), channel);
    }
    if (!envelope.expiresAt().isAfter(now)) {
      throw Refusals.expired(version, envelope.expiresAt(), now);
    }
  }

  static boolean verifies(PublicKey key, byte[] signed, String base64) {
    try {
      byte[] signature = Base64.getDecoder().decode(base64);
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(signed);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // malformed Base64 or signature encoding: as bad as a wrong signature
    }
  }

  /**
   * Checks a payload against its envelope.
   *
   * @param envelope the verified envelope
   * @param size the payload's size
   * @param sha256 the payload's SHA-256, lowercase hex
   * @throws ContentRefusedException {@link ContentRefusedException.Reason#DIGEST_MISMATCH} naming {@code size} or
   *     {@code sha256}
   */
  public static void checkPayload(Envelope envelope, long size, String sha256) {
    if (size != envelope.size()) {
      throw Refusals.digestMismatch(envelope.version(), "size", envelope.size() + " bytes", size + " bytes");
    }
    if (!sha256.equals(envelope.sha256())) {
      throw Refusals.digestMismatch(envelope.version(), "sha256", envelope.sha256(), sha256);
    }
  }
}
