package dev.ringfence.examples.demo;

import dev.ringfence.core.Decision;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import java.time.Duration;
import java.util.Random;

/**
 * The simulated world: every virtual minute each endpoint that is up polls the update server (the
 * engine), follows the decision, and reports whether the content it loaded crashed it; then the host
 * calls {@link RolloutEngine#tick()}. Crashed hosts stay down for a few minutes, then reboot and poll
 * before they load content again (the demo's agent checks for a revert first).
 */
final class Simulation {

  /** How likely an endpoint is to crash when it loads a candidate. */
  @FunctionalInterface
  interface CrashModel {
    double crashProbability(Endpoint endpoint);
  }

  static final Duration POLL_INTERVAL = Duration.ofMinutes(1);

  private final Fleet fleet;
  private final VirtualClock clock;
  private final Random random;
  private final CrashTelemetry telemetry;
  private final RolloutEngine engine;
  private int minute;

  Simulation(Fleet fleet, VirtualClock clock, Random random, CrashTelemetry telemetry, RolloutEngine engine) {
    this.fleet = fleet;
    this.clock = clock;
    this.random = random;
    this.telemetry = telemetry;
    this.engine = engine;
  }

  /**
   * Runs minute by minute until the rollout reaches a terminal state.
   *
   * @return the minutes it took, or -1 if it was still going after {@code maxMinutes}
   */
  int runUntilTerminal(Rollout rollout, CrashModel model, int maxMinutes) {
    for (int m = 1; m <= maxMinutes; m++) {
      step(rollout, model);
      if (rollout.state().isTerminal()) {
        return m;
      }
    }
    return -1;
  }

  /** Keeps polling until every endpoint is up and runs {@code version}, for at most {@code maxMinutes}. */
  void settle(Rollout rollout, CrashModel model, long version, int maxMinutes) {
    for (int m = 0; m < maxMinutes && !allUpOn(version); m++) {
      step(rollout, model);
    }
  }

  private boolean allUpOn(long version) {
    return fleet.endpoints().stream().allMatch(e -> !e.down && e.version == version);
  }

  private void step(Rollout rollout, CrashModel model) {
    clock.advance(POLL_INTERVAL);
    minute++;
    for (Endpoint endpoint : fleet.endpoints()) {
      poll(endpoint, rollout, model);
    }
    engine.tick();
  }

  private void poll(Endpoint endpoint, Rollout rollout, CrashModel model) {
    if (endpoint.down && minute < endpoint.downUntilMinute) {
      return;
    }
    boolean rebooted = endpoint.down;
    endpoint.down = false;
    Decision decision = rollout.decide(endpoint.id, endpoint.attributes, endpoint.version);
    switch (decision.kind()) {
      case OFFER:
        if (endpoint.version != decision.version() || rebooted) {
          load(endpoint, rollout, decision.version(), model);
        }
        break;
      case REVERT:
        endpoint.version = decision.version();
        break;
      case STAY:
      case HOLD:
      default:
        if (rebooted && endpoint.version == rollout.spec().candidateVersion()) {
          load(endpoint, rollout, endpoint.version, model);
        }
        break;
    }
  }

  private void load(Endpoint endpoint, Rollout rollout, long version, CrashModel model) {
    endpoint.version = version;
    boolean crashed = random.nextDouble() < model.crashProbability(endpoint);
    telemetry.report(rollout.id(), endpoint.id, crashed);
    if (crashed) {
      endpoint.down = true;
      endpoint.downUntilMinute = minute + 2 + random.nextInt(9);
    }
  }
}
