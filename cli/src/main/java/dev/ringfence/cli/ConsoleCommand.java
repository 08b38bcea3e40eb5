package dev.ringfence.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * A command that prints to the command line's standard output and error: picocli's writers, which a test (or an
 * embedding program) may replace.
 */
abstract class ConsoleCommand implements Callable<Integer> {

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  /**
   * Runs the command.
   *
   * @param out standard output
   * @param err standard error
   * @return the exit code
   * @throws Exception what the command does not turn into an exit code itself; picocli reports it
   */
  abstract int run(PrintWriter out, PrintWriter err) throws Exception;

  @Override
  public final Integer call() throws Exception {
    return run(spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
