package dev.ringfence.cli;

import dev.ringfence.cli.demo.EndToEndDemo;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code ringfence demo [--agents N] [--canaries N] [--dir DIR] [--timeout PT60S]}: the end-to-end demo. */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"The end-to-end demo: an update server on loopback and agent processes"
    + " (separate JVMs); a good release, then a poisoned one that crashes the canaries, which revert by"
    + " themselves while the server halts.",
    "Exit code 0 when every claim held, 1 when one did not, 2 for bad options."})
final class DemoCommand implements Callable<Integer> {

  @CommandLine.Option(names = "--agents", description = "agent processes, 2..32")
  int agents = EndToEndDemo.Options.defaults().agents();

  @CommandLine.Option(names = "--canaries", description = "how many of them are in the canary ring")
  int canaries = EndToEndDemo.Options.defaults().canaries();

  @CommandLine.Option(names = "--dir", description = "work folder, new or empty; default: a new temporary folder")
  @Nullable Path dir;

  @CommandLine.Option(names = "--timeout", description = "how long each step may take, e.g. 60s or PT60S")
  Duration timeout = EndToEndDemo.Options.defaults().timeout();

  @CommandLine.Option(names = "--keep", description = "keep the temporary work folder (journal, audit trail, agents'"
      + " state); a --dir folder is always kept")
  boolean keep;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
        StandardCharsets.UTF_8);
    if (dir != null && java.nio.file.Files.isDirectory(dir) && !isEmpty(dir)) {
      // A second story in the same folder would meet the first one's keys, journal and trust root.
      throw new CommandLine.ParameterException(spec.commandLine(), "--dir " + dir + ": is not empty; name a new or"
          + " empty folder (its files from an earlier run stay as they are)");
    }
    EndToEndDemo.Options options;
    try {
      options = new EndToEndDemo.Options(agents, canaries, dir, timeout, keep);
    } catch (InvalidInputException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
    try {
      return EndToEndDemo.run(out, options).ok() ? 0 : 1;
    } catch (Exception e) {
      out.println("ringfence demo failed: " + e);
      return 1;
    }
  }

  private static boolean isEmpty(Path folder) {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(folder)) {
      return files.findAny().isEmpty();
    } catch (java.io.IOException e) {
      return false;
    }
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
