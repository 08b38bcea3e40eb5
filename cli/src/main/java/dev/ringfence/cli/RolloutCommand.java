package dev.ringfence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.server.AdminClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringfence rollout create|start|pause|resume|halt|abort|approve|promote|status} against an update server's admin
 * API. Exit codes: 0 done, 1 the server refused (its reason on stderr), 2 bad arguments.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Create and steer rollouts on an update server (its admin API).",
    subcommands = {RolloutCommand.Create.class, RolloutCommand.Start.class, RolloutCommand.Pause.class,
        RolloutCommand.Resume.class, RolloutCommand.Halt.class, RolloutCommand.Abort.class,
        RolloutCommand.Approve.class, RolloutCommand.Promote.class, RolloutCommand.Status.class})
final class RolloutCommand extends ParentCommand {

  @Override
  String example() {
    return "rollout status r1";
  }

  /** Where the server is and how to authenticate; shared by every subcommand. */
  static final class Connection {
    @Option(names = "--server", description = "the update server's base URL", defaultValue = "http://127.0.0.1:8080/",
        showDefaultValue = CommandLine.Help.Visibility.ALWAYS)
    @SuppressWarnings("NullAway.Init")
    URI server;

    @Option(names = "--token-file", description = "an API token file: the server's generated admin token, or one"
        + " written by 'ringfence token create --out'",
        defaultValue = "ringfence-data/admin.token", showDefaultValue = CommandLine.Help.Visibility.ALWAYS)
    @SuppressWarnings("NullAway.Init")
    Path tokenFile;

    AdminClient client() throws java.io.IOException {
      URI base = server.toString().endsWith("/") ? server : URI.create(server + "/");
      return new AdminClient(base, tokenFile, HttpClient.newHttpClient());
    }
  }

  /** One admin call, printed as one line: the rollout's state, ring and last verdict. */
  abstract static class Call extends AdminCall {
    abstract JsonNode call(AdminClient admin) throws java.io.IOException;

    @Override
    final void run(AdminClient admin, PrintWriter out) throws java.io.IOException {
      out.println(describe(call(admin)));
    }
  }

  /** A call about one rollout, named by its id. */
  abstract static class OnRollout extends Call {
    @Parameters(index = "0", paramLabel = "<rollout>", description = "the rollout id")
    @SuppressWarnings("NullAway.Init")
    String id;
  }

  /** The one-line summary of a rollout's detail view. */
  static String describe(JsonNode r) {
    StringBuilder line = new StringBuilder();
    line.append(r.path("id").asText()).append(": ").append(r.path("state").asText());
    if (!r.path("ringName").asText().isEmpty()) {
      line.append(", ring '").append(r.path("ringName").asText()).append("'");
    }
    line.append(", exposed ").append(r.path("exposedTotal").asLong())
        .append(", reverted ").append(r.path("revertedCount").asLong());
    JsonNode approval = r.path("approval");
    if (approval.isObject()) {
      if (!approval.path("approvedAt").isNull() && approval.has("approvedAt")) {
        line.append("; ring approved at ").append(approval.path("approvedAt").asText());
      } else if (approval.path("awaiting").asBoolean()) {
        line.append("; awaits approval since ").append(approval.path("awaitingSince").asText());
      } else {
        line.append("; ring requires approval once its gate passes");
      }
    }
    JsonNode verdict = r.path("lastVerdict");
    if (verdict.isObject()) {
      line.append("; last verdict ").append(verdict.path("outcome").asText()).append(": ")
          .append(verdict.path("reason").asText());
    }
    return line.toString();
  }

  /** A state change with a reason. */
  abstract static class Steer extends OnRollout {
    @Option(names = "--reason", required = true, description = "why, for the audit trail")
    @SuppressWarnings("NullAway.Init")
    String reason;

    @Override
    JsonNode call(AdminClient admin) throws java.io.IOException {
      return admin.command(id, spec.name(), reason); // the subcommand's name is the admin API's action
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, showDefaultValues = true,
      description = "Creates a rollout (PLANNED) of a published candidate under a plan file; the server lints the plan.")
  static final class Create extends Call {
    @Parameters(index = "0", paramLabel = "<rollout>", description = "the new rollout's id")
    @SuppressWarnings("NullAway.Init")
    String id;

    @Option(names = "--channel", required = true, description = "the channel")
    @SuppressWarnings("NullAway.Init")
    String channel;

    @Option(names = "--baseline", required = true, description = "the version the fleet runs")
    long baseline;

    @Option(names = "--candidate", required = true, description = "the published version to roll out")
    long candidate;

    @Option(names = "--plan", required = true, description = "the plan file (docs/plans.md)")
    @SuppressWarnings("NullAway.Init")
    Path plan;

    @Override
    JsonNode call(AdminClient admin) throws java.io.IOException {
      if (!Files.isRegularFile(plan)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--plan " + plan + ": no such file");
      }
      // Read here first, as `plan lint` reads it, so that a broken file is named with every problem's line and
      // column instead of going to the server (or failing in the JSON parser) without its name.
      String json = Files.readString(plan, StandardCharsets.UTF_8);
      try {
        dev.ringfence.core.plan.Plans.fromJson(json);
      } catch (dev.ringfence.core.plan.InvalidPlanException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--plan " + plan + ": not a valid plan: "
            + String.join("; ", e.problems()));
      }
      return admin.createRollout(id, channel, baseline, candidate, json);
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts a PLANNED rollout: opens its first ring.")
  static final class Start extends OnRollout {
    @Override
    JsonNode call(AdminClient admin) throws java.io.IOException {
      return admin.command(id, "start", null);
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pauses admissions; a FAIL still halts.")
  static final class Pause extends Steer {}

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resumes a paused rollout.")
  static final class Resume extends Steer {}

  @Command(name = "halt", mixinStandardHelpOptions = true,
      description = "Halts the rollout and rolls every exposed endpoint back to the baseline.")
  static final class Halt extends Steer {}

  @Command(name = "abort", mixinStandardHelpOptions = true, description = "Aborts a rollout that has not started.")
  static final class Abort extends Steer {}

  @Command(name = "approve", mixinStandardHelpOptions = true,
      description = "Approves the open ring, whose gate requires approval: the next ring opens once its gate passes.")
  static final class Approve extends OnRollout {
    @Option(names = "--reason", description = "why, for the audit trail")
    @org.jspecify.annotations.Nullable String reason;

    @Override
    JsonNode call(AdminClient admin) throws java.io.IOException {
      return admin.approve(id, reason);
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = {"Opens the next ring now, once the open ring's gate has passed (skips the rest of its bake time).",
          "With --skip-gate \"reason\": opens it whatever the gate says; the skipped verdict is journaled."})
  static final class Promote extends OnRollout {
    @Option(names = "--skip-gate", paramLabel = "<reason>",
        description = "open the next ring whatever the gate says; the written reason is required and journaled")
    @org.jspecify.annotations.Nullable String skipGate;

    @Option(names = "--reason", description = "why, for the audit trail (with --skip-gate, give the reason there)")
    @org.jspecify.annotations.Nullable String reason;

    @Override
    JsonNode call(AdminClient admin) throws java.io.IOException {
      if (skipGate != null) {
        if (skipGate.isBlank()) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "--skip-gate: the reason is blank; skipping the gate needs a written reason");
        }
        if (reason != null) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "--reason: give the reason to --skip-gate instead, not both");
        }
        return admin.promote(id, skipGate, true);
      }
      return admin.promote(id, reason, false);
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Prints the rollout's state, open ring, exposure and last verdict with its numbers.")
  static final class Status extends OnRollout {
    @Override
    JsonNode call(AdminClient admin) throws java.io.IOException {
      return admin.rollout(id);
    }
  }
}
