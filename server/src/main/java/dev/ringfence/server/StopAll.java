package dev.ringfence.server;

import dev.ringfence.core.IllegalStateTransitionException;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incident commander's switch: {@link #stop} pauses every running rollout on every channel (each through the
 * engine's own pause, so each rollout's journal and the audit trail say who and why) and turns on a switch that
 * refuses to create, start or resume a rollout until {@link #lift}. The switch is stored ({@link StopAllRecords}),
 * so it survives restarts and every replica of a database obeys it; while it is on, every tick pauses any rollout
 * found running (one another replica started just before the switch, or one this replica had not caught up with).
 */
final class StopAll {

  private static final Logger LOG = LoggerFactory.getLogger(StopAll.class);
  /** What each paused rollout's journal says before the reason. */
  static final String PAUSE_PREFIX = "stop-all: ";

  /**
   * What {@link #stop} did.
   *
   * @param standing the stop in force afterwards
   * @param alreadyInForce whether it was on before this call (then {@code standing} is the earlier stop)
   * @param paused the rollouts this call paused
   */
  record Stopped(StopAllRecords.Event standing, boolean alreadyInForce, List<String> paused) {}

  /**
   * What {@link #lift} did.
   *
   * @param stop the stop that was lifted
   * @param lift the lift
   */
  record Lifted(StopAllRecords.Event stop, StopAllRecords.Event lift) {}

  private final StopAllRecords records;
  private final RolloutEngine engine;
  private final Clock clock;
  /** Whether the switch was on when last read (every tick, and on every call), for the gauge. */
  private volatile boolean inForce;

  /**
   * @param records where the switch is kept
   * @param engine the engine whose rollouts are paused
   * @param clock the server's clock
   */
  StopAll(StopAllRecords records, RolloutEngine engine, Clock clock) {
    this.records = records;
    this.engine = engine;
    this.clock = clock;
  }

  /**
   * Switches stop-all on (unless it is on) and pauses every running rollout.
   *
   * @param actor the caller's token name
   * @param reason why
   * @return the stop in force and what was paused
   */
  Stopped stop(String actor, String reason) {
    List<Rollout> runningBefore = engine.rollouts().stream().filter(r -> r.state() == RolloutState.RUNNING).toList();
    StopAllRecords.Event event = new StopAllRecords.Event(true, actor, reason, clock.instant());
    StopAllRecords.Event standing = records.append(event).orElseThrow();
    inForce = true;
    boolean already = !standing.equals(event);
    if (already) {
      LOG.warn("stop-all called by {} ({}) while in force since {} by {}; pausing whatever runs", LogText.of(actor),
          LogText.of(reason), standing.at(), LogText.of(standing.actor()));
    } else {
      LOG.warn("STOP-ALL switched on by {}: {}; no rollout is created, started or resumed until it is lifted",
          LogText.of(actor), LogText.of(reason));
    }
    // A tick, here or on another replica, reads the switch from the store and may pause a rollout in this stop's
    // name between the write above and this call's own pause: it was paused by this stop all the same.
    java.util.Set<String> paused = new java.util.LinkedHashSet<>(pauseRunning(actor, reason));
    for (Rollout rollout : runningBefore) {
      if (rollout.state() == RolloutState.PAUSED) {
        paused.add(rollout.id());
      }
    }
    return new Stopped(standing, already, List.copyOf(paused));
  }

  /**
   * Switches stop-all off; paused rollouts stay paused until someone resumes each.
   *
   * @param actor the caller's token name
   * @param reason why
   * @return the stop that was lifted and the lift
   * @throws HttpError 409 when stop-all is not on
   */
  Lifted lift(String actor, String reason) {
    StopAllRecords.Event lifted = current().orElseThrow(StopAll::notInForce);
    StopAllRecords.Event event = new StopAllRecords.Event(false, actor, reason, clock.instant());
    if (!records.append(event).orElseThrow().equals(event)) {
      throw notInForce(); // lifted through another replica meanwhile
    }
    inForce = false;
    LOG.warn("stop-all lifted by {}: {} (it was on since {} by {}: {})", LogText.of(actor), LogText.of(reason),
        lifted.at(), LogText.of(lifted.actor()), LogText.of(lifted.reason()));
    return new Lifted(lifted, event);
  }

  private static HttpError notInForce() {
    return new HttpError(409, "conflict", "state", "state: stop-all is not in force; there is nothing to lift");
  }

  /** @return the stop in force, read from the store (so a switch set through another replica counts at once) */
  Optional<StopAllRecords.Event> current() {
    Optional<StopAllRecords.Event> stop = records.latest().filter(StopAllRecords.Event::stop);
    inForce = stop.isPresent();
    return stop;
  }

  /** @return whether stop-all was in force when last read: at the latest tick or call */
  boolean inForceAsLastRead() {
    return inForce;
  }

  /** @return every stop and lift, oldest first */
  List<StopAllRecords.Event> history() {
    return records.events();
  }

  /**
   * Refuses {@code what} while stop-all is in force.
   *
   * @param what what the caller asked for, e.g. "create a rollout"
   * @throws HttpError 409 naming the stop, its actor, reason and time
   */
  void checkNotInForce(String what) {
    Optional<StopAllRecords.Event> stop = current();
    if (stop.isPresent()) {
      StopAllRecords.Event e = stop.get();
      throw new HttpError(409, "stop_all", "state", "state: stop-all is in force since " + e.at() + ", switched on by '"
          + e.actor() + "': " + e.reason() + "; no rollout may " + what + " until an admin lifts it"
          + " (POST /admin/v1/stop-all/lift)");
    }
  }

  /** Every tick: while stop-all is on, pauses any rollout found running, in the stop's name and with its reason. */
  void enforce() {
    Optional<StopAllRecords.Event> stop = current();
    if (stop.isPresent()) {
      pauseRunning(stop.get().actor(), stop.get().reason());
    }
  }

  private List<String> pauseRunning(String actor, String reason) {
    List<String> paused = new ArrayList<>();
    for (Rollout rollout : engine.rollouts()) {
      if (rollout.state() != RolloutState.RUNNING) {
        continue;
      }
      try {
        rollout.by(actor).pause(PAUSE_PREFIX + reason);
        paused.add(rollout.id());
        LOG.warn("stop-all paused rollout {} on {}", LogText.of(rollout.id()), LogText.of(rollout.spec().channel()));
      } catch (IllegalStateTransitionException | StoreException e) {
        // Halted by its gate or paused through another replica a moment ago; or the store failed, and the next
        // tick tries again while the switch is on.
        LOG.info("stop-all: rollout {} not paused here: {}", LogText.of(rollout.id()), LogText.of(e.getMessage()));
      } catch (RuntimeException e) {
        // One rollout's failure must not keep the others running; the next tick tries it again.
        LOG.warn("stop-all: pausing rollout {} failed; retried at the next tick: {}", LogText.of(rollout.id()),
            LogText.of(e.toString()));
      }
    }
    return paused;
  }
}
