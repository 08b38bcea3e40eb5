package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.HeldTierCanary;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.JournalFormat;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.core.store.RolloutStores;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A held tier gets its own capped, gated canary ring after the plan's last ring, and only then the rest. */
class HeldTierCanaryTest extends EngineFixture {

  private static final int FLEET = 20_000;
  private static final long CANARY_CAP = 5;
  private static final EndpointAttributes CRITICAL = EndpointAttributes.builder().os("windows").osBuild("22631")
      .region("eu-west").tier("critical").build();

  private final Rollout rollout = engine.createRollout(Fixtures.spec("held", plan()));
  private final Cohort cohort = Cohort.withSalt(rollout.spec().salt());

  private static Plan plan() {
    return Fixtures.heldCritical("held")
        .heldTierCanary("critical", HeldTierCanary.ofDefaults().withCap(CANARY_CAP).withBakeTime(Duration.ofMinutes(20)))
        .build();
  }

  private static List<String> fleet() {
    return IntStream.range(0, FLEET).mapToObj(i -> "host-" + i).collect(Collectors.toList());
  }

  /** The critical tier's endpoints: other ids than {@link #fleet()}'s, since an endpoint keeps its tier. */
  private static List<String> hospitals() {
    return IntStream.range(0, FLEET).mapToObj(i -> "hospital-" + i).collect(Collectors.toList());
  }

  private List<String> offered(List<String> ids, EndpointAttributes attributes) {
    List<String> result = new ArrayList<>();
    for (String id : ids) {
      if (rollout.decide(id, attributes, 41).kind() == Kind.OFFER) {
        result.add(id);
      }
    }
    return result;
  }

  private void pass(Duration bake) {
    gate.answer(Outcome.PASS);
    clock.advance(bake.plusMinutes(1));
    engine.tick();
  }

  @Test
  void heldTier_waitsThroughTheLastRing_thenGetsACappedCanary_thenTheRest() {
    rollout.start();
    assertThat(offered(hospitals(), CRITICAL)).isEmpty();
    pass(Duration.ofMinutes(30));
    assertThat(rollout.status().ringName()).isEqualTo("all");
    // The last ring is open: before held tiers were canaried, the whole tier was admitted here.
    String inLastRing = hospitals().stream().filter(id -> cohort.bucket(id) < 1000).findFirst().orElseThrow();
    Decision held = rollout.decide(inLastRing, CRITICAL, 41);
    assertThat(held.kind()).isEqualTo(Kind.STAY);
    assertThat(held.reason()).contains("held").contains("canary");
    assertThat(offered(hospitals(), CRITICAL)).isEmpty();
    List<String> standard = offered(fleet(), Fixtures.WINDOWS);

    pass(Duration.ofMinutes(30));
    assertThat(rollout.status().ringName()).isEqualTo("held:critical:canary");
    assertThat(rollout.status().ringIndex()).isEqualTo(2);
    List<String> canary = offered(hospitals(), CRITICAL);
    assertThat(canary).hasSize((int) CANARY_CAP);
    assertThat(canary).allSatisfy(id -> assertThat(cohort.bucket(id)).isLessThan(HeldTierCanary.DEFAULT_SHARE));
    Decision first = rollout.decide(canary.get(0), CRITICAL, 41);
    assertThat(first.ringName()).isEqualTo("held:critical:canary");
    String outsideCanary = hospitals().stream().filter(id -> cohort.bucket(id) >= 100 && cohort.bucket(id) < 1000)
        .findFirst().orElseThrow();
    assertThat(rollout.decide(outsideCanary, CRITICAL, 41).reason()).contains("outside its canary");
    String waiting = hospitals().stream().filter(id -> cohort.bucket(id) < 100 && !canary.contains(id)).findFirst()
        .orElseThrow();
    assertThat(rollout.decide(waiting, CRITICAL, 41).kind()).isEqualTo(Kind.HOLD);
    // An endpoint of no held tier that asks first now comes in under the plan's last ring, not the tier's cap.
    String late = IntStream.range(0, FLEET).mapToObj(i -> "late-" + i).filter(id -> cohort.bucket(id) < 1000)
        .findFirst().orElseThrow();
    Decision lateDecision = rollout.decide(late, Fixtures.WINDOWS, 41);
    assertThat(lateDecision.kind()).isEqualTo(Kind.OFFER);
    assertThat(lateDecision.ringName()).isEqualTo("all");
    assertThat(rollout.status().exposedPerRing()).containsExactly(0L, standard.size() + 1L, CANARY_CAP, 0L);

    pass(Duration.ofMinutes(20));
    assertThat(rollout.status().ringName()).isEqualTo("held:critical");
    List<String> all = offered(hospitals(), CRITICAL);
    assertThat(all).containsAll(canary);
    assertThat(new HashSet<>(all)).isEqualTo(hospitals().stream().filter(id -> cohort.bucket(id) < 1000
        && cohort.bucket(id) < Cohort.BUCKETS - 100).collect(Collectors.toSet()));
    assertThat(rollout.decide(waiting, CRITICAL, 41).ringName()).isEqualTo("held:critical");
    pass(Duration.ofMinutes(30));
    assertThat(rollout.state()).isEqualTo(RolloutState.COMPLETED);
  }

  @Test
  void heldCanaryFailing_haltsBeforeTheRestOfTheTier_withNoMoreThanTheCapExposed() {
    rollout.start();
    pass(Duration.ofMinutes(30));
    pass(Duration.ofMinutes(30));
    List<String> canary = offered(hospitals(), CRITICAL);
    gate.answer(Outcome.FAIL);
    engine.tick();
    assertThat(rollout.state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(offered(hospitals(), CRITICAL)).isEmpty();
    long criticalAdmitted = store.read("held").stream().filter(e -> e instanceof JournalEntry.Admitted a
        && a.ringIndex() >= 2).count();
    assertThat(criticalAdmitted).isEqualTo(canary.size()).isEqualTo(CANARY_CAP);
  }

  @Test
  void heldCanary_afterARestart_keepsItsRingAndItsCap() {
    rollout.start();
    pass(Duration.ofMinutes(30));
    pass(Duration.ofMinutes(30));
    List<String> canary = offered(hospitals().subList(0, 10_000), CRITICAL);
    // Through the journal's bytes, as a durable store keeps them: the canary settings must survive the trip.
    RolloutStore reread = RolloutStores.inMemory();
    store.read("held").forEach(e -> reread.append(JournalFormat.decode(JournalFormat.encode(e))));
    RolloutEngine restarted = Fixtures.engine(clock, reread, gate);
    Rollout again = restarted.rollout("held");
    assertThat(again.spec().plan()).isEqualTo(plan());
    assertThat(again.spec().plan().heldTierCanary("critical").cap()).isEqualTo(CANARY_CAP);
    assertThat(again.status().ringName()).isEqualTo("held:critical:canary");
    for (String id : hospitals()) {
      Decision d = again.decide(id, CRITICAL, 41);
      assertThat(d.kind() == Kind.OFFER).as(id).isEqualTo(canary.contains(id));
    }
    assertThat(again.status().exposedPerRing().get(2)).isEqualTo(CANARY_CAP);
  }

  @Test
  void heldCanary_eightThreads_neverAdmitMoreThanItsCap_andStaySticky() throws Exception {
    rollout.start();
    pass(Duration.ofMinutes(30));
    pass(Duration.ofMinutes(30));
    String[] ids = hospitals().toArray(new String[0]);
    Set<String> offered = ConcurrentHashMap.newKeySet();
    List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
    Fixtures.inParallel(8, 7000, Duration.ofMinutes(2), random -> {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 50_000; i++) {
        boolean critical = random.nextBoolean();
        String id = (critical ? "" : "host-") + ids[random.nextInt(ids.length)];
        Decision d = rollout.decide(id, critical ? CRITICAL : Fixtures.WINDOWS, 41);
        if (d.kind() == Kind.OFFER && d.ringIndex() == 2) {
          offered.add(id);
          seen.add(id);
        } else if (seen.contains(id) && d.kind() != Kind.OFFER) {
          violations.add(id + " was offered, then told " + d.kind());
        }
      }
    });
    assertThat(violations).isEmpty();
    assertThat(offered).hasSize((int) CANARY_CAP);
    assertThat(rollout.status().exposedPerRing().get(2)).isEqualTo(CANARY_CAP);
  }

  @Test
  void createRollout_canaryGateNotRegistered_refusedWithTheCanarysPath() {
    Plan plan = Fixtures.heldCritical("held-unknown-gate")
        .heldTierCanary("critical", HeldTierCanary.ofDefaults().withGate(GateSpec.of("promethues")))
        .build();

    assertThat(org.junit.jupiter.api.Assertions.assertThrows(dev.ringfence.core.plan.InvalidPlanException.class,
        () -> engine.createRollout(Fixtures.spec("unknown-gate", plan))).problems()).singleElement().asString()
        .startsWith("heldTierCanaries.critical.gate.type: 'promethues' is not registered with this engine");
  }

  @Test
  void sameCalls_giveTheSameDecisionsAndJournal() {
    List<String> first = drive(RolloutStores.inMemory());
    List<String> second = drive(RolloutStores.inMemory());
    assertThat(second).isEqualTo(first);
  }

  private List<String> drive(RolloutStore own) {
    ManualClock c = ManualClock.at("2026-11-23T10:00:00Z");
    ScriptedGate g = new ScriptedGate();
    RolloutEngine e = Fixtures.engine(c, own, g);
    Rollout r = e.createRollout(Fixtures.spec("held", plan()));
    List<String> log = new ArrayList<>();
    r.start();
    SplittableRandom random = new SplittableRandom(17);
    for (int step = 0; step < 4; step++) {
      for (int i = 0; i < 3000; i++) {
        boolean critical = random.nextInt(10) == 0;
        String id = (critical ? "hospital-" : "host-") + random.nextInt(FLEET);
        Decision d = r.decide(id, critical ? CRITICAL : Fixtures.WINDOWS, 41);
        log.add(id + " " + d.kind() + " " + d.ringName());
      }
      g.answer(Outcome.PASS);
      c.advance(Duration.ofMinutes(31));
      e.tick();
    }
    own.read("held").forEach(entry -> log.add(entry.toString()));
    return log;
  }
}
