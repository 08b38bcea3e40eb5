package dev.ringfence.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.core.internal.stats.RateRatioSequence;
import dev.ringfence.simulator.ScenarioReader;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The hazard test alone, under its null: how often it ever crosses {@code ln(1/α)} when looked at on every
 * tick (10 s) through the whole ring schedule of a shipped plan, with the candidate failing exactly as
 * often as the control (ratio 1) or at the edge of the margin (ratio 1.25). No engine, no agent: endpoints at
 * risk and Poisson failures per tick, so that millions of looks are cheap. The question it answers: does
 * the always-valid claim ({@code P(false FAIL) ≤ α}) hold for the way the engine feeds the test (batches
 * per tick, the share at risk moving as rings open)?
 *
 * <p>Run with {@code benchmarks/run.sh hazard [RUNS]}.
 */
public final class HazardMonteCarlo {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double ALPHA = 0.01;
  private static final double MARGIN = 1.25;
  private static final int TICK_SECONDS = 10;
  /** Admissions of a ring spread over this long after it opens (one poll interval). */
  private static final int RAMP_SECONDS = 300;
  private static final int HOLDBACK_BUCKETS = 100;

  private record Ring(int share, long cap, int bakeSeconds) {}

  private HazardMonteCarlo() {}

  /**
   * @param args {@code [runs]}, default 2,000 a row
   * @throws IOException if a shipped plan cannot be read
   */
  public static void main(String[] args) throws IOException {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    System.out.printf(Locale.ROOT, "# Hazard test under its null, looked at every %d s (α %.2f, margin %.2f, %,d runs"
        + " a row)%n%n", TICK_SECONDS, ALPHA, MARGIN, runs);
    System.out.println("| plan | endpoints | failures per endpoint-hour | true ratio | runs | ever FAIL | share | α |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    long started = System.nanoTime();
    for (String plan : List.of("content-rings-plan.json", "vendor-scale-plan.json")) {
      List<Ring> rings = rings(plan);
      int endpoints = plan.startsWith("vendor") ? 200_000 : 8_000;
      for (double hazard : new double[] {0.0005, 0.05, 0.5}) {
        for (double ratio : new double[] {1, MARGIN}) {
          SplittableRandom random = new SplittableRandom(Double.hashCode(hazard) * 31L + (long) ratio);
          int failed = 0;
          for (int run = 0; run < runs; run++) {
            if (run(rings, endpoints, hazard, ratio, random)) {
              failed++;
            }
          }
          System.out.printf(Locale.ROOT, "| %s | %,d | %s | %.2f | %,d | %d | %.2f%% | %.0f%% |%n", plan, endpoints,
              hazard, ratio, runs, failed, 100.0 * failed / runs, 100 * ALPHA);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%ntook %d s%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
  }

  private static List<Ring> rings(String plan) throws IOException {
    JsonNode json = JSON.readTree(ScenarioReader.shippedFile(plan));
    List<Ring> rings = new ArrayList<>();
    for (JsonNode ring : json.get("rings")) {
      rings.add(new Ring(ring.get("share").asInt(), ring.has("cap") ? ring.get("cap").asLong() : Long.MAX_VALUE,
          (int) Duration.parse(ring.get("bakeTime").asText()).toSeconds()));
    }
    return rings;
  }

  /** @return whether the test ever crossed its threshold through the whole schedule */
  private static boolean run(List<Ring> rings, int endpoints, double hazard, double ratio, SplittableRandom random) {
    RateRatioSequence test = new RateRatioSequence(MARGIN);
    double threshold = Math.log(1 / ALPHA);
    long candidateAtRisk = 0;
    long admitted = 0;
    long controlAtRisk = endpoints;
    double perTick = hazard * TICK_SECONDS / 3_600.0;
    for (int r = 0; r < rings.size(); r++) {
      Ring ring = rings.get(r);
      int share = r == rings.size() - 1 ? 10_000 - HOLDBACK_BUCKETS : ring.share();
      long target = Math.min(ring.cap(), (long) endpoints * share / 10_000);
      long toAdmit = Math.max(0, target - admitted);
      long start = admitted;
      for (int t = TICK_SECONDS; t <= ring.bakeSeconds(); t += TICK_SECONDS) {
        // Admissions this tick (a linear ramp over one poll interval): they leave the control at once.
        long due = start + toAdmit * Math.min(t, RAMP_SECONDS) / RAMP_SECONDS;
        long moving = Math.min(due - admitted, controlAtRisk);
        admitted += moving;
        candidateAtRisk += moving;
        controlAtRisk -= moving;
        long candidate = poisson(random, candidateAtRisk * perTick * ratio);
        long control = poisson(random, controlAtRisk * perTick);
        candidate = Math.min(candidate, candidateAtRisk);
        control = Math.min(control, controlAtRisk);
        double share0 = candidateAtRisk / (double) (candidateAtRisk + controlAtRisk);
        test.update(candidate, control, share0);
        // Failed endpoints leave the risk set; as many come back (silence ends, a reboot), so sizes hold.
        if (test.logEValue() >= threshold) {
          return true;
        }
      }
    }
    return false;
  }

  private static long poisson(SplittableRandom random, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 50) {
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
    }
    double limit = Math.exp(-mean);
    double product = random.nextDouble();
    long count = 0;
    while (product > limit) {
      product *= random.nextDouble();
      count++;
    }
    return count;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
