package dev.ringfence.cli;

import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.LintFinding;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.PlanLinter;
import dev.ringfence.core.plan.Plans;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code ringfence plan lint <plan.json>}. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Work with rollout plans.",
    subcommands = {PlanCommand.Lint.class})
final class PlanCommand extends ParentCommand {

  @Override
  String example() {
    return "plan lint plan.json";
  }

  /** Lints a plan: exit 0 clean, 1 findings, 2 invalid. */
  @Command(name = "lint", mixinStandardHelpOptions = true,
      description = {"Checks a plan file: strict JSON, then the plan lint.",
          "Exit code 0: no blocking finding; 1: findings; 2: the file is not a valid plan."})
  static final class Lint extends ConsoleCommand {

    @Parameters(index = "0", paramLabel = "<plan.json>", description = "the plan file")
    @SuppressWarnings("NullAway.Init")
    Path file;

    @Override
    int run(PrintWriter out, PrintWriter err) {
      Plan plan;
      try {
        plan = Plans.fromFile(file);
      } catch (InvalidPlanException e) {
        err.println(file + ": not a valid plan:");
        for (String problem : e.problems()) {
          err.println("  " + file + ": " + problem);
        }
        return RingfenceCli.EXIT_USAGE;
      } catch (RuntimeException e) {
        err.println(file + ": " + IoErrors.describe(e));
        return RingfenceCli.EXIT_USAGE;
      }
      // The gates as an engine builds them (their parameters, onFail, dryRun, approval): a plan the lint passes must
      // not be refused when a rollout is created. A type no engine has built in is the embedder's to register.
      java.util.Set<String> builtIn = dev.ringfence.core.RolloutEngineConfig.custom().build().gateFactories().keySet();
      List<String> gateProblems = gateProblems(plan, builtIn);
      if (!gateProblems.isEmpty()) {
        err.println(file + ": not a valid plan:");
        for (String problem : gateProblems) {
          err.println("  " + file + ": " + problem);
        }
        return RingfenceCli.EXIT_USAGE;
      }
      for (dev.ringfence.core.plan.Ring ring : plan.allRings()) {
        if (ring.gate() != null && !builtIn.contains(ring.gate().type()) && !ring.gate().type().equals("approval")) {
          out.println(file + ": note: ring '" + ring.name() + "': gate type '" + ring.gate().type() + "' is not built"
              + " in; the engine that runs this plan must register it (RolloutEngineConfig.Builder.gate)");
        }
      }
      LintReport report = PlanLinter.lint(plan);
      for (LintFinding finding : report.overridden()) {
        out.println(file + ": overridden: " + finding);
      }
      for (LintOverride unused : report.unusedOverrides()) {
        out.println(file + ": unused override: " + unused.rule() + " on ring '" + unused.ring() + "' matches no"
            + " finding; remove it (a stale permission hides the next real finding on that ring)");
      }
      if (report.passes()) {
        out.println(file + ": plan '" + plan.name() + "' passes the lint (" + plan.rings().size() + " rings, "
            + report.overridden().size() + " findings overridden with a written reason)");
        return 0;
      }
      for (LintFinding finding : report.blocking()) {
        out.println(file + ": " + finding);
      }
      out.println(file + ": " + report.blocking().size() + " finding(s); fix the plan or override each with a written"
          + " reason");
      return 1;
    }
  
    /**
     * The problems an engine with only the built-in gate types would find in the plan's gates, the types it does not
     * know left out: the plan is created in a throwaway engine whose other types accept any parameters.
     */
    private static List<String> gateProblems(Plan plan, java.util.Set<String> builtIn) {
      dev.ringfence.core.RolloutEngineConfig.Builder config = dev.ringfence.core.RolloutEngineConfig.custom();
      for (dev.ringfence.core.plan.Ring ring : plan.allRings()) {
        if (ring.gate() != null && !builtIn.contains(ring.gate().type())) {
          config.gate(ring.gate().type(), spec -> context -> {
            throw new IllegalStateException("never evaluated: the lint only builds the gates");
          });
        }
      }
      try {
        dev.ringfence.core.RolloutEngine.create(config.build()).createRollout(
            dev.ringfence.core.RolloutSpec.builder("plan-lint").channel("plan-lint").baseline(0).candidate(1).plan(plan)
                .build());
        return List.of();
      } catch (dev.ringfence.core.plan.PlanLintException e) {
        return List.of(); // the lint's findings: reported below, with their overrides
      } catch (InvalidPlanException e) {
        return e.problems();
      }
    }
}
}
