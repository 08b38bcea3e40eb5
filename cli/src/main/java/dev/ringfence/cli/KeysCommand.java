package dev.ringfence.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ringfence keys generate|init-root|rotate|sign-root}. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Work with signing keys and the trust root.",
    subcommands = {KeysCommand.Generate.class, RootCommands.Init.class, RootCommands.Rotate.class,
        RootCommands.Sign.class})
final class KeysCommand extends ParentCommand {

  @Override
  String example() {
    return "keys generate --id release-1 --out keys";
  }

  /** Writes a new Ed25519 release key pair. */
  @Command(name = "generate", mixinStandardHelpOptions = true, showDefaultValues = true,
      description = {"Generates an Ed25519 release key: ID.key (private, mode 0600; keep it off the update server)"
          + " and ID.pub (public). Prints the --release-key option that the server and the agents trust it by.",
          "Never overwrites a key file."})
  static final class Generate implements Callable<Integer> {

    @Option(names = "--id", required = true, description = "the key id, named in every signature it makes")
    @SuppressWarnings("NullAway.Init")
    String id;

    @Option(names = "--out", description = "the folder for the key files")
    Path out = Path.of("release-keys");

    @CommandLine.Spec
    @SuppressWarnings("NullAway.Init")
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Path publicFile = ReleaseKeyFiles.generate(out, id);
      String base64 = Files.readString(publicFile, StandardCharsets.US_ASCII).trim();
      spec.commandLine().getOut().println("wrote " + out.resolve(id + ".key") + " (private) and " + publicFile);
      spec.commandLine().getOut().println("--release-key " + id + "=" + base64);
      return 0;
    }
  }
}
