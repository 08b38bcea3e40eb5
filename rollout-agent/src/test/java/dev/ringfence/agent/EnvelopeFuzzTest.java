package dev.ringfence.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ringfence.agent.internal.AgentState;
import dev.ringfence.agent.internal.EnvelopeVerifier;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the content envelope reader and the checks behind it (docs/fuzzing.md). A document is refused with a
 * {@link MalformedEnvelopeException} naming the field, or it is an envelope that writes back to an equal one and
 * that the verifier either accepts or refuses with one {@link ContentRefusedException} per check. To reach the
 * checks behind the signatures, each parsed envelope is verified twice: as it came, and re-signed with the
 * trusted test key. Corpus: {@code EnvelopeFuzzTestInputs/}.
 */
class EnvelopeFuzzTest {

  private static final String CHANNEL = "channel-291";
  private static final String KEY_ID = "release-1";
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final KeyPair KEY = fixedKey();
  private static final EnvelopeVerifier VERIFIER = new EnvelopeVerifier(
      TrustStore.builder().key(KEY_ID, KEY.getPublic()).threshold(1).build(), CHANNEL);
  private static final AgentState STATE = new AgentState(3, 2, null, null, 0, 6, new TreeSet<>(List.of(9L)));

  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parse(byte[] json) throws GeneralSecurityException {
    Envelope envelope;
    try {
      envelope = Envelope.parse(json);
    } catch (MalformedEnvelopeException e) {
      assertThat(e.field()).isNotBlank();
      return;
    }
    assertThat(Envelope.parse(envelope.toJson())).isEqualTo(envelope);
    verify(envelope);
    verify(new Envelope(envelope.channel(), envelope.version(), envelope.sha256(), envelope.size(),
        envelope.expiresAt(), List.of()).withSignature(KEY_ID, sign(envelope)));
  }

  private static void verify(Envelope envelope) {
    try {
      VERIFIER.verify(envelope, NOW, STATE);
    } catch (ContentRefusedException e) {
      assertThat(e.version()).isEqualTo(envelope.version());
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  private static byte[] sign(Envelope envelope) throws GeneralSecurityException {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(KEY.getPrivate());
    signer.update(envelope.signedBytes());
    return signer.sign();
  }

  /** The same key at every run, so a finding reproduces. */
  private static KeyPair fixedKey() {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(291L);
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(255, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no Ed25519 in this JDK", e);
    }
  }
}
