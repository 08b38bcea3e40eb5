package dev.ringfence.cli;

import dev.ringfence.simulator.Charts;
import dev.ringfence.simulator.FleetSimulator;
import dev.ringfence.simulator.ScenarioReader;
import dev.ringfence.simulator.SimulationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code ringfence simulate <scenario> [--seed N] [--endpoints N] [--out dir]}. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {"Replays a scenario on a simulated fleet, with and without Ringfence, and writes a JSON report"
        + " and a chart (PNG and SVG).",
        "Shipped scenarios: crowdstrike-2024, silent-failure, subtle-regression, subset-crash, held-tier-crash,"
            + " healthy, service-regression, customer-deferral, customer-deferral-healthy."})
final class SimulateCommand extends ConsoleCommand {

  @Parameters(index = "0", paramLabel = "<scenario>", description = "a shipped scenario's name or a scenario file")
  @SuppressWarnings("NullAway.Init")
  String scenario;

  @Option(names = "--seed", paramLabel = "N", description = "the seed (default: the scenario's)")
  @Nullable Long seed;

  @Option(names = "--endpoints", paramLabel = "N", description = "the fleet size (default: the scenario's)")
  @Nullable Integer endpoints;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "simulations",
      description = "where the report and chart go (default: ${DEFAULT-VALUE})")
  @SuppressWarnings("NullAway.Init")
  Path out;

  @Option(names = "--quiet", description = "no progress bar (there is none when not on a terminal)")
  boolean quiet;

  @Override
  int run(PrintWriter stdout, PrintWriter stderr) throws IOException {
    ScenarioReader.Loaded loaded;
    try {
      loaded = ScenarioReader.load(scenario);
    } catch (RuntimeException e) {
      stderr.println("ringfence simulate: " + e.getMessage());
      return RingfenceCli.EXIT_USAGE;
    }
    if (endpoints != null && (endpoints < 1 || endpoints > dev.ringfence.simulator.Scenario.MAX_ENDPOINTS)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--endpoints: " + endpoints + " is outside 1.."
          + dev.ringfence.simulator.Scenario.MAX_ENDPOINTS);
    }
    long s = seed == null ? loaded.scenario().seed() : seed;
    int n = endpoints == null ? loaded.scenario().fleet().endpoints() : endpoints;
    ProgressBar bar = new ProgressBar(stderr, !quiet && ProgressBar.onTerminal(), System::nanoTime);
    SimulationReport report;
    try {
      report = FleetSimulator.simulate(loaded, s, n, bar);
    } catch (OutOfMemoryError e) {
      bar.done();
      stderr.println(outOfMemory(n, Runtime.getRuntime().maxMemory()));
      return 1;
    }
    bar.done();
    Files.createDirectories(out);
    Path base = out.resolve(report.scenario() + "-seed" + s + "-" + n);
    Files.writeString(Path.of(base + ".json"), report.toJson(), StandardCharsets.UTF_8);
    Charts.write(report, base);
    stdout.print(Summary.of(report));
    stdout.println("report: " + base + ".json");
    stdout.println("chart:  " + base + ".png, " + base + ".svg, " + base + "-first-hour.svg");
    return 0;
  }

  /**
   * The one line a run that does not fit says instead of a stack trace.
   *
   * @param endpoints the fleet size asked for
   * @param maxHeap the JVM's heap limit in bytes
   * @return the message, with a heap that would fit (about 1.2 GB a million endpoints: room for a rollout that reached
   *     a fifth of the fleet)
   */
  static String outOfMemory(int endpoints, long maxHeap) {
    long neededGb = Math.max(2, (endpoints * 1_229L / 1_000_000 + 1_229 + 512 + 1023) / 1024);
    return String.format(java.util.Locale.ROOT, "ringfence simulate: %,d endpoints do not fit in this run's heap"
        + " (%,d MB); a simulated endpoint takes about 200 bytes, and 5 KB once it met the candidate: give the run"
        + " more, e.g. JAVA_OPTS=-Xmx%dg"
        + " ./ringfence simulate ... (the launcher sizes the heap itself when JAVA_OPTS is unset)", endpoints,
        maxHeap >> 20, neededGb);
  }
}
