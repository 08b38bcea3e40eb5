package dev.ringfence.cli;

import dev.ringfence.cli.demo.EndToEndDemo;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code ringfence demo [--agents N] [--canaries N] [--dir DIR] [--timeout PT60S]}: the end-to-end demo. */
@Command(name = "demo", description = {"The end-to-end demo: an update server on loopback and agent processes"
    + " (separate JVMs); a good release, then a poisoned one that crashes the canaries, which revert by"
    + " themselves while the server halts. Options: [--agents 10] [--canaries 2] [--dir DIR] [--timeout PT60S]",
    "Exit code 0 when every claim held, 1 when one did not, 2 for bad options."})
final class DemoCommand implements Callable<Integer> {

  @CommandLine.Unmatched
  List<String> args = new ArrayList<>();

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
        StandardCharsets.UTF_8);
    return EndToEndDemo.run(out, args.toArray(new String[0]));
  }

  /** Bridges the CLI's writer to the demo's stream. */
  private static final class WriterOutputStream extends java.io.OutputStream {
    private final java.io.PrintWriter writer;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    WriterOutputStream(java.io.PrintWriter writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) {
      line.write(b);
      if (b == '\n') {
        flush();
      }
    }

    @Override
    public void flush() {
      writer.print(line.toString(StandardCharsets.UTF_8));
      writer.flush();
      line.reset();
    }
  }
}
