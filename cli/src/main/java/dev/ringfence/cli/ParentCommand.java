package dev.ringfence.cli;

import picocli.CommandLine;

/** A command that only groups subcommands: run without one, it names what to write instead. */
abstract class ParentCommand implements Runnable {

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  /** @return an example of a full command line, for the error message */
  abstract String example();

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), spec.name() + ": name a subcommand, e.g. '"
        + example() + "'");
  }
}
