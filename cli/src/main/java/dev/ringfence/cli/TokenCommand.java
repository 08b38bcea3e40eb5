package dev.ringfence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.server.AdminClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringfence token create|list|revoke}: the update server's named API tokens, each with a role (viewer,
 * operator, admin). Exit codes: 0 done, 1 the server refused (its reason on stderr), 2 bad arguments.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Create, list and revoke the update server's named API tokens (viewer, operator, admin).",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand extends ParentCommand {

  @Override
  String example() {
    return "token create ci-deploy --role operator --out ci-deploy.token";
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates a named token with a role; the token is shown once (or written to --out, mode 0600).")
  static final class Create extends AdminCall {
    @Parameters(index = "0", paramLabel = "<name>",
        description = "the token's name: what the audit trail records as the actor of its calls")
    @SuppressWarnings("NullAway.Init")
    String name;

    @Option(names = "--role", required = true, description = "viewer, operator or admin")
    @SuppressWarnings("NullAway.Init")
    String role;

    @Option(names = "--out", description = "write the token to this new file (mode 0600) instead of printing it;"
        + " use it as --token-file")
    Path out;

    @Override
    void run(AdminClient admin, PrintWriter print) throws IOException {
      if (out != null && Files.exists(out)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + ": exists; name a new file");
      }
      JsonNode created = admin.createToken(name, role);
      String token = created.get("token").asText();
      if (out == null) {
        print.println("token '" + name + "' (" + created.get("role").asText() + ") created; shown once, keep it"
            + " now:");
        print.println(token);
        return;
      }
      try {
        OwnerOnlyFile.create(out, token + "\n", StandardCharsets.UTF_8);
      } catch (FileAlreadyExistsException e) {
        throw new IOException("--out " + out + " appeared meanwhile; the token '" + name + "' exists on the server:"
            + " revoke it and create another", e);
      }
      print.println("token '" + name + "' (" + created.get("role").asText() + ") created; written to " + out
          + " (0600): use it with --token-file " + out);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists every token: name, role, created, last used, revoked. Never a token.")
  static final class ListTokens extends AdminCall {
    @Override
    void run(AdminClient admin, PrintWriter out) throws IOException {
      for (JsonNode t : admin.tokens().get("tokens")) {
        out.printf("%-24s %-8s created %s by %s; last used %s%s%n", t.get("name").asText(), t.get("role").asText(),
            t.get("createdAt").asText(), t.get("createdBy").asText(),
            t.get("lastUsedAt").isNull() ? "never" : t.get("lastUsedAt").asText(),
            t.get("revokedAt").isNull() ? "" : "; REVOKED " + t.get("revokedAt").asText() + " by "
                + t.get("revokedBy").asText());
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revokes a named token: every replica refuses it within a tick. Its name is never reused.")
  static final class Revoke extends AdminCall {
    @Parameters(index = "0", paramLabel = "<name>", description = "the token's name")
    @SuppressWarnings("NullAway.Init")
    String name;

    @Override
    void run(AdminClient admin, PrintWriter out) throws IOException {
      JsonNode revoked = admin.revokeToken(name);
      out.println("token '" + name + "' revoked at " + revoked.get("revokedAt").asText());
    }
  }
}
