package dev.ringfence.bootguard;

import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.StartCounter;
import dev.ringfence.agent.TrustStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One endpoint's state directory, driven by the Java agent (public API) and by the guard's binary. */
final class Host {

  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private static final String CHANNEL = "channel-291";

  final Path dir;
  private final Path payloads;
  private final KeyPair key;
  private final StartCounter counter;

  Host(Path dir, Path payloads, StartCounter counter) throws GeneralSecurityException {
    this.dir = dir;
    this.payloads = payloads;
    this.counter = counter;
    this.key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  /** A new agent over the directory: a process start. */
  RolloutAgent agent() {
    return RolloutAgent.builder().stateDirectory(dir).endpointId("host-42").channel(CHANNEL)
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .startCounter(counter).build();
  }

  /** A new agent over the directory that sends its signals to {@code sink}. */
  RolloutAgent agent(java.util.function.Consumer<dev.ringfence.protocol.Signal> sink) {
    return RolloutAgent.builder().stateDirectory(dir).endpointId("host-42").channel(CHANNEL)
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .startCounter(counter).signalSink(sink::accept).build();
  }

  /** A new agent over the directory whose confirmations start a probation of this length. */
  RolloutAgent agent(java.time.Duration probation) {
    return RolloutAgent.builder().stateDirectory(dir).endpointId("host-42").channel(CHANNEL)
        .trustStore(TrustStore.builder().key("k", key.getPublic()).build()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .startCounter(counter).probation(probation).build();
  }

  static byte[] content(long version) {
    return ("channel-291 v" + version + "\n").repeat(300).getBytes(StandardCharsets.UTF_8);
  }

  /** Signs and applies a version through {@code agent}: staged, validated, activated on trial. */
  void apply(RolloutAgent agent, long version) throws Exception {
    byte[] bytes = content(version);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    Envelope envelope = new Envelope(CHANNEL, version, sha, bytes.length, NOW.plusSeconds(3600), List.of());
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key.getPrivate());
    signer.update(envelope.signedBytes());
    agent.apply(envelope.withSignature("k", signer.sign()), Files.write(payloads.resolve("p" + version), bytes));
  }

  /**
   * v6 confirmed as the last-known-good, v7 activated on trial (the activating run does not count).
   *
   * @return the agent of the activating run
   */
  RolloutAgent v6GoodV7OnTrial() throws Exception {
    RolloutAgent first = agent();
    first.onStart();
    apply(first, 6);
    first.confirmHealthy();
    apply(first, 7);
    return first;
  }

  /**
   * A host whose agent has v6 confirmed and v7 activated on trial ({@link #v6GoodV7OnTrial()}): where most tests of
   * the guard start.
   *
   * @return the host
   */
  static Host withV7OnTrial(Path dir, Path payloads, StartCounter counter) throws Exception {
    Host host = new Host(dir, payloads, counter);
    host.v6GoodV7OnTrial();
    return host;
  }

  /** What one run of the guard did. */
  record Run(int exit, String stdout, String stderr) {
    String action() {
      return stdout.lines().reduce((a, b) -> b).orElse("").split(" ")[0];
    }
  }

  static Run guard(Path binary, Path dir, String command, String... env) throws IOException, InterruptedException {
    return guard(binary, List.of(command, dir.toString()), env);
  }

  /** Runs the guard with these arguments (options, command, directory) and environment pairs. */
  static Run guard(Path binary, List<String> arguments, String... env) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(binary.toString()));
    args.addAll(arguments);
    String command = String.join(" ", arguments);
    ProcessBuilder builder = new ProcessBuilder(args);
    for (int i = 0; i < env.length; i += 2) {
      builder.environment().put(env[i], env[i + 1]);
    }
    Path out = Files.createTempFile("guard", ".out");
    Path err = Files.createTempFile("guard", ".err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("ringfence-bootguard " + command + " did not finish in 60 s");
    }
    Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return run;
  }

  static Path binary(String property) {
    String path = System.getProperty(property);
    if (path == null || !Files.isExecutable(Path.of(path))) {
      throw new AssertionError("system property " + property + " names no built binary (" + path + "): run the"
          + " module's build, ./mvnw -pl bootguard -am verify");
    }
    return Path.of(path);
  }
}
