package dev.ringfence.agent.internal;

import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.ContentValidator;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.SignalSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Random;

/** Agents and content for the agent's tests. */
final class Fixtures {

  static final String ENDPOINT = "host-42";

  private Fixtures() {}

  static DefaultRolloutAgent agent(Path dir, FileOps ops, SignalSink sink) {
    return agent(dir, ops, sink, ContentValidator.ACCEPT_ALL);
  }

  static DefaultRolloutAgent agent(Path dir, FileOps ops, SignalSink sink, ContentValidator validator) {
    // Built by the public builder, as users build agents; then the file operations are swapped for the ones
    // under test (a fault-injecting or crashing disk).
    DefaultRolloutAgent built = (DefaultRolloutAgent) RolloutAgent.builder().stateDirectory(dir).endpointId(ENDPOINT)
        .channel("channel-291").trustStore(UNUSED_KEYS).signalSink(sink).validator(validator).build();
    return new DefaultRolloutAgent(built.settings().withFileOps(ops));
  }

  /** A trust store for agents whose tests activate content directly and never verify an envelope. */
  private static final TrustStore UNUSED_KEYS;

  static {
    try {
      UNUSED_KEYS = TrustStore.builder()
          .key("unused", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  static DefaultRolloutAgent agent(Path dir) {
    return agent(dir, RealFileOps.INSTANCE, SignalSink.DISCARD);
  }

  /** Deterministic content of a version: {@code size} bytes seeded by the version. */
  static byte[] content(long version, int size) {
    byte[] bytes = new byte[size];
    new Random(version).nextBytes(bytes);
    byte[] label = ("channel-291 v" + version + "\n").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(label, 0, bytes, 0, Math.min(label.length, size));
    return bytes;
  }

  static byte[] content(long version) {
    return content(version, 4096);
  }

  static ActiveContent activate(DefaultRolloutAgent agent, long version, byte[] bytes) {
    return agent.stageAndActivate(version, SlotStore.chunks(bytes), Digests.sha256Hex(bytes));
  }

  static ActiveContent activate(DefaultRolloutAgent agent, long version) {
    return activate(agent, version, content(version));
  }

  /** Makes {@code version} the confirmed last-known-good in {@code dir}. */
  static void installBaseline(Path dir, long version, byte[] bytes) {
    installBaseline(dir, version, bytes, RealFileOps.INSTANCE);
  }

  static void installBaseline(Path dir, long version, byte[] bytes, FileOps ops) {
    DefaultRolloutAgent agent = agent(dir, ops, SignalSink.DISCARD);
    agent.onStart();
    activate(agent, version, bytes);
    agent.confirmHealthy();
  }

  /** Reads the active content from disk and checks it is exactly the expected bytes of its version. */
  static boolean intact(ActiveContent active, byte[] expected) throws java.io.IOException {
    byte[] onDisk = Files.readAllBytes(active.path());
    return java.util.Arrays.equals(onDisk, expected) && Digests.sha256Hex(onDisk).equals(active.sha256());
  }
}
