package dev.ringfence.cli;

import dev.ringfence.server.UpdateServerMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code ringfence server [options]}: the update server; its options are in docs/update-server.md. */
@Command(name = "server", description = {"Runs the update server on 127.0.0.1 (file journal, or PostgreSQL"
    + " with --jdbc-url). Its own options follow; 'ringfence server --help' lists them.",
    "Reference: docs/update-server.md"})
final class ServerCommand implements Callable<Integer> {

  @CommandLine.Unmatched
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return UpdateServerMain.run(args.toArray(new String[0]));
  }
}
