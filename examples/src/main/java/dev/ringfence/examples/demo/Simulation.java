package dev.ringfence.examples.demo;

import dev.ringfence.core.Decision;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.health.IngestResult;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The simulated world. Every virtual minute each endpoint that is up polls the update server (the
 * engine's {@code decide}), follows the decision (installs and loads the candidate after an OFFER, goes
 * back to the baseline after a REVERT) and sends a heartbeat on the version it runs; then the server
 * calls {@link RolloutEngine#tick()}. Endpoints outside the open rings keep heartbeating on the
 * baseline: they are the judge's control arm.
 *
 * <p>Crashes: any host crashes now and then whatever it runs (the background rate), and a bad candidate
 * crashes a host every time it loads it. A crashed host is down for 2 to 5 minutes, then reboots with a
 * new boot id; a host whose agent reports crashes first sends a heartbeat with its failed starts, the
 * others send nothing about it. After a reboot the agent polls before it loads content, so a REVERT
 * reaches a crash-looping host between two crashes.
 */
final class Simulation {

  /** How likely an endpoint is to crash each time it loads a rollout's candidate. */
  @FunctionalInterface
  interface CrashModel {
    double crashOnLoad(Endpoint endpoint);
  }

  /** How often endpoints poll and send heartbeats; the engine's heartbeat interval too. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofMinutes(1);
  /** Background crashes, whatever the host runs: 0.2% of the hosts per hour. */
  static final double BACKGROUND_CRASHES_PER_HOUR = 0.002;

  private static final double BACKGROUND_PER_MINUTE = BACKGROUND_CRASHES_PER_HOUR / 60;
  private static final int MIN_DOWN_MINUTES = 2;
  private static final int MAX_DOWN_MINUTES = 5;

  private final Fleet fleet;
  private final VirtualClock clock;
  private final Random random;
  private final RolloutEngine engine;
  private int minute;

  Simulation(Fleet fleet, VirtualClock clock, Random random, RolloutEngine engine) {
    this.fleet = fleet;
    this.clock = clock;
    this.random = random;
    this.engine = engine;
  }

  /**
   * Starts simulating the fleet against one rollout.
   *
   * @param rollout the rollout every endpoint polls and reports to
   * @param model how its candidate crashes hosts
   * @return the run
   */
  Run against(Rollout rollout, CrashModel model) {
    return new Run(rollout, model);
  }

  /** The fleet living against one rollout, with what happened to it. */
  final class Run {
    private final Rollout rollout;
    private final CrashModel model;
    private final long candidate;
    private final Set<String> crashed = new HashSet<>();
    private final Set<String> crashedOnCandidate = new HashSet<>();
    private final Set<String> crashReported = new HashSet<>();
    private final Map<IngestResult, Long> signals = new EnumMap<>(IngestResult.class);

    private Run(Rollout rollout, CrashModel model) {
      this.rollout = rollout;
      this.model = model;
      this.candidate = rollout.spec().candidateVersion();
      for (IngestResult result : IngestResult.values()) {
        signals.put(result, 0L);
      }
    }

    /**
     * Runs minute by minute until the rollout reaches a terminal state.
     *
     * @return the minutes it took, or -1 if it was still going after {@code maxMinutes}
     */
    int untilTerminal(int maxMinutes) {
      for (int m = 1; m <= maxMinutes; m++) {
        step();
        if (rollout.state().isTerminal()) {
          return m;
        }
      }
      return -1;
    }

    /** Keeps going until every endpoint runs {@code version}, for at most {@code maxMinutes}. */
    void settle(long version, int maxMinutes) {
      for (int m = 0; m < maxMinutes && fleet.countOnVersion(version) < fleet.size(); m++) {
        step();
      }
    }

    /** @return distinct hosts that crashed, for any reason */
    int crashed() {
      return crashed.size();
    }

    /** @return distinct hosts that crashed while running the candidate */
    int crashedOnCandidate() {
      return crashedOnCandidate.size();
    }

    /** @return distinct hosts that reported a crash in a heartbeat */
    int crashReported() {
      return crashReported.size();
    }

    /** @return signals the engine took, by what it did with them */
    Map<IngestResult, Long> signals() {
      return signals;
    }

    private void step() {
      clock.advance(HEARTBEAT_INTERVAL);
      minute++;
      for (Endpoint endpoint : fleet.endpoints()) {
        live(endpoint);
      }
      engine.tick();
    }

    /** One minute of one endpoint. */
    private void live(Endpoint endpoint) {
      boolean booting = false;
      if (endpoint.down) {
        if (minute < endpoint.downUntilMinute) {
          return; // a crashed host sends nothing
        }
        endpoint.reboot();
        booting = true;
        if (endpoint.hasFailedStarts()) {
          crashReported.add(endpoint.id);
          send(endpoint); // the agent reports the failed starts before it loads anything
        }
      } else if (random.nextDouble() < BACKGROUND_PER_MINUTE) {
        crash(endpoint);
        return;
      }
      Decision decision = rollout.decide(endpoint.id, endpoint.attributes, endpoint.version);
      boolean load = booting;
      if ((decision.kind() == Decision.Kind.OFFER || decision.kind() == Decision.Kind.REVERT)
          && endpoint.version != decision.version()) {
        endpoint.version = decision.version();
        load = true;
      }
      if (load && endpoint.version == candidate && crashesOnLoad(endpoint)) {
        crash(endpoint);
        return;
      }
      send(endpoint);
    }

    private boolean crashesOnLoad(Endpoint endpoint) {
      double p = model.crashOnLoad(endpoint);
      return p >= 1 || (p > 0 && random.nextDouble() < p);
    }

    private void crash(Endpoint endpoint) {
      endpoint.crash(minute + MIN_DOWN_MINUTES + random.nextInt(MAX_DOWN_MINUTES - MIN_DOWN_MINUTES + 1));
      crashed.add(endpoint.id);
      if (endpoint.version == candidate) {
        crashedOnCandidate.add(endpoint.id);
      }
    }

    private void send(Endpoint endpoint) {
      signals.merge(rollout.ingest(endpoint.heartbeat()), 1L, Long::sum);
    }
  }
}
