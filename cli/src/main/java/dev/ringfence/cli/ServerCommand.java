package dev.ringfence.cli;

import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.server.UpdateServerConfig;
import dev.ringfence.server.UpdateServerMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code ringfence server [--config FILE] [options]}: the update server. Its options are the server's
 * settings ({@link UpdateServerMain#SETTINGS}), declared here from that one list so that {@code --help},
 * the config file and the docs never disagree.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the update server on 127.0.0.1 (file journal, or PostgreSQL with --jdbc-url).",
        "Every option is also a key of the --config file (a JSON object; unknown keys are refused); options"
            + " given here override the file. Reference: docs/update-server.md"})
final class ServerCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "a JSON object of the settings below")
  Path config;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  /** Adds one option per server setting to the {@code server} command. */
  static void declareSettings(CommandLine server) {
    CommandLine.Model.CommandSpec spec = server.getCommandSpec();
    UpdateServerMain.SETTINGS.forEach((name, meaning) -> {
      boolean repeatable = name.equals("release-key") || name.equals("notify");
      spec.addOption(OptionSpec.builder("--" + name).paramLabel("VALUE")
          .type(repeatable ? List.class : String.class).auxiliaryTypes(String.class)
          .description(meaning + (repeatable ? " (repeatable)" : "")).build());
    });
  }

  @Override
  public Integer call() {
    Map<String, List<String>> given = new LinkedHashMap<>();
    for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
      String name = option.longestName().substring(2);
      if (!UpdateServerMain.SETTINGS.containsKey(name)) {
        continue;
      }
      Object value = option.getValue();
      List<String> values = new ArrayList<>();
      if (value instanceof List<?> list) {
        list.forEach(v -> values.add(String.valueOf(v)));
      } else {
        values.add(String.valueOf(value));
      }
      given.put(name, values);
    }
    UpdateServerConfig settings;
    try {
      settings = UpdateServerMain.configure(config, given, System.getenv("RINGFENCE_JDBC_PASSWORD"));
    } catch (InvalidInputException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return UpdateServerMain.serve(settings);
  }
}
