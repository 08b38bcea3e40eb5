package dev.ringfence.simulator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one simulation's report in a JVM of its own, for the test that a report does not depend on the
 * JVM that made it: {@code ReportChild <scenario> <seed> <endpoints> <out.json>}.
 */
public final class ReportChild {

  private ReportChild() {}

  /**
   * Runs the simulation and writes its report.
   *
   * @param args scenario, seed, endpoints, output file
   * @throws Exception if the report cannot be written
   */
  public static void main(String[] args) throws Exception {
    SimulationReport report = FleetSimulator.simulate(ScenarioReader.load(args[0]), Long.parseLong(args[1]),
        Integer.parseInt(args[2]), FleetSimulator.ProgressListener.NONE);
    Files.writeString(Path.of(args[3]), report.toJson(), StandardCharsets.UTF_8);
  }
}
