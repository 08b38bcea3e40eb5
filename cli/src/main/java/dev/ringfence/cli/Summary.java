package dev.ringfence.cli;

import dev.ringfence.simulator.FailureBreakdown;
import dev.ringfence.simulator.SimulationReport;
import java.util.Locale;

/** The table {@code ringfence simulate} prints: the two runs side by side, then the verdict that mattered. */
final class Summary {

  private Summary() {}

  static String of(SimulationReport r) {
    SimulationReport.Run w = r.withRingfence();
    SimulationReport.Run o = r.withoutRingfence();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s: %,d endpoints, seed %d, plan '%s', v%d -> v%d%n", r.scenario(),
        r.endpoints(), r.seed(), r.plan(), r.baseline(), r.candidate()));
    b.append(String.format(Locale.ROOT, "%s%n%n", r.description()));
    row(b, "", "with Ringfence", "without");
    row(b, "outcome", w.outcome(), "pushed to everyone");
    row(b, "endpoints that got the candidate", share(w.everExposed(), w.online()), share(o.everExposed(), o.online()));
    row(b, "peak running the candidate", share(w.peakExposure(), w.online()), share(o.peakExposure(), o.online()));
    row(b, "crashed by the candidate", count(w.crashedOnCandidate()), count(o.crashedOnCandidate()));
    // A failure an endpoint reported; the judge may halt earlier, on endpoints that went silent (the verdict says).
    row(b, "first failure report after", time(w.firstFailureSignalSeconds()), "-");
    row(b, "halted after", time(w.haltSeconds()), "-");
    row(b, "exposed when halted", w.exposedAtHalt() < 0 ? "-" : share(w.exposedAtHalt(), w.online()), "-");
    row(b, "back by the agent alone", count(w.revertedByAgent()), "-");
    row(b, "back by server REVERT", count(w.revertedByServer()), "-");
    row(b, "back by the vendor's revert", "-", count(o.revertedByVendor()));
    row(b, "refused by the validator", count(w.refusedByValidator()), "-");
    row(b, "need hands-on repair", count(w.needManualRepair()), count(o.needManualRepair()));
    row(b, "stragglers", count(w.stragglerCount()), "-");
    row(b, "virtual time simulated", time(w.durationSeconds()), time(o.durationSeconds()));
    b.append('\n');
    w.verdicts().stream().filter(v -> v.outcome().equals("FAIL")).findFirst().ifPresent(v -> b.append(String.format(
        Locale.ROOT, "halting verdict (ring %s, %s): %s%n", v.ring(), v.test(), v.reason())));
    pauses(b, w);
    for (SimulationReport.DeferredGroup g : w.deferredGroups()) {
      b.append(String.format(Locale.ROOT, "deferred group (%s): %,d endpoints, %,d on the candidate when the rollout"
          + " completed (after %s); %s; %,d got the candidate, %,d run it at the end%n", g.deferral(), g.endpoints(),
          g.onCandidateWhenMainCompleted(), time(g.mainCompletedSeconds()), g.ownRollout() == null
              ? "no rollout of its own" : "its own rollout " + g.ownRollout() + " started after "
              + time(g.ownRolloutStartedSeconds()) + ", ended " + g.ownRolloutOutcome(), g.everExposed(),
          g.onCandidateAtEnd()));
    }
    for (FailureBreakdown.Finding f : w.failuresByAttribute()) {
      b.append(String.format(Locale.ROOT, "failures concentrate in %s=%s: %d of %d exposed failed (%.1f%%)"
          + " vs %.1f%% elsewhere%n", f.attribute(), f.value(), f.failed(), f.exposed(), 100 * f.failureShare(),
          100 * f.elsewhereShare()));
    }
    return b.toString();
  }

  /** Every pause and resume of the run, with its reason: a PAUSED outcome says why in the summary itself. */
  private static void pauses(StringBuilder b, SimulationReport.Run w) {
    int shown = 0;
    int more = 0;
    for (SimulationReport.Transition t : w.transitions()) {
      boolean pause = t.to().equals("PAUSED");
      boolean resume = t.from().equals("PAUSED") && t.to().equals("RUNNING");
      if (!pause && !resume) {
        continue;
      }
      if (shown == MAX_PAUSES_SHOWN) {
        more++;
        continue;
      }
      shown++;
      b.append(String.format(Locale.ROOT, "%s after %s (ring %s): %s%n", pause ? "paused" : "resumed",
          time(t.atSeconds()), t.ring(), t.cause()));
    }
    if (more > 0) {
      b.append(String.format(Locale.ROOT, "... and %d more pauses and resumes in the report%n", more));
    }
  }

  private static final int MAX_PAUSES_SHOWN = 6;

  private static void row(StringBuilder b, String label, String with, String without) {
    b.append(String.format(Locale.ROOT, "  %-34s %-22s %s%n", label, with, without));
  }

  private static String count(int n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String share(int n, int of) {
    return String.format(Locale.ROOT, "%,d (%.3f%%)", n, of == 0 ? 0 : 100.0 * n / of);
  }

  /** @return a virtual duration as people read it: {@code 9m 20s}, {@code 2h 05m} */
  static String time(int seconds) {
    if (seconds < 0) {
      return "never";
    }
    return seconds < 3600 ? String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60)
        : String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
  }
}
