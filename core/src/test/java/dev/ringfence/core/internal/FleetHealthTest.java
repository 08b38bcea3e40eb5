package dev.ringfence.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.Cohort;
import dev.ringfence.core.health.ArmStats;
import dev.ringfence.core.health.HazardComparison;
import dev.ringfence.core.store.HealthShare;
import dev.ringfence.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merge of other replicas' health: by stratum key, totals that never shrink, stopped replicas expired. */
class FleetHealthTest {

  private static final int RINGS = 2;
  private static final int CELLS = (RINGS + 1) * Track.STATUSES;
  private static final String US_LINUX = "us-east\u0000linux\u0000standard";
  private static final String EU_WINDOWS = "eu-west\u0000windows\u0000standard";
  private static final Duration EXPIRY = Duration.ofSeconds(15);

  private final ManualClock clock = ManualClock.at("2026-12-10T10:00:00Z");
  private final HealthTracker tracker = new HealthTracker(RINGS, 180_000, new TrackTable(), new Timeline(clock),
      Cohort.BUCKETS);

  /** One stratum's counts of another replica, with {@code healthy} candidate endpoints of ring 0. */
  private static HealthCounts other(String key, long candidateFailures, long candidateAtRisk, long controlAtRisk,
      long healthy) {
    long[] outcomes = new long[CELLS];
    outcomes[Track.HEALTHY] = healthy;
    outcomes[Track.CRASHED] = candidateFailures;
    return new HealthCounts(new String[] {"", key}, new long[] {0, candidateFailures}, new long[2],
        new long[] {0, candidateAtRisk}, new long[] {0, controlAtRisk}, outcomes, 0);
  }

  private HealthShare share(HealthCounts counts, Instant publishedAt) {
    return new HealthShare("r", "replica-b", publishedAt, FleetHealth.encode(counts));
  }

  /** A tick ten seconds on (within the expiry of a share published now), with the other replica's shares. */
  private void tick(HealthShare... others) {
    clock.advance(Duration.ofSeconds(10));
    long now = clock.instant().toEpochMilli();
    FleetHealth.record(tracker, "r", now, tracker.collect(), List.of(others), clock.instant(), EXPIRY, CELLS);
  }

  private HazardComparison hazard() {
    return tracker.hazard(1.25, 0.01);
  }

  @Test
  void encode_thenDecode_keepsEveryCountByKey() {
    HealthCounts counts = other(US_LINUX, 3, 40, 900, 37);
    HealthCounts back = FleetHealth.decode(FleetHealth.encode(counts), CELLS);
    assertThat(back.keys).containsExactly(US_LINUX); // stratum 0 had nothing: left out
    assertThat(back.candidateFailures).containsExactly(3);
    assertThat(back.candidateAtRisk).containsExactly(40);
    assertThat(back.controlAtRisk).containsExactly(900);
    assertThat(back.outcomes).containsExactly(counts.outcomes);
  }

  @Test
  void decode_badShare_namesTheFieldAndReason() {
    assertThatThrownBy(() -> FleetHealth.decode("{\"v\":2}", CELLS)).hasMessageStartingWith("health.v:");
    assertThatThrownBy(() -> FleetHealth.decode("{\"v\":1,\"strata\":[],\"outcomes\":[1]}", CELLS))
        .hasMessageStartingWith("health.outcomes: must be an array of 24 counts");
    String negative = FleetHealth.encode(other(US_LINUX, 3, 40, 900, 37)).replace("\"candidateAtRisk\":40",
        "\"candidateAtRisk\":-1");
    assertThatThrownBy(() -> FleetHealth.decode(negative, CELLS))
        .hasMessage("health.strata[0].candidateAtRisk: must be a count (a whole number, 0 or more), found -1");
    assertThatThrownBy(() -> FleetHealth.decode("[", CELLS)).hasMessageStartingWith("health: not JSON");
  }

  @Test
  void stratumOnlyAnotherReplicaHas_isJudgedUnderItsKey() {
    int here = tracker.stratum(EU_WINDOWS); // this replica knows a different stratum only
    tick(share(other(US_LINUX, 0, 40, 900, 0), clock.instant()));
    tick(share(other(US_LINUX, 6, 34, 900, 34), clock.instant()));
    assertThat(tracker.stratum(US_LINUX)).as("the key got a stratum of its own here").isNotIn(0, here);
    assertThat(hazard().candidateFailures()).isEqualTo(6);
    assertThat(hazard().candidateHostHours()).as("the other replica's time at risk").isGreaterThan(0);
    assertThat(tracker.arm(HealthTracker.ARM_CANDIDATE)).isEqualTo(new ArmStats(34, 6, 0, 0, 0));
  }

  @Test
  void stoppedReplica_keepsItsFailures_dropsItsEndpointsAtRiskAndOutcomes() {
    Instant published = clock.instant();
    tick(share(other(US_LINUX, 0, 40, 900, 0), published));
    tick(share(other(US_LINUX, 6, 34, 900, 34), clock.instant()));
    HealthShare last = share(other(US_LINUX, 6, 34, 900, 34), clock.instant());
    tick(last);
    double hoursWhileLive = hazard().candidateHostHours();
    clock.advance(EXPIRY); // the replica stops publishing: its last share ages past the expiry
    tick(last);
    double hoursAtExpiry = hazard().candidateHostHours();
    tick(last);
    assertThat(hazard().candidateFailures()).as("failures stay counted").isEqualTo(6);
    assertThat(hazard().candidateHostHours()).as("no more time at risk after the expiry")
        .isEqualTo(hoursAtExpiry).isGreaterThan(hoursWhileLive);
    assertThat(tracker.arm(HealthTracker.ARM_CANDIDATE)).as("its endpoints are tracked elsewhere now")
        .isEqualTo(ArmStats.EMPTY);
  }

  @Test
  void lostShare_neverMakesTotalsShrink_andLaterFailuresStillCount() {
    tick(share(other(US_LINUX, 0, 40, 900, 0), clock.instant()));
    tick(share(other(US_LINUX, 5, 35, 900, 0), clock.instant()));
    tick(); // the share is gone (unreadable, say): the sum drops by 5, which is no negative batch
    assertThat(hazard().candidateFailures()).isEqualTo(5);
    tick(share(other(US_LINUX, 5, 35, 900, 0), clock.instant()));
    assertThat(hazard().candidateFailures()).as("back: not counted twice").isEqualTo(5);
    tick(share(other(US_LINUX, 7, 33, 900, 0), clock.instant()));
    assertThat(hazard().candidateFailures()).isEqualTo(7);
  }

  @Test
  void unreadableShare_isLeftOut_andTheTickGoesOn() {
    tick(new HealthShare("r", "replica-c", clock.instant(), "{\"v\":99}"),
        share(other(US_LINUX, 2, 40, 900, 0), clock.instant()));
    assertThat(hazard().candidateFailures()).isEqualTo(2);
  }
}
