package dev.ringfence.cli;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditTrail;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code ringfence audit verify <journal-dir-or-audit.jsonl>}. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with audit trails.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand extends ParentCommand {

  @Override
  String example() {
    return "audit verify DIR";
  }

  /** Verifies the hash chain: exit 0 intact, 1 broken, 2 unreadable. */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verifies the hash chain of an audit trail: a file journal's directory, or an exported"
          + " audit.jsonl.", "Exit code 0: intact; 1: a line was changed, removed or reordered; 2: unreadable."})
  static final class Verify implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<journal-or-export>",
        description = "a file journal directory (its audit.jsonl is checked) or an audit.jsonl file")
    @SuppressWarnings("NullAway.Init")
    Path path;

    @CommandLine.Spec
    @SuppressWarnings("NullAway.Init")
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path file = Files.isDirectory(path) ? path.resolve("audit.jsonl") : path;
      if (!Files.isRegularFile(file)) {
        err.println(file + ": no such audit trail; name a file journal directory or an audit.jsonl file");
        return RingfenceCli.EXIT_USAGE;
      }
      try {
        Optional<String> broken = AuditTrail.verify(file);
        if (broken.isPresent()) {
          out.println(file + ": BROKEN: " + broken.get());
          return 1;
        }
        out.println(file + ": intact, " + AuditTrail.lines(file).size() + " records chained by SHA-256");
        return 0;
      } catch (StoreException e) {
        err.println(file + ": " + e.getMessage());
        return RingfenceCli.EXIT_USAGE;
      }
    }
  }
}
