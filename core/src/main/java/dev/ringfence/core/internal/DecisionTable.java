package dev.ringfence.core.internal;

import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import java.util.List;

/**
 * Every decision a rollout can give, built once when the rollout is created so that the decision
 * path allocates nothing.
 */
final class DecisionTable {

  final Decision[] offer;
  final Decision[] holdCapReached;
  final Decision stayOutside;
  final Decision stayHeldTier;
  final Decision stayHeldCanary;
  final Decision stayHoldback;
  final Decision stayNotStarted;
  final Decision stayAborted;
  final Decision holdPaused;
  final Decision holdVelocity;
  final Decision holdStore;
  final Decision holdStale;
  final Decision holdHalting;
  final Decision holdNotAdmitted;
  final Decision revert;
  final Decision stayHalted;
  final Decision offerCompleted;
  final Decision stayCompleted;

  DecisionTable(RolloutSpec spec, List<Ring> rings) {
    long candidate = spec.candidateVersion();
    long baseline = spec.baselineVersion();
    int last = spec.plan().rings().size() - 1; // after completion the plan's last ring speaks, held tiers or not
    offer = new Decision[rings.size()];
    holdCapReached = new Decision[rings.size()];
    for (int i = 0; i < rings.size(); i++) {
      String name = rings.get(i).name();
      offer[i] = new Decision(Kind.OFFER, candidate, i, name, "admitted to ring '" + name + "'");
      holdCapReached[i] = new Decision(Kind.HOLD, baseline, i, name, "in the cohort, but ring '" + name
          + "' reached its cap of " + rings.get(i).cap() + "; ask again when the next ring opens");
    }
    stayOutside = stay(baseline, "outside the open rings");
    stayHeldTier = stay(baseline,
        "tier is held: it gets the candidate in its own canary ring, after the plan's last ring passed");
    stayHeldCanary = stay(baseline,
        "tier is held and this endpoint is outside its canary: it waits for the ring for the rest of the tier");
    stayHoldback = stay(baseline,
        "in the holdback: kept on the baseline as the control until the rollout completes");
    stayNotStarted = stay(baseline, "rollout not started");
    stayAborted = stay(baseline, "rollout aborted before it started");
    holdPaused = hold(baseline, "rollout paused: no new endpoints are admitted");
    holdVelocity = hold(baseline,
        "velocity limit of " + spec.plan().maxNewExposuresPerHour() + " new exposures per hour reached");
    holdStore = hold(baseline, "the rollout store cannot record the admission; holding until it can");
    holdStale = hold(baseline,
        "this replica has not seen the shared store recently; holding until it catches up");
    holdHalting = hold(baseline, "the rollout is being halted; holding until the halt is recorded");
    holdNotAdmitted = hold(baseline, "the shared store did not admit this endpoint: the ring is full across"
        + " replicas, or another replica halted the rollout");
    revert = new Decision(Kind.REVERT, baseline, Decision.NO_RING, "", "rollout halted: revert to baseline "
        + baseline);
    stayHalted = stay(baseline, "rollout halted; never exposed");
    offerCompleted = new Decision(Kind.OFFER, candidate, last, rings.get(last).name(),
        "rollout completed: candidate released");
    stayCompleted = stay(baseline, "rollout completed; outside its selectors");
  }

  /** A STAY on the baseline that names no ring. */
  private static Decision stay(long baseline, String reason) {
    return new Decision(Kind.STAY, baseline, Decision.NO_RING, "", reason);
  }

  /** A HOLD on the baseline that names no ring. */
  private static Decision hold(long baseline, String reason) {
    return new Decision(Kind.HOLD, baseline, Decision.NO_RING, "", reason);
  }
}
