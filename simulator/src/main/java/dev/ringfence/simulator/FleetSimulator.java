package dev.ringfence.simulator;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.MemoryDisk;
import dev.ringfence.agent.RevertUnavailableException;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.StartResult;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.deferral.Deferral;
import dev.ringfence.core.deferral.DeferralPolicy;
import dev.ringfence.core.deferral.Deferrals;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.jspecify.annotations.Nullable;

/**
 * Replays a {@link Scenario} on a virtual clock: the real {@link RolloutEngine} with the plan's gates,
 * and on each endpoint that is offered the candidate the real {@link RolloutAgent} over a
 * {@link MemoryDisk}. The same scenario and seed give the same run, event for event.
 *
 * <p>Time moves in steps of one second; events (polls, crashes, boots, confirmations) sit in a timing
 * wheel, so a step costs what happens in it, not the size of the fleet. Every endpoint polls the update
 * server each heartbeat interval (± jitter), follows the decision and sends a heartbeat; the engine's
 * {@code tick()} runs every 10 seconds. Per-endpoint traits (attributes, whether the candidate crashes
 * it, whether it crashes before its network is up, whether its validator refuses the candidate) are pure
 * functions of the seed and the endpoint, so the run without Ringfence meets the same hosts.
 *
 * <p>Endpoints never offered the candidate need no agent: they run the baseline from the fleet's image
 * and report with boot id 0. An endpoint gets its agent, imaged from a disk with the baseline installed and
 * confirmed, the first time it is offered the candidate; from then on every signal it sends is the agent's.
 *
 * <p>This class holds the run loop and what happens to each host at each event; the rest is apart:
 * {@link FleetTraits} (what each endpoint is, drawn from the seed), {@link EventWheel} (the events by the second),
 * {@link SimulatedHost} (a host that has met the candidate) and {@link SimulatedWorld} (the engine, the releases,
 * the trust root and the fleet's image).
 */
public final class FleetSimulator {

  /** The engine's tick period in virtual time. */
  static final int TICK_SECONDS = 10;

  // A host's flags, in the word FLAGS of its state.
  private static final int OFFLINE = 1;
  private static final int DOWN = 2;
  private static final int EXPOSED_EVER = 4;
  private static final int CRASHED_ON_CANDIDATE = 8;
  private static final int BACKGROUND_CRASH = 16;
  private static final int LAST_CRASH_ON_CANDIDATE = 32;
  private static final int REFUSED = 64;
  /** Down for a planned, clean restart, not a crash. */
  private static final int RESTARTING = 0x80;
  /** Runs the candidate now. */
  private static final int RUNNING = 0x100;
  /** Has met the candidate: {@link #hosts} holds its disk and agent. */
  private static final int HAS_HOST = 0x200;
  /** How it came back from the candidate, two bits: one of the BACK_ values. */
  private static final int BACK_SHIFT = 10;

  // A host's state: STATE_WORDS ints side by side, so that an event touches one cache line of it, not one per
  // array (at ten million hosts every one is a miss).
  private static final int STATE_WORDS = 4;
  /** Counts up at every crash, boot and revert: an event of an older epoch is void. */
  private static final int EPOCH = 0;
  private static final int FLAGS = 1;
  /** The sequence number of the host's next signal when it has no agent. */
  private static final int SEQ = 2;

  static final int BACK_NONE = 0;
  static final int BACK_AGENT = 1;
  static final int BACK_SERVER = 2;
  static final int BACK_VENDOR = 3;

  private static final int EV_POLL = 0;
  private static final int EV_CRASH = 1;
  private static final int EV_BOOT = 2;
  private static final int EV_CONFIRM = 3;
  /** A background crash or a planned restart: events of the host's life, whatever it runs; never cancelled. */
  private static final int EV_LIFE = 4;
  private static final int EV_TYPE_BITS = 3;
  private static final int EPOCH_MASK = 0x0FFF_FFFF;

  private static final long LIFE_STREAM = 0x4CF5AD432745937FL;

  /** When the push happens, in virtual time. */
  static final Instant PUSH_AT = Instant.parse("2024-07-19T04:09:00Z");

  private final Scenario scenario;
  private final Plan plan;
  /** The plan's rings, held tiers' rings included, built once: every transition and verdict names its ring. */
  private final List<Ring> rings;
  private final long seed;
  private final int n;
  private final boolean ringfence;
  private final ProgressListener progress;

  private final long base;
  private final long cand;
  private final int intervalS;
  private final int jitterS;
  private final int bootS;
  private final int crashDelayS;
  private final int maxFailedStarts;
  private final int confirmS;
  /** Content loaded at boot and no boot guard: a crash on load at boot is counted by nothing. */
  private final boolean uncountedAtBoot;
  private final List<Scenario.Outage> outages;
  private final int[] outageFrom;
  private final int[] outageUntil;
  private final int horizonS;
  /** Draws the times of life events, apart from {@link #random} so that they do not move its other draws. */
  private final SplittableRandom life;
  private final double loss;
  private final Scenario.@Nullable Probe probe;
  private final @Nullable Duration vendorRevert;

  private final FleetTraits traits;
  /** Each host's {@value #STATE_WORDS} words: {@link #EPOCH}, {@link #FLAGS}, {@link #SEQ}. */
  private final int[] state;
  private final SimulatedHost[] hosts;

  private final SplittableRandom random;
  private final EventWheel wheel;
  private final VirtualClock clock = new VirtualClock(PUSH_AT);
  private int now;
  /** The latest virtual second at which a host that took the candidate crashes for the first time. */
  private int lastFirstCrashDue;

  /** What {@link #preloadHost} and {@link #preloadId} read, kept so that the reads stay. */
  @SuppressWarnings("unused")
  private int preloaded;

  /** Set when the run with Ringfence failed: the run without it, going on another thread, stops at its next second. */
  private volatile boolean abandoned;

  /** Whether the run without Ringfence has scheduled its first polls. */
  private boolean begun;

  /** The engine, releases and image; only the run with Ringfence has them. */
  private @Nullable SimulatedWorld world;

  // What happened.
  private int exposedNow;
  private int downNow;
  private int everExposed;
  private int peakExposed;
  private int crashedOnCandidate;
  private int backgroundCrashes;
  private int plannedRestarts;
  private long unreachable;
  private int refused;
  private int revertUnavailable;
  private final int[] backBy = new int[4];
  private int firstFailureSignalAt = -1;
  /** Endpoints whose failure on the candidate the server heard of, and the exposure when the second one was. */
  private final java.util.BitSet failureSignalled = new java.util.BitSet();
  private int exposedAtSecondFailureSignal = -1;
  private int haltAt = -1;
  private int exposedAtHalt = -1;
  private final long[] signals = new long[IngestResult.values().length];
  private long lost;
  private final List<SimulationReport.Transition> transitions = new ArrayList<>();
  private final List<SimulationReport.VerdictLine> verdicts = new ArrayList<>();
  private final List<SimulationReport.RingOpening> ringOpenings = new ArrayList<>();
  private final List<SimulationReport.Sample> timeline = new ArrayList<>();

  // Customer deferral (docs/update-server.md): the scenario's policy, each endpoint's entry, what each group saw.
  private final DeferralPolicy deferrals;
  /** Each endpoint's deciding entry, -1 when none; null without deferrals. */
  private final byte @Nullable [] groupOf;
  private final java.util.BitSet groupsInUse = new java.util.BitSet();
  private int mainCompletedAt = -1;
  private int[] onCandidateWhenMainCompleted = new int[0];
  private final Map<String, Integer> ownRolloutEntry = new java.util.HashMap<>();
  private int[] ownStartedAt = new int[0];
  /** When every deferred group's own rollout had ended; -1 before. */
  private int groupsFinishedAt = -1;

  /** Told how far a run is, for a progress bar. */
  @FunctionalInterface
  public interface ProgressListener {
    /** Does nothing. */
    ProgressListener NONE = (done, total, label) -> { };

    /**
     * @param done virtual seconds simulated
     * @param total virtual seconds at most
     * @param label what is running
     */
    void progress(long done, long total, String label);
  }

  private FleetSimulator(Scenario scenario, Plan plan, long seed, int endpoints, boolean ringfence,
      ProgressListener progress, FleetTraits traits) {
    this.scenario = scenario;
    this.plan = plan;
    this.rings = plan.allRings();
    this.seed = seed;
    this.n = endpoints;
    this.ringfence = ringfence;
    this.progress = progress;
    Scenario.Fleet fleet = scenario.fleet();
    this.base = scenario.push().baseline();
    this.cand = scenario.push().candidate();
    this.intervalS = seconds(fleet.interval());
    this.jitterS = seconds(fleet.jitterDuration());
    this.bootS = seconds(fleet.bootDuration());
    this.crashDelayS = seconds(scenario.candidate().crashDelayDuration());
    this.confirmS = seconds(scenario.agent().confirmAfterDuration());
    this.maxFailedStarts = scenario.agent().maxFailedStarts();
    this.uncountedAtBoot = scenario.candidate().loadedAtBoot() && !scenario.agent().bootGuard();
    this.outages = fleet.outages();
    this.outageFrom = outages.stream().mapToInt(o -> seconds(o.fromDuration())).toArray();
    this.outageUntil = outages.stream().mapToInt(o -> seconds(o.fromDuration().plus(o.durationDuration()))).toArray();
    this.horizonS = seconds(scenario.stopAfterDuration());
    this.life = new SplittableRandom(seed ^ LIFE_STREAM);
    this.loss = fleet.lossRate();
    this.probe = scenario.candidate().probe();
    this.vendorRevert = scenario.vendorRevertDuration();
    this.state = new int[STATE_WORDS * n];
    this.hosts = new SimulatedHost[n];
    this.random = new SplittableRandom(seed);
    int horizon = Math.max(intervalS + jitterS, Math.max(bootS + bootS / 4, Math.max(crashDelayS, confirmS))) + 2;
    this.wheel = new EventWheel(horizon);
    this.traits = traits;
    this.deferrals = scenario.deferralPolicy();
    if (deferrals.isEmpty()) {
      this.groupOf = null;
    } else {
      this.groupOf = new byte[n];
      for (int i = 0; i < n; i++) {
        int g = deferrals.effective(traits.attributes(i));
        groupOf[i] = (byte) g;
        if (g >= 0 && !traits.offline(i)) {
          groupsInUse.set(g);
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (traits.offline(i)) {
        set(i, OFFLINE);
      }
    }
  }

  /**
   * Replays a scenario with Ringfence only (the judge-quality sweep needs no comparison run).
   *
   * @param loaded the scenario and its plan
   * @param seed the seed
   * @param endpoints the fleet size
   * @param progress told how far the run is
   * @return the run with Ringfence, as {@link SimulationReport#withRingfence()} would hold it
   */
  public static SimulationReport.Run simulateWithRingfence(ScenarioReader.Loaded loaded, long seed, int endpoints,
      ProgressListener progress) {
    if (endpoints < 1 || endpoints > Scenario.MAX_ENDPOINTS) {
      throw new IllegalArgumentException("endpoints: " + endpoints + " is outside 1.." + Scenario.MAX_ENDPOINTS);
    }
    return new FleetSimulator(loaded.scenario(), loaded.plan(), seed, endpoints, true, progress,
        new FleetTraits(loaded.scenario(), seed, endpoints)).runWithRingfence();
  }

  /**
   * Replays a scenario, with and without Ringfence.
   *
   * @param loaded the scenario and its plan
   * @param seed the seed
   * @param endpoints the fleet size (the scenario's unless overridden)
   * @param progress told how far each run is
   * @return the report of both runs
   */
  public static SimulationReport simulate(ScenarioReader.Loaded loaded, long seed, int endpoints,
      ProgressListener progress) {
    if (endpoints < 1 || endpoints > Scenario.MAX_ENDPOINTS) {
      throw new IllegalArgumentException("endpoints: " + endpoints + " is outside 1.." + Scenario.MAX_ENDPOINTS);
    }
    // Both runs meet the same hosts: their traits are drawn once. They share nothing else, so the run without
    // Ringfence goes on a second core, as far as it is known to go before the run with Ringfence ends (to half an
    // hour after the vendor's revert), and on from there if the run with Ringfence took longer. Stepped in two
    // parts or one, it is the same run, second for second.
    FleetTraits traits = new FleetTraits(loaded.scenario(), seed, endpoints);
    int limit = seconds(loaded.scenario().stopAfterDuration());
    Duration vendor = loaded.scenario().vendorRevertDuration();
    int known = vendor == null ? 0 : Math.min(limit, seconds(vendor) + 30 * 60);
    Handoff handoff = new Handoff(progress);
    FleetSimulator without = new FleetSimulator(loaded.scenario(), loaded.plan(), seed, endpoints, false,
        handoff, traits);
    FutureTask<Integer> ahead = new FutureTask<>(() -> without.stepWithout(0, known));
    boolean parallel = Runtime.getRuntime().availableProcessors() > 1 && known > 0;
    if (parallel) {
      Thread worker = new Thread(ahead, "simulate-without-ringfence");
      worker.setDaemon(true);
      worker.start();
    }
    SimulationReport.Run withRun;
    try {
      withRun = new FleetSimulator(loaded.scenario(), loaded.plan(), seed, endpoints, true, progress, traits)
          .runWithRingfence();
    } catch (RuntimeException | Error e) {
      without.abandoned = true; // the second core stops too: nobody will read its run
      throw e;
    }
    handoff.withDone = true;
    if (!parallel) {
      ahead.run();
    }
    int stepped = joined(ahead);
    int withoutLength = Math.min(limit, Math.max(withRun.durationSeconds(), known));
    SimulationReport.Run withoutRun = without.finishWithout(stepped, withoutLength);
    return new SimulationReport(SimulationReport.SCHEMA_VERSION, loaded.scenario().name(),
        loaded.scenario().description(), seed, endpoints, loaded.plan().name(), base(loaded), cand(loaded),
        withRun, withoutRun);
  }

  private static long base(ScenarioReader.Loaded l) {
    return l.scenario().push().baseline();
  }

  private static long cand(ScenarioReader.Loaded l) {
    return l.scenario().push().candidate();
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  private SimulationReport.Run runWithRingfence() {
    setUpEngineAndReleases();
    Rollout r = rollout();
    int limit = seconds(scenario.stopAfterDuration());
    scheduleFirstPolls();
    r.start();
    int t = 0;
    while (t < limit && !finished(r)) {
      t = stepWithRingfence(t, limit);
    }
    // A rollout can end (completed, or rolled back) while hosts it gave the candidate have yet to crash: a crash
    // delayed beyond the last ring's bake time. Then the world runs on until each of them has crashed, had its
    // failed starts (each a boot and, loading the candidate again, another crash delay: a host that confirmed the
    // candidate before its first crash goes back out of probation only then) and asked the server once more, so the
    // report counts what they are left with instead of ending before it happens.
    int settled = lastFirstCrashDue > t
        ? lastFirstCrashDue + (bootS + bootS / 4 + crashDelayS) * (maxFailedStarts + 1) + bootS + intervalS : t;
    while (t < limit && t < settled) {
      t = stepWithRingfence(t, limit);
    }
    progress.progress(t, t, "with Ringfence"); // done: the virtual time the run took, not the limit
    List<String> stragglers = r.stragglers().stream().sorted().toList();
    return result(t, r.state().name(), stragglers);
  }

  private int stepWithRingfence(int t, int limit) {
    int next = t + 1;
    step(next);
    if (next % TICK_SECONDS == 0) {
      engine().tick();
      if (groupOf != null) {
        Deferrals.advance(engine(), world().rollouts(), deferrals, world()::completedAt, clock.instant(),
            groupsInUse::get);
      }
    }
    sampleAndReport(next, limit, "with Ringfence");
    return next;
  }

  /**
   * The run with Ringfence is over when the rollout is, and (with customer deferrals) one poll interval after every
   * deferred group that gets its own rollout of the candidate has had it to the end, so that the group's members
   * hear how it ended (as the fleet does after the main rollout completes, while the groups wait).
   */
  private boolean finished(Rollout main) {
    if (!groupsFinished(main)) {
      return false;
    }
    if (groupOf == null || main.state() != RolloutState.COMPLETED) {
      return true;
    }
    if (groupsFinishedAt < 0) {
      groupsFinishedAt = now;
    }
    return now >= groupsFinishedAt + intervalS + jitterS + 1;
  }

  private boolean groupsFinished(Rollout main) {
    if (!main.state().isTerminal()) {
      return false;
    }
    if (groupOf == null || main.state() != RolloutState.COMPLETED) {
      return true;
    }
    for (int g = 0; g < deferrals.entries().size(); g++) {
      Deferral d = deferrals.entries().get(g);
      if (d.previousRelease() || !groupsInUse.get(g)) {
        continue;
      }
      String own = Deferrals.childId(main.id(), d);
      Rollout found = world().rollouts().stream().filter(x -> x.id().equals(own)).findFirst().orElse(null);
      if (found == null || !found.state().isTerminal()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Steps the run without Ringfence from second {@code from} (0 when it has not begun) to {@code to}.
   *
   * @return {@code to}
   */
  private int stepWithout(int from, int to) {
    if (!begun) {
      begun = true;
      scheduleFirstPolls();
    }
    for (int t = from + 1; t <= to && !abandoned; t++) {
      step(t);
      sampleAndReport(t, to, "without Ringfence");
    }
    return to;
  }

  /** Steps the run without Ringfence on from {@code from} to {@code length}, and reports it. */
  private SimulationReport.Run finishWithout(int from, int length) {
    int at = stepWithout(from, Math.max(from, length));
    progress.progress(at, at, "without Ringfence");
    return result(at, "NO_GATE", List.of());
  }

  /** The outcome of the run without Ringfence's first part; its errors (out of memory too) as they were thrown. */
  private static int joined(FutureTask<Integer> part) {
    try {
      return part.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the run without Ringfence went on", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Error error) {
        throw error;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(cause);
    }
  }

  /**
   * The progress of the run without Ringfence: passed on only once the run with Ringfence is over, so that the
   * two runs, going at once, do not take turns on one progress bar.
   */
  private static final class Handoff implements ProgressListener {
    private final ProgressListener to;
    volatile boolean withDone;

    Handoff(ProgressListener to) {
      this.to = to;
    }

    @Override
    public void progress(long done, long total, String label) {
      if (withDone) {
        to.progress(done, total, label);
      }
    }
  }

  private void sampleAndReport(int t, int limit, String label) {
    if (t % sampleEvery() == 0) {
      timeline.add(sample(t));
      progress.progress(t, limit, label);
    }
  }

  /** The fleet at second {@code t}: running the candidate, down, and back by any means. */
  private SimulationReport.Sample sample(int t) {
    return new SimulationReport.Sample(t, exposedNow, downNow, backBy[BACK_AGENT] + backBy[BACK_SERVER]
        + backBy[BACK_VENDOR]);
  }

  private int sampleEvery() {
    return Math.max(10, intervalS / 2);
  }

  private void scheduleFirstPolls() {
    for (int i = 0; i < n; i++) {
      if (!has(i, OFFLINE)) {
        wheel.add(1 + (int) (traits.phase(i) * intervalS), event(i, EV_POLL));
        scheduleLifeEvent(i);
      }
    }
  }

  /**
   * Background crashes and planned restarts come in continuous time, a Poisson process per host, not only
   * when the host polls: the next one is an exponential wait away, and one past the end of the run is not
   * scheduled at all (so a fleet of millions with a small rate holds a few events, not one per host).
   */
  private void scheduleLifeEvent(int i) {
    double rate = traits.lifeRate(i);
    if (rate <= 0) {
      return;
    }
    double wait = -Math.log(1 - life.nextDouble()) / rate;
    if (now + wait < horizonS) {
      wheel.add(now + Math.max(1, (int) Math.ceil(wait)), ((long) i << EV_TYPE_BITS) | EV_LIFE);
    }
  }

  private void lifeEvent(int i) {
    if (!has(i, DOWN)) {
      if (life.nextDouble() < traits.crashShareOfLife(i)) {
        crash(i, true);
      } else {
        restart(i);
      }
    }
    scheduleLifeEvent(i);
  }

  /**
   * Whether the endpoint is cut off by an outage now: it neither polls nor sends a signal. Membership is
   * a pure function of the seed, the endpoint and the window.
   */
  private boolean unreachable(int i) {
    for (int k = 0; k < outageFrom.length; k++) {
      if (now >= outageFrom[k] && now < outageUntil[k] && traits.outageMember(i, k)) {
        return true;
      }
    }
    return false;
  }

  private void step(int t) {
    now = t;
    clock.set(PUSH_AT.plusSeconds(t));
    wheel.drain(t, this::handle, this::preloadHost, this::preloadId);
  }

  private long event(int i, int type) {
    return ((long) (state[at(i, EPOCH)] & EPOCH_MASK) << (32 + EV_TYPE_BITS)) | ((long) i << EV_TYPE_BITS) | type;
  }

  private void schedule(int delay, int i, int type) {
    wheel.add(now + Math.max(1, delay), event(i, type));
  }

  /**
   * Reads what handling an event will read first, some events before it is handled: at millions of hosts each is
   * a cache miss, and loaded early they are fetched side by side. First the host's state and its id (the string,
   * not its bytes: its hash is kept in it), ...
   */
  private void preloadHost(long ev) {
    int i = (int) ((ev >>> EV_TYPE_BITS) & 0xFFFF_FFFFL);
    preloaded += state[at(i, EPOCH)] + traits.id(i).hashCode();
  }

  /** ... then the id's bytes, which the engine hashes. Changes nothing but {@link #preloaded}, which nothing reads. */
  private void preloadId(long ev) {
    preloaded += traits.id((int) ((ev >>> EV_TYPE_BITS) & 0xFFFF_FFFFL)).length();
  }

  private void handle(long ev) {
    int i = (int) ((ev >>> EV_TYPE_BITS) & 0xFFFF_FFFFL);
    int type = (int) (ev & ((1 << EV_TYPE_BITS) - 1));
    if (type == EV_LIFE) {
      lifeEvent(i);
      return;
    }
    if ((int) (ev >>> (32 + EV_TYPE_BITS)) != (state[at(i, EPOCH)] & EPOCH_MASK)) {
      return; // overtaken by a crash, boot or revert
    }
    switch (type) {
      case EV_POLL:
        poll(i);
        break;
      case EV_CRASH:
        crash(i, false);
        break;
      case EV_BOOT:
        boot(i);
        break;
      default:
        confirm(i);
        break;
    }
  }

  private int nextPollDelay() {
    return intervalS + (jitterS == 0 ? 0 : random.nextInt(2 * jitterS + 1) - jitterS);
  }

  private void poll(int i) {
    if (has(i, DOWN)) {
      return;
    }
    if (unreachable(i)) {
      unreachable++; // the poll, and the heartbeat it would have sent
      schedule(nextPollDelay(), i, EV_POLL); // it tries again next interval; nothing gets through meanwhile
      return;
    }
    if (ringfence) {
      // A host that just activated the candidate loads it now: its next heartbeat, an interval later,
      // is the first to say it runs (one that crashes on load never sends it).
      if (!askServer(i) && !has(i, DOWN)) {
        report(i);
      }
    } else {
      followVendor(i);
    }
    if (!has(i, DOWN)) {
      if (ringfence) {
        schedule(nextPollDelay(), i, EV_POLL);
      } else {
        pollAgainWithout(i);
      }
    }
  }

  /**
   * Without Ringfence a host has nothing new to hear until the vendor pulls the content: it polls again
   * just after that (a poll before then would change nothing), and never after.
   */
  private void pollAgainWithout(int i) {
    Duration vendor = vendorRevert;
    if (running(i) && vendor != null && !vendorPulled()) {
      wheel.add((int) Math.max(now + 1, vendor.getSeconds() + random.nextInt(intervalS + 1)), event(i, EV_POLL));
    }
  }

  /**
   * With Ringfence: the update server's decision, followed by the agent.
   *
   * @return true if the host activated the candidate
   */
  private boolean askServer(int i) {
    if (unreachable(i)) {
      return false;
    }
    long current = running(i) ? cand : base;
    Decision d = null;
    if (groupOf != null && groupOf[i] >= 0) {
      d = Deferrals.route(world().rollouts(), deferrals, world()::completedAt, traits.id(i), traits.attributes(i),
          current, clock.instant()).map(Deferrals.Routed::decision).orElse(null);
    }
    if (d == null) {
      d = rollout().decide(traits.id(i), traits.attributes(i), current);
    }
    if (d.kind() == Decision.Kind.OFFER && !running(i) && d.version() == cand) {
      return offer(i);
    } else if (d.kind() == Decision.Kind.REVERT && running(i)) {
      SimulatedHost host = host(i);
      try {
        host.agent.revertTo(base, d.reason());
        deliver(i, host, true);
        leaveCandidate(i, BACK_SERVER);
      } catch (RevertUnavailableException e) {
        revertUnavailable++;
      }
    }
    return false;
  }

  /** Without Ringfence: every endpoint takes the push at its next poll, until the vendor pulls it. */
  private void followVendor(int i) {
    boolean pulled = vendorPulled();
    if (!pulled && !running(i) && !has(i, EXPOSED_EVER)) {
      enterCandidate(i);
      if (traits.susceptible(i)) {
        schedule(crashDelayS, i, EV_CRASH);
      }
    } else if (pulled && running(i)) {
      leaveCandidate(i, BACK_VENDOR);
    }
  }

  private boolean vendorPulled() {
    Duration vendor = vendorRevert;
    return vendor != null && now >= vendor.getSeconds();
  }

  private boolean offer(int i) {
    SimulatedHost host = host(i);
    if (host == null) {
      host = world().newHost();
      hosts[i] = host;
      set(i, HAS_HOST);
      host.agent = agent(i, host);
      host.agent.onStart();
      host.outbox.clear(); // the agent has run since before the push: this start is not part of the story
    }
    if (has(i, REFUSED)) {
      return false;
    }
    try {
      host.agent.apply(world().candidateEnvelope(), host.disk.putPayload("candidate", world().candidatePayload()));
    } catch (ContentRefusedException e) {
      if (e.reason() == ContentRefusedException.Reason.VALIDATION_FAILED) {
        set(i, REFUSED);
        refused++;
      } // otherwise known-bad here already: the agent refuses and says so
      deliver(i, host, true);
      return false;
    }
    deliver(i, host, true);
    enterCandidate(i);
    scheduleTrial(i);
    if (traits.susceptible(i)) {
      lastFirstCrashDue = Math.max(lastFirstCrashDue, now + crashDelayS);
    }
    return true;
  }

  /**
   * What happens to a host that has just loaded the candidate: a susceptible one crashes after the crash
   * delay, every other one confirms after {@code confirmAfter}; a susceptible host whose crash comes later
   * than that confirms first (the candidate becomes its last-known-good) and then crash-loops.
   */
  private void scheduleTrial(int i) {
    if (traits.susceptible(i)) {
      schedule(crashDelayS, i, EV_CRASH);
    }
    if (!traits.susceptible(i) || crashDelayS > confirmS) {
      schedule(confirmS, i, EV_CONFIRM);
    }
  }

  /** @return the index of word {@code word} of host {@code i}'s state */
  private static int at(int i, int word) {
    return STATE_WORDS * i + word;
  }

  private boolean has(int i, int flags) {
    return (state[at(i, FLAGS)] & flags) != 0;
  }

  private void set(int i, int flags) {
    state[at(i, FLAGS)] |= flags;
  }

  private void clear(int i, int flags) {
    state[at(i, FLAGS)] &= ~flags;
  }

  private boolean running(int i) {
    return has(i, RUNNING);
  }

  private int back(int i) {
    return (state[at(i, FLAGS)] >>> BACK_SHIFT) & 3;
  }

  /** @return the host's disk and agent, or null before it met the candidate (read only then: it is a miss) */
  private @Nullable SimulatedHost host(int i) {
    return has(i, HAS_HOST) ? hosts[i] : null;
  }

  private void enterCandidate(int i) {
    set(i, RUNNING);
    exposedNow++;
    peakExposed = Math.max(peakExposed, exposedNow);
    if (!has(i, EXPOSED_EVER)) {
      set(i, EXPOSED_EVER);
      everExposed++;
    }
  }

  private void leaveCandidate(int i, int how) {
    clear(i, RUNNING);
    exposedNow--;
    state[at(i, EPOCH)]++; // cancels a crash or a confirmation still to come
    if (back(i) == BACK_NONE) {
      set(i, how << BACK_SHIFT);
      backBy[how]++;
    }
    if (!has(i, DOWN)) {
      schedule(nextPollDelay(), i, EV_POLL);
    }
  }

  private void crash(int i, boolean background) {
    if (has(i, DOWN)) {
      return;
    }
    set(i, DOWN);
    downNow++;
    state[at(i, EPOCH)]++;
    if (background) {
      set(i, BACKGROUND_CRASH);
      backgroundCrashes++;
    } else {
      clear(i, BACKGROUND_CRASH);
    }
    if (running(i)) {
      set(i, LAST_CRASH_ON_CANDIDATE);
      if (!background && !has(i, CRASHED_ON_CANDIDATE)) {
        set(i, CRASHED_ON_CANDIDATE);
        crashedOnCandidate++;
      }
    } else {
      clear(i, LAST_CRASH_ON_CANDIDATE);
    }
    schedule(bootDelay(), i, EV_BOOT);
  }

  private void boot(int i) {
    if (has(i, RESTARTING)) {
      bootAfterRestart(i);
      return;
    }
    if (!ringfence && running(i) && !has(i, BACKGROUND_CRASH) && traits.susceptible(i)) {
      loopWithoutRingfence(i);
      return;
    }
    clear(i, DOWN);
    downNow--;
    state[at(i, EPOCH)]++;
    boolean wasBackground = has(i, BACKGROUND_CRASH);
    long crashedVersion = has(i, LAST_CRASH_ON_CANDIDATE) ? cand : base;
    SimulatedHost host = host(i);
    if (ringfence && host != null && running(i) && !wasBackground && traits.susceptible(i) && uncountedAtBoot) {
      // The content loads at boot, before any user-space process, and crashes the host there: the agent never
      // runs, so nothing counts the start, reports it or asks the server. Without a boot guard the host loops
      // until someone repairs it by hand (not simulated boot by boot: it stays down).
      host.outbox.clear();
      return;
    }
    if (ringfence && host != null) {
      boolean onCandidate = startAgent(i, host);
      boolean crashesAgain = onCandidate && !wasBackground && traits.susceptible(i);
      if (crashesAgain && traits.silent(i)) {
        host.outbox.clear(); // it crashes before its network is up: nothing it says gets out
        schedule(crashDelayS, i, EV_CRASH);
        return;
      }
      deliver(i, host, true);
      host.agent.reportCrash(crashedVersion, "crash dump found at boot");
      deliver(i, host, true);
    } else if (ringfence) {
      send(i, new ApplyResult(traits.id(i), 0, state[at(i, SEQ)]++, crashedVersion, ApplyOutcome.CRASHED,
          "crash dump found at boot"));
    }
    if (ringfence) {
      // The agent asks the server first thing after a boot: a REVERT reaches a looping host here.
      askServer(i);
      if (running(i) && !wasBackground && traits.susceptible(i)) {
        scheduleTrial(i);
        if (crashDelayS <= confirmS) {
          return;
        }
      } else if (running(i)) {
        schedule(confirmS, i, EV_CONFIRM);
      }
    }
    schedule(1 + random.nextInt(intervalS), i, EV_POLL);
  }

  /**
   * A planned, clean restart (an OS update, a user's reboot): the agent is told the run ends cleanly
   * ({@code onCleanShutdown()}), the host is down for a boot time, then starts as any other; its agent does not
   * count that start as a failed one. Not a crash: no crash dump, no crash report, not counted as down.
   */
  private void restart(int i) {
    SimulatedHost host = host(i);
    if (ringfence && host != null) {
      host.agent.onCleanShutdown(); // the host's shutdown tells the agent that this run ended cleanly
    }
    set(i, DOWN | RESTARTING);
    state[at(i, EPOCH)]++;
    plannedRestarts++;
    schedule(bootDelay(), i, EV_BOOT);
  }

  /**
   * A new process on the host: a new agent over its disk, whose {@code onStart()} may go back to the
   * last-known-good by itself.
   *
   * @return whether the host runs the candidate after the start
   */
  private boolean startAgent(int i, SimulatedHost host) {
    host.agent = agent(i, host);
    StartResult start = host.agent.onStart();
    boolean onCandidate = start.activeContent().map(c -> c.version() == cand).orElse(false);
    if (running(i) && !onCandidate) {
      leaveCandidate(i, BACK_AGENT);
    }
    return onCandidate;
  }

  /** How long a host is down between its stop and its next start: the boot time ±25%. */
  private int bootDelay() {
    return bootS * 3 / 4 + random.nextInt(bootS / 2 + 1);
  }

  private void bootAfterRestart(int i) {
    clear(i, DOWN | RESTARTING);
    state[at(i, EPOCH)]++;
    SimulatedHost host = host(i);
    if (ringfence && host != null) {
      startAgent(i, host);
      deliver(i, host, true);
      askServer(i);
    }
    if (running(i)) {
      scheduleTrial(i); // the content loads again at this start
    }
    schedule(1 + random.nextInt(intervalS), i, EV_POLL);
  }

  /**
   * Without Ringfence nothing on the host stops the boot loop: the host stays down (each start crashes it
   * again) until a boot whose network comes up first fetches the vendor's revert. A looping host is not
   * simulated crash by crash; its next boot that matters is the first after the revert, and a host that
   * crashes before its network is up never gets there: it needs hands on it.
   */
  private void loopWithoutRingfence(int i) {
    Duration vendor = vendorRevert;
    if (traits.silent(i) || vendor == null) {
      return; // down for good
    }
    if (vendorPulled()) {
      clear(i, DOWN);
      downNow--;
      state[at(i, EPOCH)]++;
      leaveCandidate(i, BACK_VENDOR);
      return;
    }
    // Still looping; it boots again and again, and the first boot after the revert recovers it.
    wheel.add((int) Math.max(now + 1, Math.min((long) now + bootS + crashDelayS, vendor.getSeconds())
        + random.nextInt(bootS + crashDelayS + 1)), event(i, EV_BOOT));
  }

  private void confirm(int i) {
    SimulatedHost host = host(i);
    if (host == null || !running(i) || has(i, DOWN)) {
      return;
    }
    host.agent.confirmHealthy();
    deliver(i, host, true);
  }

  /** A heartbeat and, when the scenario has one, a probe reading. */
  private void report(int i) {
    SimulatedHost host = host(i);
    long version = running(i) ? cand : base;
    Scenario.Probe p = probe;
    double reading = p == null ? 0
        : p.baseline() + (running(i) ? p.shift() : 0) + p.stddev() * random.nextGaussian();
    if (host != null) {
      host.agent.heartbeat();
      if (p != null) {
        host.agent.reportProbe(p.metric(), reading);
      }
      deliver(i, host, true);
    } else {
      send(i, new Heartbeat(traits.id(i), 0, state[at(i, SEQ)]++, version, 0));
      if (p != null) {
        send(i, new ProbeReading(traits.id(i), 0, state[at(i, SEQ)]++, version, p.metric(), reading));
      }
    }
  }

  private void deliver(int i, SimulatedHost host, boolean networkUp) {
    host.deliver(networkUp, s -> send(i, s));
  }

  private void send(int i, Signal signal) {
    if (unreachable(i)) {
      unreachable++;
      return;
    }
    if (loss > 0 && random.nextDouble() < loss) {
      lost++;
      return;
    }
    Rollout to = groupOf != null && groupOf[i] >= 0 ? Deferrals.signalsTo(world().rollouts(), deferrals,
        traits.attributes(i), signal.version()).orElse(rollout()) : rollout();
    signals[to.ingest(signal).ordinal()]++;
    if (signal.version() == cand && isFailure(signal) && !failureSignalled.get(i)) {
      failureSignalled.set(i);
      if (firstFailureSignalAt < 0) {
        firstFailureSignalAt = now;
      } else if (exposedAtSecondFailureSignal < 0) {
        exposedAtSecondFailureSignal = everExposed;
      }
    }
  }

  private static boolean isFailure(Signal s) {
    if (s instanceof Heartbeat) {
      return ((Heartbeat) s).failedStarts() > 0;
    }
    return s instanceof ApplyResult && ((ApplyResult) s).outcome() != ApplyOutcome.ACTIVATED;
  }

  // ---------------------------------------------------------------------------------------------
  // The engine's events and the report

  private void setUpEngineAndReleases() {
    this.world = new SimulatedWorld(scenario, plan, seed, clock, () -> exposedNow, this::onTransition,
        this::onVerdict);
  }

  private RolloutAgent agent(int i, SimulatedHost host) {
    return world().agent(traits.id(i), host, traits.refuses(i));
  }

  private void onTransition(JournalEntry.Transitioned t) {
    if (!t.rolloutId().equals(rollout().id())) {
      ownRolloutTransition(t);
      return;
    }
    if (t.to() == RolloutState.COMPLETED && groupOf != null) {
      mainCompletedAt = now;
      onCandidateWhenMainCompleted = new int[deferrals.entries().size()];
      for (int i = 0; i < n; i++) {
        if (groupOf[i] >= 0 && running(i)) {
          onCandidateWhenMainCompleted[groupOf[i]]++;
        }
      }
    }
    String ring = ringName(t.ringIndex());
    transitions.add(new SimulationReport.Transition(now, t.from().name(), t.to().name(), ring, t.cause()));
    if (t.to() == RolloutState.HALTED && haltAt < 0) {
      haltAt = now;
      exposedAtHalt = everExposed;
    }
    if (t.trigger() == Trigger.START || t.trigger() == Trigger.ADVANCE) {
      ringOpenings.add(new SimulationReport.RingOpening(now, ring));
    }
  }

  /** A deferred group's own rollout: its transitions go into the report named as such. */
  private void ownRolloutTransition(JournalEntry.Transitioned t) {
    Integer entry = ownEntry(t.rolloutId());
    if (t.trigger() == Trigger.START && entry != null) {
      ownStartedAt[entry] = now;
    }
    String ring = ownRingName(t.ringIndex());
    transitions.add(new SimulationReport.Transition(now, t.from().name(), t.to().name(), ring,
        "deferred group's rollout " + t.rolloutId() + ": " + t.cause()));
    if (t.trigger() == Trigger.START || t.trigger() == Trigger.ADVANCE) {
      ringOpenings.add(new SimulationReport.RingOpening(now, ring));
    }
  }

  private static String ownRingName(int index) {
    List<Ring> own = Deferrals.childPlan().allRings();
    return index >= 0 && index < own.size() ? own.get(index).name() : "-";
  }

  /** @return the entry whose group a deferred group's rollout serves, or null for another rollout */
  private @Nullable Integer ownEntry(String rolloutId) {
    if (ownRolloutEntry.isEmpty()) {
      ownStartedAt = new int[deferrals.entries().size()];
      java.util.Arrays.fill(ownStartedAt, -1);
      for (int g = 0; g < deferrals.entries().size(); g++) {
        ownRolloutEntry.put(Deferrals.childId(rollout().id(), deferrals.entries().get(g)), g);
      }
    }
    return ownRolloutEntry.get(rolloutId);
  }

  private String ringName(int index) {
    return index >= 0 && index < rings.size() ? rings.get(index).name() : "-";
  }

  private void onVerdict(JournalEntry.VerdictRecorded v) {
    String ring = v.rolloutId().equals(rollout().id()) ? ringName(v.ringIndex()) : ownRingName(v.ringIndex());
    if (verdicts.isEmpty() || !verdicts.get(verdicts.size() - 1).sameAs(ring, v.verdict())) {
      verdicts.add(new SimulationReport.VerdictLine(now, ring, v.verdict().outcome().name(), v.verdict().test(),
          v.verdict().reason()));
    }
  }

  private SimulationReport.Run result(int duration, String outcome, List<String> stragglers) {
    if (timeline.isEmpty() || timeline.get(timeline.size() - 1).atSeconds() < duration) {
      // The run's end, between two sample times: the timeline (and the chart) end where the table's figures do.
      timeline.add(sample(duration));
    }
    int stillBroken = 0;
    for (int i = 0; i < n; i++) {
      if (has(i, CRASHED_ON_CANDIDATE) && running(i)) {
        stillBroken++;
      }
    }
    return new SimulationReport.Run(ringfence, outcome, duration, n - countOffline(), everExposed, peakExposed,
        exposedAtHalt, firstFailureSignalAt, exposedAtSecondFailureSignal, haltAt, crashedOnCandidate, backgroundCrashes, plannedRestarts, refused,
        backBy[BACK_AGENT], backBy[BACK_SERVER], backBy[BACK_VENDOR], stillBroken, revertUnavailable,
        stragglers.size(), stragglers.subList(0, Math.min(20, stragglers.size())),
        ringfence ? signalCounts() : Map.of(), transitions, verdicts, ringOpenings,
        FailureBreakdown.of(traits::attributes, n, i -> has(i, EXPOSED_EVER),
            i -> has(i, CRASHED_ON_CANDIDATE | REFUSED) || back(i) == BACK_AGENT),
        timeline, deferredGroups());
  }

  /** What each deferral entry that deferred some endpoints did to them; empty without deferrals. */
  private List<SimulationReport.DeferredGroup> deferredGroups() {
    List<SimulationReport.DeferredGroup> out = new ArrayList<>();
    if (groupOf == null || !ringfence) {
      return out;
    }
    ownEntry(rollout().id()); // the entries' rollout ids, and no start seen yet for a group without one
    for (int g = 0; g < deferrals.entries().size(); g++) {
      if (!groupsInUse.get(g)) {
        continue;
      }
      int members = 0;
      int exposed = 0;
      int atEnd = 0;
      for (int i = 0; i < n; i++) {
        if (groupOf[i] == g && !has(i, OFFLINE)) {
          members++;
          exposed += has(i, EXPOSED_EVER) ? 1 : 0;
          atEnd += running(i) ? 1 : 0;
        }
      }
      Deferral d = deferrals.entries().get(g);
      String ownId = Deferrals.childId(rollout().id(), d);
      Rollout own = d.previousRelease() ? null
          : world().rollouts().stream().filter(x -> x.id().equals(ownId)).findFirst().orElse(null);
      out.add(new SimulationReport.DeferredGroup(d.toString(), members,
          mainCompletedAt < 0 ? 0 : onCandidateWhenMainCompleted[g], mainCompletedAt, own == null ? null : own.id(),
          own == null ? -1 : ownStartedAt[g], own == null ? null : own.state().name(), exposed, atEnd));
    }
    return out;
  }

  private Map<String, Long> signalCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (IngestResult r : IngestResult.values()) {
      counts.put(r.name().toLowerCase(java.util.Locale.ROOT), signals[r.ordinal()]);
    }
    counts.put("lost", lost);
    counts.put("unreachable", unreachable);
    return counts;
  }

  private int countOffline() {
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (has(i, OFFLINE)) {
        c++;
      }
    }
    return c;
  }

  private RolloutEngine engine() {
    return world().engine();
  }

  private Rollout rollout() {
    return world().rollout();
  }

  private SimulatedWorld world() {
    return present(world, "engine");
  }

  /** Set up by {@link #setUpEngineAndReleases()}, which only the run with Ringfence calls. */
  private static <T> T present(@Nullable T value, String what) {
    if (value == null) {
      throw new IllegalStateException("no " + what + ": only the run with Ringfence has one");
    }
    return value;
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 4, d.getSeconds()));
  }
}
