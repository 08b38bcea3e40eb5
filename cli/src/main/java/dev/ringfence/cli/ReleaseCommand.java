package dev.ringfence.cli;

import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.MalformedEnvelopeException;
import dev.ringfence.server.AdminClient;
import dev.ringfence.server.ReleaseSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ringfence release sign|publish}: nobody hand-builds an envelope. */
@Command(name = "release", mixinStandardHelpOptions = true, description = "Sign and publish releases.",
    subcommands = {ReleaseCommand.Sign.class, ReleaseCommand.Publish.class})
final class ReleaseCommand extends ParentCommand {

  /** The clock an envelope's expiry counts from: the signer's own time, as a person signing would read it. */
  private static final Clock CLOCK = Clock.systemUTC();

  @Override
  String example() {
    return "release sign --channel rules --version 2 --payload rules-v2.bin --key keys/release-1.key";
  }

  /** Writes a signed envelope for a payload. */
  @Command(name = "sign", showDefaultValues = true,
      description = "Signs a payload with one or more release keys and writes its envelope (JSON).")
  static final class Sign implements Callable<Integer> {

    // No standard help mixin: its --version would take the release's --version.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--channel", required = true, description = "the channel")
    @SuppressWarnings("NullAway.Init")
    String channel;

    @Option(names = "--version", required = true, showDefaultValue = CommandLine.Help.Visibility.NEVER,
        description = "the release's version, above every earlier one")
    long version;

    @Option(names = "--payload", required = true, description = "the content file")
    @SuppressWarnings("NullAway.Init")
    Path payload;

    @Option(names = "--key", required = true, description = "a private key file from 'keys generate'; repeat for"
        + " k-of-n (the key id is the file name without .key)")
    @SuppressWarnings("NullAway.Init")
    List<Path> keys;

    @Option(names = "--expires-in", description = "how long agents accept the envelope (ISO-8601 duration)")
    Duration expiresIn = Duration.ofDays(30);

    @Option(names = "--out", description = "the envelope file; default: PAYLOAD.envelope.json")
    Path out;

    @CommandLine.Spec
    @SuppressWarnings("NullAway.Init")
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (version < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--version: " + version + " must be at least 1");
      }
      if (expiresIn.isNegative() || expiresIn.isZero()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--expires-in: " + expiresIn
            + " must be positive");
      }
      Map<String, PrivateKey> privateKeys = new LinkedHashMap<>();
      for (Path key : keys) {
        if (privateKeys.put(ReleaseKeyFiles.id(key), ReleaseKeyFiles.readPrivate(key)) != null) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--key " + key + ": key id '"
              + ReleaseKeyFiles.id(key) + "' given twice; k-of-n needs distinct keys");
        }
      }
      byte[] content = Files.readAllBytes(payload);
      Envelope envelope = ReleaseSigner.sign(channel, version, content, CLOCK.instant().plus(expiresIn), privateKeys);
      Path target = out != null ? out : Path.of(payload + ".envelope.json");
      Files.write(target, envelope.toJson());
      spec.commandLine().getOut().println("wrote " + target + ": '" + channel + "' v" + version + ", " + content.length
          + " bytes, SHA-256 " + envelope.sha256() + ", signed by " + String.join(", ", privateKeys.keySet())
          + ", expires " + envelope.expiresAt());
      return 0;
    }
  }

  /** Publishes a signed release to an update server. */
  @Command(name = "publish", mixinStandardHelpOptions = true, showDefaultValues = true,
      description = "Publishes a signed envelope and its payload to an update server's admin API; the server"
          + " verifies the signatures against its release keys before it stores anything.")
  static final class Publish extends AdminCall {

    @Option(names = "--envelope", required = true, description = "the envelope from 'release sign'")
    @SuppressWarnings("NullAway.Init")
    Path envelopeFile;

    @Option(names = "--payload", required = true, description = "the content file")
    @SuppressWarnings("NullAway.Init")
    Path payload;

    @Option(names = "--general", description = "the channel's first release: what every endpoint runs without"
        + " a rollout")
    boolean general;

    @Override
    void run(AdminClient admin, PrintWriter out) throws IOException {
      Envelope envelope;
      try {
        envelope = Envelope.parse(Files.readAllBytes(envelopeFile));
      } catch (MalformedEnvelopeException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--envelope " + envelopeFile + ": "
            + e.getMessage());
      }
      out.println("published " + admin.publish(envelope, Files.readAllBytes(payload), general));
    }
  }
}
