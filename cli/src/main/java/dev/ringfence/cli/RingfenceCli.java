package dev.ringfence.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code ringfence} command: {@code simulate}, {@code plan lint}, {@code audit verify}, {@code server},
 * {@code keys generate}, {@code release sign|publish}, {@code rollout create|start|pause|resume|halt|abort|status},
 * {@code token create|list|revoke}, {@code stop-all}, {@code demo}. Exit codes: 0
 * success, 1 findings (lint) or a broken trail (audit), 2 bad arguments or bad files.
 */
@Command(name = "ringfence", mixinStandardHelpOptions = true, versionProvider = RingfenceCli.Version.class,
    description = "Ringfence: gate content updates into canary rings; replay incidents on a simulated fleet.",
    subcommands = {SimulateCommand.class, PlanCommand.class, AuditCommand.class, ServerCommand.class, KeysCommand.class,
        ReleaseCommand.class, RolloutCommand.class, TokenCommand.class, StopAllCommand.class, DemoCommand.class,
        CommandLine.HelpCommand.class})
public final class RingfenceCli implements Runnable {

  /** Exit code for bad arguments or unusable files. */
  public static final int EXIT_USAGE = 2;
  /** The exit code of an admin call whose server could not be reached or did not answer in time. */
  public static final int EXIT_UNREACHABLE = 3;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  /** The top command; picocli fills in its spec. */
  public RingfenceCli() {}

  /**
   * Runs the command.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the command with the given streams, for tests and embedding.
   *
   * @param out standard output
   * @param err standard error
   * @param args the arguments
   * @return the exit code
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new RingfenceCli());
    ServerCommand.declareSettings(cli.getSubcommands().get("server"));
    cli.setParameterExceptionHandler((e, args2) -> {
      CommandLine failed = e.getCommandLine();
      failed.getErr().println("ringfence: " + e.getMessage());
      failed.getErr().println("see '" + failed.getCommandSpec().qualifiedName() + " --help'");
      return EXIT_USAGE;
    });
    // One duration syntax on every command line: 90s, 5m, 2h, 1d or ISO-8601.
    cli.registerConverter(java.time.Duration.class, text -> dev.ringfence.core.Durations.parse("duration", text));
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("ringfence: " + IoErrors.describe(e));
      return EXIT_USAGE;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version, from the jar's manifest when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RingfenceCli.class.getPackage().getImplementationVersion();
      return new String[] {"ringfence " + (v == null ? "(development build)" : v)};
    }
  }
}
