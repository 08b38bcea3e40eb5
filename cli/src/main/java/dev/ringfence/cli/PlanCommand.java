package dev.ringfence.cli;

import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.core.plan.LintFinding;
import dev.ringfence.core.plan.LintOverride;
import dev.ringfence.core.plan.LintReport;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.PlanLintException;
import dev.ringfence.core.plan.PlanLinter;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.plan.Ring;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
      Set<String> notBuiltIn = notBuiltIn(plan);
      List<String> gateProblems = gateProblems(plan, notBuiltIn);
      if (!gateProblems.isEmpty()) {
        err.println(file + ": not a valid plan:");
        for (String problem : gateProblems) {
          err.println("  " + file + ": " + problem);
        }
        return RingfenceCli.EXIT_USAGE;
      }
      for (Ring ring : plan.allRings()) {
        if (ring.gate() != null && notBuiltIn.contains(ring.gate().type())) {
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

    /** @return the plan's gate types that an engine does not know unless its embedder registers them */
    private static Set<String> notBuiltIn(Plan plan) {
      Set<String> builtIn = RolloutEngineConfig.custom().build().gateFactories().keySet();
      Set<String> types = new TreeSet<>();
      for (Ring ring : plan.allRings()) {
        GateSpec gate = ring.gate();
        if (gate != null && !builtIn.contains(gate.type()) && !gate.type().equals(GateSpec.APPROVAL)) {
          types.add(gate.type());
        }
      }
      return types;
    }

    /**
     * The problems an engine with only the built-in gate types would find in the plan's gates: the plan is created in
     * a throwaway engine in which the types it does not know accept any parameters.
     */
    private static List<String> gateProblems(Plan plan, Set<String> notBuiltIn) {
      RolloutEngineConfig.Builder config = RolloutEngineConfig.custom();
      for (String type : notBuiltIn) {
        config.gate(type, spec -> context -> {
          throw new IllegalStateException("never evaluated: the lint only builds the gates");
        });
      }
      try {
        RolloutEngine.create(config.build()).createRollout(RolloutSpec.builder("plan-lint").channel("plan-lint")
            .baseline(0).candidate(1).plan(plan).build());
        return List.of();
      } catch (PlanLintException e) {
        return List.of(); // the lint's findings: reported below, with their overrides
      } catch (InvalidPlanException e) {
        return e.problems();
      }
    }
  }
}
