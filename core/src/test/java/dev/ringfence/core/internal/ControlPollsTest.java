package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.core.testing.FlakyStore;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control sample's polls beyond the sample threshold: queued on the decision path, observed in batches by the
 * tick, by a report, and by the poll that finds its stripe full, each exactly once and as if at its poll.
 */
class ControlPollsTest {

  /** Attributes of their own stratum, so that a track made without them (stratum 0) is told apart. */
  private static final EndpointAttributes LINUX = EndpointAttributes.builder().os("linux").osBuild("6.8")
      .region("us-east").tier("standard").build();

  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  private final RolloutEngine engine = Fixtures.engine(clock, FlakyStore.inMemory(), new ScriptedGate());
  private final RolloutRuntime rollout = (RolloutRuntime) engine.createRollout(
      Fixtures.spec("r1", Fixtures.fourRings()));
  private final int salt = rollout.spec().salt();
  private final int holdbackFrom = Cohort.BUCKETS - RolloutEngineConfig.DEFAULT_CONTROL_HOLDBACK;
  private ExecutorService pool;

  @AfterEach
  void stopPool() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  /**
   * Starts the rollout and has enough baseline endpoints poll that the control arm is sampled from then on; none of
   * them in the first ring, whose cap stays free.
   */
  private void fillTheControlArm() {
    rollout.start();
    for (int i = 0; rollout.health().control.size() < HealthTracker.CONTROL_SAMPLE_FROM; i++) {
      String id = "fill-" + i;
      if (Cohort.bucket(id, salt) >= 100) {
        assertThat(rollout.decide(id, Fixtures.WINDOWS, 41).kind()).isEqualTo(Kind.STAY);
      }
    }
  }

  /** New ids in the control sample (one bucket in eight, outside the first ring), never polled before. */
  private List<String> sampledIds(String prefix, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; ids.size() < count; i++) {
      String id = prefix + i;
      int bucket = Cohort.bucket(id, salt);
      if (bucket % HealthTracker.CONTROL_SAMPLE_STRIDE == 0 && bucket >= 100 && bucket < holdbackFrom) {
        ids.add(id);
      }
    }
    return ids;
  }

  private Track control(String id) {
    return rollout.health().control.get(id);
  }

  @Test
  void belowTheSampleThreshold_aPollIsObservedAtOnce() {
    rollout.start();
    String id = sampledIds("small-", 1).get(0);
    assertThat(rollout.decide(id, LINUX, 41).kind()).isEqualTo(Kind.STAY);
    assertThat(rollout.controlPolls().queued()).isZero();
    assertThat(control(id)).isNotNull();
    assertThat(control(id).stratum()).isEqualTo(rollout.health().stratum(LINUX));
  }

  @Test
  void beyondIt_aSampledPollIsQueued_andTheTickMakesItsTrackFromThePoll_beforeItCountsAnything() {
    fillTheControlArm();
    int before = rollout.health().control.size();
    String id = sampledIds("late-", 1).get(0);
    assertThat(rollout.decide(id, LINUX, 41).kind()).isEqualTo(Kind.STAY);
    assertThat(rollout.controlPolls().queued()).isEqualTo(1);
    assertThat(control(id)).as("not looked up on the decision path").isNull();

    clock.advance(Duration.ofSeconds(1));
    engine.tick();

    assertThat(rollout.controlPolls().queued()).isZero();
    Track track = control(id);
    assertThat(track).isNotNull();
    assertThat(track.stratum()).as("the poll's attributes").isEqualTo(rollout.health().stratum(LINUX));
    assertThat(track.status()).isEqualTo(Track.PENDING);
    assertThat(track.lastSeenMillis()).as("at risk from the tick that observed it")
        .isEqualTo(clock.instant().toEpochMilli());
    assertThat(rollout.health().control.size()).isEqualTo(before + 1);
  }

  @Test
  void aReportBeforeTheTick_findsItsPollObserved_withItsAttributes() {
    fillTheControlArm();
    String id = sampledIds("late-", 1).get(0);
    rollout.decide(id, LINUX, 41);
    assertThat(control(id)).isNull();

    rollout.ingest(new Heartbeat(id, 1, 1, 41, 0));

    Track track = control(id);
    assertThat(track).isNotNull();
    assertThat(track.stratum()).as("made from the queued poll, not from the report alone (stratum 0)")
        .isEqualTo(rollout.health().stratum(LINUX));
    assertThat(track.status()).isEqualTo(Track.HEALTHY);
    assertThat(rollout.controlPolls().queued()).isZero();
  }

  @Test
  void pollsBeyondAStripe_areDrainedByThePollThatFindsItFull_noneLost() {
    fillTheControlArm();
    int before = rollout.health().control.size();
    List<String> ids = sampledIds("late-", 10 * ControlPolls.STRIPE_CAPACITY + 7);
    for (String id : ids) {
      rollout.decide(id, LINUX, 41);
    }
    long queued = rollout.controlPolls().queued();
    assertThat(queued).as("one thread fills one stripe at most").isBetween(1L, (long) ControlPolls.STRIPE_CAPACITY);
    assertThat(rollout.health().control.size()).as("the rest were observed in batches")
        .isEqualTo(before + ids.size() - (int) queued);

    engine.tick();

    assertThat(rollout.health().control.size()).isEqualTo(before + ids.size());
    for (String id : ids) {
      assertThat(control(id)).as(id).isNotNull();
    }
  }

  @Test
  void aRepeatedPoll_makesOneTrack() {
    fillTheControlArm();
    int before = rollout.health().control.size();
    String id = sampledIds("late-", 1).get(0);
    for (int i = 0; i < 3 * ControlPolls.STRIPE_CAPACITY; i++) {
      rollout.decide(id, LINUX, 41);
    }
    engine.tick();
    assertThat(rollout.health().control.size()).isEqualTo(before + 1);
  }

  /** Held while paused, admitted after a resume, both before the tick: its control track ends at once. */
  @Test
  void anEndpointAdmittedWhileItsPollIsQueued_endsItsControlTrack() {
    fillTheControlArm();
    String id = null;
    for (int i = 0; id == null; i++) {
      String candidate = "canary-" + i;
      int bucket = Cohort.bucket(candidate, salt);
      if (bucket < 100 && bucket % HealthTracker.CONTROL_SAMPLE_STRIDE == 0) {
        id = candidate;
      }
    }
    rollout.pause("looking");
    assertThat(rollout.decide(id, LINUX, 41).kind()).isEqualTo(Kind.HOLD);
    assertThat(rollout.controlPolls().queued()).isEqualTo(1);
    rollout.resume("looked");
    assertThat(rollout.decide(id, LINUX, 41).kind()).isEqualTo(Kind.OFFER);

    engine.tick();

    assertThat(control(id)).isNotNull();
    assertThat(control(id).status()).as("observed as a candidate from its admission").isEqualTo(Track.CENSORED);
  }

  @Test
  void concurrentPollsAndDrains_observeEveryPollOnce() throws Exception {
    fillTheControlArm();
    int before = rollout.health().control.size();
    int threads = 4;
    int perThread = 5_000;
    List<String> ids = sampledIds("par-", threads * perThread);
    pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean deciding = new AtomicBoolean(true);
    List<Future<?>> deciders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<String> mine = ids.subList(t * perThread, (t + 1) * perThread);
      deciders.add(pool.submit(() -> {
        go.await();
        for (String id : mine) {
          rollout.decide(id, LINUX, 41);
          rollout.decide(id, LINUX, 41); // and again: still one track
        }
        return null;
      }));
    }
    Future<Integer> drainer = pool.submit(() -> {
      go.await();
      int drains = 0;
      for (int i = 0; i < 1_000_000 && deciding.get(); i++) { // bounded
        rollout.controlPolls().drain();
        drains++;
      }
      return drains;
    });
    go.countDown();
    for (Future<?> f : deciders) {
      f.get(60, TimeUnit.SECONDS);
    }
    deciding.set(false);
    assertThat(drainer.get(60, TimeUnit.SECONDS)).isPositive();
    engine.tick();

    assertThat(rollout.controlPolls().queued()).isZero();
    assertThat(rollout.health().control.size()).isEqualTo(before + ids.size());
    int linux = rollout.health().stratum(LINUX);
    for (String id : ids) {
      Track track = control(id);
      assertThat(track).as(id).isNotNull();
      assertThat(track.stratum()).as(id).isEqualTo(linux);
    }
  }
}
