package dev.ringfence.core.deferral;

import dev.ringfence.core.DuplicateRolloutException;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.IllegalStateTransitionException;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Plans;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.protocol.Decision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a channel's {@link DeferralPolicy} does to the endpoints it matches, for an update server or a
 * simulator that keeps a channel's rollouts in one {@link RolloutEngine} (docs/update-server.md, "Customer
 * deferral").
 *
 * <p>The channel's <em>main</em> rollout is its newest rollout that was not aborted and is not a deferred
 * group's own. An endpoint that matches no entry is decided by the main rollout as before. For one that
 * matches ({@link DeferralPolicy#effective}: the most conservative matching entry decides):
 *
 * <ul>
 *   <li>{@code n-1}: it never takes a running rollout's candidate. It is offered, at most, the baseline of
 *       the newest <em>completed</em> main rollout, the release the fleet ran before its newest one; while no
 *       main rollout has completed it stays on the main rollout's baseline. It is never told to go down.</li>
 *   <li>{@code delay}: while the main rollout runs, and for the delay after it completed, the group stays
 *       where its previous own rollout left it (or on the main rollout's baseline). When the delay is over,
 *       {@link #advance} creates and starts the group's own rollout of the candidate, id {@link #childId}, plan
 *       {@link #childPlan} (a canary share of the group judged by the health judge, then the rest), and that
 *       rollout decides for the group from then on: a candidate that breaks only the group's hosts halts there
 *       and is rolled back for them.</li>
 * </ul>
 *
 * An endpoint that already runs the main rollout's candidate (exposed before the entry was set) is decided as
 * before the policy: by the main rollout, so a halt still reverts it. Everything here is a function of the
 * journal (the rollouts, their states and completion times), the policy, the endpoint and the clock, so every
 * replica decides alike, and the deferred groups' rollouts have deterministic ids: replicas that create one at
 * the same moment collide on the id, and one of them wins.
 */
public final class Deferrals {

  /** The name of the plan of every deferred group's own rollout. */
  public static final String CHILD_PLAN_NAME = "deferred-group";

  /** The actor that creates and starts the deferred groups' rollouts, in their journals. */
  public static final String ACTOR = "deferral-policy";

  private static final Pattern CHILD_ID = Pattern.compile(".*\\.deferral-[0-9a-f]{8}");

  /** Share of the group in the canary ring, in basis points of the cohort (20%). */
  static final int CANARY_SHARE = 2000;

  private static final Plan CHILD_PLAN = Plans.fromJson("{\"schemaVersion\": 1, \"name\": \"" + CHILD_PLAN_NAME
      + "\", \"rings\": ["
      + "{\"name\": \"deferred-canary\", \"share\": " + CANARY_SHARE + ", \"cap\": 500, \"bakeTime\": \"PT1H\", \"minSample\": 5,"
      + " \"gate\": {\"type\": \"health\", \"params\": {\"minCandidateReports\": 5, \"minControlReports\": 10,"
      + " \"catastropheMinReports\": 5}}},"
      + "{\"name\": \"deferred-rest\", \"share\": 10000, \"bakeTime\": \"PT0S\", \"minSample\": 0,"
      + " \"gate\": {\"type\": \"time-and-sample\"}}],"
      + " \"overrides\": [{\"rule\": \"FIRST_RING_TOO_LARGE\", \"ring\": \"deferred-canary\", \"reason\":"
      + " \"a share of one customer's deferred group, capped at 500; the candidate already ran on the fleet\"}]}");

  /**
   * How a deferred endpoint is decided.
   *
   * @param decision the decision, its reason naming the entry
   * @param rollout the rollout that decided (a deferred group's own, or the main one), or null when the
   *     policy decided alone
   * @param entry the index of the entry that deferred the endpoint
   * @param deferral that entry
   */
  public record Routed(Decision decision, @Nullable Rollout rollout, int entry, Deferral deferral) {}

  private Deferrals() {}

  /**
   * @param rolloutId a rollout id
   * @return whether the id has the form of a deferred group's rollout ({@code <parent>.deferral-<8 hex>}), which
   *     only {@link #advance} may create
   */
  public static boolean reservedId(String rolloutId) {
    return CHILD_ID.matcher(rolloutId).matches();
  }

  /**
   * @param rollout a rollout
   * @return whether it is a deferred group's own rollout
   */
  public static boolean isChild(Rollout rollout) {
    return rollout.spec().plan().name().equals(CHILD_PLAN_NAME) && reservedId(rollout.id());
  }

  /**
   * The id of a deferred group's rollout of a main rollout's candidate: the parent's id (its first 100
   * characters), {@code .deferral-} and 8 hex digits of a SHA-256 of the parent's id and the entry, so the same
   * entry gets the same id on every replica, and a changed entry (another group) gets another.
   *
   * @param parentId the main rollout
   * @param deferral the entry
   * @return the id
   */
  public static String childId(String parentId, Deferral deferral) {
    String entry = DeferralPolicy.toJson(deferral);
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest((parentId + "\n" + entry)
          .getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    String prefix = parentId.length() > 100 ? parentId.substring(0, 100) : parentId;
    return prefix + ".deferral-" + HexFormat.of().formatHex(digest, 0, 4);
  }

  /**
   * @return the plan of every deferred group's rollout: {@code deferred-canary}, 20% of the group (at most 500
   *     endpoints) for an hour,
   *     judged by the health judge (at least 5 candidate and 10 control reports), then {@code deferred-rest},
   *     the whole group
   */
  public static Plan childPlan() {
    return CHILD_PLAN;
  }

  /**
   * @param parent the main rollout, completed
   * @param deferral the group's entry
   * @return the spec of the group's rollout of the parent's candidate, from the parent's baseline
   */
  public static RolloutSpec childSpec(Rollout parent, Deferral deferral) {
    return RolloutSpec.builder(childId(parent.id(), deferral)).channel(parent.spec().channel())
        .baseline(parent.spec().baselineVersion()).candidate(parent.spec().candidateVersion()).plan(CHILD_PLAN)
        .build();
  }

  /**
   * @param channelRollouts one channel's rollouts, in creation order
   * @return its main rollout: the newest that was not aborted and is not a deferred group's own
   */
  public static Optional<Rollout> main(List<Rollout> channelRollouts) {
    for (int i = channelRollouts.size() - 1; i >= 0; i--) {
      Rollout r = channelRollouts.get(i);
      if (r.state() != RolloutState.ABORTED && !isChild(r)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * When a rollout completed, from its journal.
   *
   * @param store the journal
   * @param rolloutId the rollout
   * @return the time of its transition to COMPLETED, if it has one
   */
  public static Optional<Instant> completedAt(RolloutStore store, String rolloutId) {
    for (JournalEntry e : store.read(rolloutId)) {
      if (e instanceof JournalEntry.Transitioned t && t.to() == RolloutState.COMPLETED) {
        return Optional.of(t.at());
      }
    }
    return Optional.empty();
  }

  /**
   * Decides for an endpoint that the policy defers.
   *
   * @param channelRollouts the channel's rollouts, in creation order
   * @param policy the channel's policy
   * @param completedAt when a completed rollout completed (e.g. {@link #completedAt(RolloutStore, String)})
   * @param endpointId the endpoint
   * @param attributes its attributes
   * @param currentVersion the version it runs
   * @param now the clock's time
   * @return the decision, or empty when the policy does not defer this endpoint now (no entry matches, the
   *     channel has no main rollout, or the endpoint already runs its candidate): the main rollout decides
   */
  public static Optional<Routed> route(List<Rollout> channelRollouts, DeferralPolicy policy,
      Function<Rollout, Optional<Instant>> completedAt, String endpointId, EndpointAttributes attributes,
      long currentVersion, Instant now) {
    if (policy.isEmpty()) {
      return Optional.empty();
    }
    int index = policy.effective(attributes);
    if (index < 0) {
      return Optional.empty();
    }
    Optional<Rollout> found = main(channelRollouts);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Rollout main = found.get();
    Deferral d = policy.entries().get(index);
    if (d.previousRelease()) {
      if (currentVersion >= main.spec().candidateVersion()) {
        return Optional.empty();
      }
      return Optional.of(new Routed(previousRelease(channelRollouts, main, d, currentVersion), main, index, d));
    }
    Rollout own = find(channelRollouts, childId(main.id(), d));
    if (own != null) {
      Decision decided = own.decide(endpointId, attributes, currentVersion);
      Instant until = completedAt.apply(main).map(t -> t.plus(d.delay())).orElse(null);
      return Optional.of(new Routed(prefixed(decided, "deferred by " + d + (until == null ? "" : " until "
          + minutes(until)) + ", then its own rollout '" + own.id() + "': "), own, index, d));
    }
    if (currentVersion >= main.spec().candidateVersion()) {
      return Optional.empty();
    }
    String why;
    if (main.state() == RolloutState.COMPLETED) {
      Optional<Instant> done = completedAt.apply(main);
      Instant until = done.map(t -> t.plus(d.delay())).orElse(now);
      why = !now.isBefore(until)
          ? "deferred by " + d + " until " + minutes(until) + "; its own rollout of v" + main.spec().candidateVersion()
              + " starts at the server's next tick"
          : "deferred until " + minutes(until) + " by " + d;
    } else {
      why = "deferred by " + d + " until " + d.delay() + " after rollout '" + main.id() + "' (v"
          + main.spec().baselineVersion() + " -> v" + main.spec().candidateVersion() + ", " + main.state()
          + ") completes";
    }
    // Until then: where the group's previous own rollout left it, or the main rollout's baseline.
    Rollout previous = previousChild(channelRollouts, main, d);
    if (previous != null && currentVersion <= previous.spec().candidateVersion()) {
      Decision decided = previous.decide(endpointId, attributes, currentVersion);
      return Optional.of(new Routed(prefixed(decided, why + "; as its previous own rollout '" + previous.id()
          + "' left it: "), previous, index, d));
    }
    long stay = main.spec().baselineVersion();
    return Optional.of(new Routed(new Decision(Decision.Kind.STAY, stay, Decision.NO_RING, "", why + "; stays on v"
        + stay), main, index, d));
  }

  /**
   * The rollout whose health judge a deferred endpoint's signals belong to, without deciding (a decision may
   * admit the endpoint): the group's own rollout of the main rollout's candidate, or before it exists the
   * group's previous own rollout; otherwise the main rollout.
   *
   * @param channelRollouts the channel's rollouts, in creation order
   * @param policy the channel's policy
   * @param attributes the endpoint's attributes
   * @param runningVersion the version the signals were sent from
   * @return the rollout, or empty when the channel has no main rollout
   */
  public static Optional<Rollout> signalsTo(List<Rollout> channelRollouts, DeferralPolicy policy,
      EndpointAttributes attributes, long runningVersion) {
    Optional<Rollout> found = main(channelRollouts);
    int index = policy.effective(attributes);
    if (found.isEmpty() || index < 0 || policy.entries().get(index).previousRelease()) {
      return found;
    }
    Deferral d = policy.entries().get(index);
    Rollout own = find(channelRollouts, childId(found.get().id(), d));
    if (own != null) {
      return Optional.of(own);
    }
    if (runningVersion >= found.get().spec().candidateVersion()) {
      return found;
    }
    Rollout previous = previousChild(channelRollouts, found.get(), d);
    return previous != null && runningVersion <= previous.spec().candidateVersion() ? Optional.of(previous) : found;
  }

  private static Decision previousRelease(List<Rollout> channelRollouts, Rollout main, Deferral d, long current) {
    Rollout completed = null;
    for (int i = channelRollouts.size() - 1; i >= 0 && completed == null; i--) {
      Rollout r = channelRollouts.get(i);
      if (r.state() == RolloutState.COMPLETED && !isChild(r)) {
        completed = r;
      }
    }
    String head = "deferred by " + d;
    if (completed == null) {
      long stay = main.spec().baselineVersion();
      return new Decision(Decision.Kind.STAY, stay, Decision.NO_RING, "", head + ": no rollout of this channel has"
          + " completed; stays on v" + stay + " while rollout '" + main.id() + "' (" + main.state() + ") runs v"
          + main.spec().candidateVersion());
    }
    long target = completed.spec().baselineVersion();
    String behind = "v" + target + ", the release before v" + completed.spec().candidateVersion()
        + " (rollout '" + completed.id() + "', completed)";
    if (current < target) {
      return new Decision(Decision.Kind.OFFER, target, Decision.NO_RING, "", head + ": offered " + behind);
    }
    if (current > target) {
      return new Decision(Decision.Kind.STAY, current, Decision.NO_RING, "", head + ": keeps v" + current
          + " (never sent down; one release behind is " + behind + ")");
    }
    return new Decision(Decision.Kind.STAY, target, Decision.NO_RING, "", head + ": stays on " + behind);
  }

  private static @Nullable Rollout find(List<Rollout> channelRollouts, String id) {
    for (int i = channelRollouts.size() - 1; i >= 0; i--) {
      if (channelRollouts.get(i).id().equals(id)) {
        return channelRollouts.get(i);
      }
    }
    return null;
  }

  /** The group's own rollout of the newest earlier main rollout that has one. */
  private static @Nullable Rollout previousChild(List<Rollout> channelRollouts, Rollout main, Deferral d) {
    boolean before = false;
    for (int i = channelRollouts.size() - 1; i >= 0; i--) {
      Rollout r = channelRollouts.get(i);
      if (r == main) {
        before = true;
      } else if (before && !isChild(r) && r.state() != RolloutState.ABORTED) {
        Rollout own = find(channelRollouts, childId(r.id(), d));
        if (own != null && own.state() != RolloutState.ABORTED) {
          return own;
        }
      }
    }
    return null;
  }

  private static Decision prefixed(Decision d, String prefix) {
    return new Decision(d.kind(), d.version(), d.ringIndex(), d.ringName(), prefix + d.reason());
  }

  private static String minutes(Instant at) {
    Instant m = at.truncatedTo(ChronoUnit.MINUTES);
    String text = m.toString(); // 2026-12-06T10:00:00Z
    return m.equals(at) ? text.substring(0, text.length() - 4) + "Z" : at.toString();
  }

  /**
   * Creates and starts the deferred groups' rollouts that are due: for each delay entry in use, once the main
   * rollout completed and the entry's delay has passed since, its own rollout of the candidate. A rollout another
   * replica created first, or started first, is taken as it is; one created but not started (a crash between the
   * two) is started. Call it on every tick.
   *
   * @param engine the engine that holds the channel's rollouts
   * @param channelRollouts the channel's rollouts, in creation order
   * @param policy the channel's policy
   * @param completedAt when a completed rollout completed
   * @param now the clock's time
   * @param inUse whether an entry (by index) is the effective entry of at least one endpoint; entries that defer
   *     nobody get no rollout
   * @return the rollouts this call created or started
   */
  public static List<Rollout> advance(RolloutEngine engine, List<Rollout> channelRollouts, DeferralPolicy policy,
      Function<Rollout, Optional<Instant>> completedAt, Instant now, IntPredicate inUse) {
    List<Rollout> acted = new ArrayList<>();
    Optional<Rollout> found = main(channelRollouts);
    if (policy.isEmpty() || found.isEmpty() || found.get().state() != RolloutState.COMPLETED) {
      return acted;
    }
    Rollout main = found.get();
    Optional<Instant> done = completedAt.apply(main);
    if (done.isEmpty()) {
      return acted;
    }
    for (int i = 0; i < policy.entries().size(); i++) {
      Deferral d = policy.entries().get(i);
      if (d.previousRelease() || now.isBefore(done.get().plus(d.delay())) || !inUse.test(i)) {
        continue;
      }
      Rollout own = find(channelRollouts, childId(main.id(), d));
      if (own == null) {
        try {
          own = engine.createRollout(childSpec(main, d));
        } catch (DuplicateRolloutException e) {
          own = engine.rollout(childId(main.id(), d)); // another replica created it a moment ago
        }
        acted.add(own);
      }
      if (own.state() == RolloutState.PLANNED) {
        try {
          own.by(ACTOR).start();
          if (!acted.contains(own)) {
            acted.add(own);
          }
        } catch (IllegalStateTransitionException e) {
          // started through another replica a moment ago
        }
      }
    }
    return acted;
  }
}
