package dev.ringfence.cli;

import dev.ringfence.core.StoreException;
import dev.ringfence.core.store.AuditHead;
import dev.ringfence.core.store.AuditTrail;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.postgresql.PostgresRolloutStore;
import dev.ringfence.protocol.InvalidInputException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringfence audit verify <journal-dir-or-audit.jsonl> [--head N:HASH]}, {@code ringfence audit verify
 * --jdbc-url URL}, {@code ringfence audit export --jdbc-url URL --out FILE}.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with audit trails.",
    subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
final class AuditCommand extends ParentCommand {

  /** The environment variable the PostgreSQL password is read from, as for {@code ringfence server}. */
  static final String PASSWORD_VARIABLE = "RINGFENCE_JDBC_PASSWORD";
  private static final Pattern JOURNAL_FILE = Pattern.compile("(journal|snapshot)\\.\\d{1,18}");

  @Override
  String example() {
    return "audit verify DIR";
  }

  /** The PostgreSQL connection options, as {@code ringfence server} takes them. */
  static final class Jdbc {
    @Option(names = "--jdbc-url", paramLabel = "URL",
        description = "jdbc:postgresql://...: the PostgreSQL store's audit trail (password from "
            + PASSWORD_VARIABLE + ")")
    @Nullable String url;

    @Option(names = "--jdbc-user", paramLabel = "USER", description = "PostgreSQL user")
    @Nullable String user;

    DataSource dataSource() {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      try {
        ds.setURL(url);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--jdbc-url", "is '" + url + "': " + e.getMessage());
      }
      if (user != null) {
        ds.setUser(user);
      }
      String password = System.getenv(PASSWORD_VARIABLE);
      if (password != null) {
        ds.setPassword(password);
      }
      return ds;
    }
  }

  /** Verifies a trail: exit 0 intact, 1 broken, 2 unreadable or a usage error. */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Verifies an audit trail: its hash chain and that it ends where its store recorded (so an"
          + " emptied trail or cut-off last lines are found).",
          "A file journal directory (or its audit.jsonl) is checked against the journal beside it; an exported"
              + " file against --head; a PostgreSQL store (--jdbc-url) against its head row and journal rows.",
          "Exit code 0: intact; 1: BROKEN (a line was changed, removed, reordered or cut off); 2: unreadable."})
  static final class Verify extends ConsoleCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "<journal-or-export>",
        description = "a file journal directory, its audit.jsonl, or an exported audit trail")
    @Nullable Path path;

    @Option(names = "--head", paramLabel = "LINES:HASH",
        description = "the head the export was taken with (`ringfence audit export` prints it)")
    @Nullable String head;

    @CommandLine.ArgGroup(exclusive = false)
    @Nullable Jdbc jdbc;

    @Override
    int run(PrintWriter out, PrintWriter err) {
      if ((path == null) == (jdbc == null || jdbc.url == null)) {
        err.println("name a file journal directory or audit trail file, or --jdbc-url, not both");
        return RingfenceCli.EXIT_USAGE;
      }
      String target = path != null ? path.toString() : jdbc.url;
      try {
        AuditVerification result;
        if (path != null) {
          if (Files.isDirectory(path) && !holdsJournal(path)) {
            // Never "intact" for a folder that is not a journal: a path one level off, or a journal deleted.
            err.println(path + ": no file journal here (no journal.N or snapshot.N); name the journal directory, the"
                + " audit.jsonl beside one, or an exported trail with --head");
            return RingfenceCli.EXIT_USAGE;
          }
          Path file = Files.isDirectory(path) ? path.resolve("audit.jsonl") : path;
          Path journal = Files.isDirectory(path) ? path : besideJournal(path);
          if (journal == null && !Files.isRegularFile(file)) {
            err.println(file + ": no such audit trail; name a file journal directory or an audit.jsonl file");
            return RingfenceCli.EXIT_USAGE;
          }
          target = file.toString();
          result = head != null ? AuditTrail.verify(AuditTrail.lines(file), AuditHead.parse(head))
              : journal != null ? AuditTrail.verifyJournal(journal) : chainOnly(file);
        } else {
          if (head != null) {
            throw new InvalidInputException("--head", "is for an exported file; a PostgreSQL store has its own head");
          }
          result = PostgresRolloutStore.verifyAudit(jdbc.dataSource());
        }
        if (result.broken().isPresent()) {
          out.println(target + ": BROKEN: " + result.broken().get());
          return 1;
        }
        out.println(target + ": intact, " + result.lines() + " records chained by SHA-256"
            + result.recorded().map(h -> ", ending at the recorded head " + h.lines() + ":" + h.shortHash()).orElse(""));
        result.note().ifPresent(n -> out.println("note: " + n));
        return 0;
      } catch (StoreException | InvalidInputException e) {
        err.println(target + ": " + e.getMessage());
        return RingfenceCli.EXIT_USAGE;
      }
    }

    /** @return the journal directory the trail file lies in, or null if no journal lies beside it */
    private static @Nullable Path besideJournal(Path file) {
      Path dir = file.toAbsolutePath().getParent();
      if (dir == null || !file.getFileName().toString().equals("audit.jsonl")) {
        return null;
      }
      return holdsJournal(dir) ? dir : null;
    }

    /** @return whether {@code dir} holds a file journal's journal or snapshot file */
    private static boolean holdsJournal(Path dir) {
      try (Stream<Path> files = Files.list(dir)) {
        return files.anyMatch(f -> JOURNAL_FILE.matcher(f.getFileName().toString()).matches());
      } catch (IOException e) {
        return false;
      }
    }

    private static AuditVerification chainOnly(Path file) {
      List<String> lines = AuditTrail.lines(file);
      Optional<String> broken = AuditTrail.verify(file);
      return new AuditVerification(lines.size(), Optional.empty(), broken, broken.isPresent() ? Optional.empty()
          : Optional.of("no journal beside it and no --head: the chain holds, but cut-off last lines or an emptied"
              + " trail cannot be seen"));
    }
  }

  /** Exports a PostgreSQL store's audit trail and prints its head: exit 0 written, 2 failed. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Writes a PostgreSQL store's audit trail as JSON Lines (the file journal's audit.jsonl format)"
          + " and prints the head it was read with, for `ringfence audit verify FILE --head LINES:HASH`.",
          "Exit code 0: written; 2: unreadable or a usage error."})
  static final class Export extends ConsoleCommand {

    @CommandLine.ArgGroup(exclusive = false, multiplicity = "1")
    @SuppressWarnings("NullAway.Init")
    Jdbc jdbc;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the file to write")
    @SuppressWarnings("NullAway.Init")
    Path file;

    @Override
    int run(PrintWriter out, PrintWriter err) {
      if (jdbc.url == null) {
        err.println("--jdbc-url is required");
        return RingfenceCli.EXIT_USAGE;
      }
      try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        AuditHead head = PostgresRolloutStore.exportAudit(jdbc.dataSource(), line -> {
          try {
            writer.write(line);
            writer.write('\n');
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        writer.flush();
        out.println(file + ": " + head.lines() + " records; head " + head);
        out.println("verify with: ringfence audit verify " + file + " --head " + head);
        return 0;
      } catch (IOException | UncheckedIOException e) {
        err.println(file + ": cannot write: " + e.getMessage());
        return RingfenceCli.EXIT_USAGE;
      } catch (StoreException | InvalidInputException e) {
        err.println(jdbc.url + ": " + e.getMessage());
        return RingfenceCli.EXIT_USAGE;
      }
    }
  }
}
