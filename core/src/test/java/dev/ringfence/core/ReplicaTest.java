package dev.ringfence.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.gate.Verdict.Outcome;
import dev.ringfence.core.plan.HeldTierCanary;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.core.testing.SharedStore;
import dev.ringfence.protocol.Decision.Kind;
import dev.ringfence.protocol.Decision;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two engines (replicas) over one shared store: halts spread, caps hold across both, stale views hold. */
class ReplicaTest {

  private final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  private final SharedStore store = new SharedStore();
  private final ScriptedGate gate = new ScriptedGate();
  private RolloutEngine a;
  private RolloutEngine b;
  private final List<String> fleet = IntStream.range(0, 20_000).mapToObj(i -> "h" + i).collect(Collectors.toList());

  private RolloutEngine replica() {
    return RolloutEngine.create(RolloutEngineConfig.custom().clock(clock).store(store)
        .stalenessBound(Duration.ofSeconds(5)).gate(ScriptedGate.TYPE, spec -> gate).build());
  }

  @BeforeEach
  void setUp() {
    a = replica();
    b = replica();
    a.createRollout(Fixtures.spec("r", Fixtures.fourRings())).start();
    b.tick(); // b learns about the rollout created on a
  }

  private Set<String> offered(RolloutEngine engine, List<String> ids) {
    Set<String> out = new HashSet<>();
    for (String id : ids) {
      if (engine.decide("r", id, Fixtures.WINDOWS, 41).kind() == Kind.OFFER) {
        out.add(id);
      }
    }
    return out;
  }

  @Test
  void aRolloutAdoptedFromAnotherReplica_hasItsTransitionsToldToThisReplicasListeners() {
    RolloutEngine c = replica();
    List<String> heard = new java.util.ArrayList<>();
    c.events().onTransition(t -> heard.add(t.rolloutId() + ":" + t.trigger()));
    a.createRollout(Fixtures.spec("r2", Fixtures.fourRings())).start();
    c.tick(); // c meets r (started before c existed: recovered, not adopted) and r2, created and started since
    assertThat(heard).as("r2's transitions, as a catch-up would tell them").containsExactly("r2:START");
    c.tick();
    assertThat(heard).as("told once").containsExactly("r2:START");
  }

  @Test
  void rolloutCreatedOnOneReplica_isServedByTheOther() {
    assertThat(b.rollout("r").state()).isEqualTo(RolloutState.RUNNING);
    assertThat(offered(b, fleet)).isNotEmpty();
  }

  @Test
  void capHoldsAcrossReplicas_andAdmissionsStaySticky() {
    Set<String> fromA = offered(a, fleet.subList(0, 10_000));
    Set<String> fromB = offered(b, fleet.subList(10_000, 20_000));
    assertThat(fromA.size() + fromB.size()).isEqualTo(50); // the canary cap, shared
    // An endpoint admitted on one replica is offered on the other too.
    String first = fromA.iterator().next();
    assertThat(b.decide("r", first, Fixtures.WINDOWS, 42).kind()).isEqualTo(Kind.OFFER);
  }

  @Test
  void heldTiersCanaryCap_holdsAcrossReplicas() {
    Plan plan = Fixtures.heldCritical("held").heldTierCanary("critical", HeldTierCanary.ofDefaults().withCap(7)).build();
    a.createRollout(Fixtures.spec("held", plan)).start();
    for (int ring = 0; ring < 2; ring++) {
      gate.answer(Outcome.PASS);
      clock.advance(Duration.ofMinutes(31));
      a.tick();
    }
    b.tick();
    assertThat(b.rollout("held").status().ringName()).isEqualTo("held:critical:canary");
    EndpointAttributes critical = EndpointAttributes.builder().os("windows").tier("critical").build();
    int admitted = 0;
    for (int i = 0; i < fleet.size(); i++) {
      RolloutEngine replica = i % 2 == 0 ? a : b;
      if (replica.decide("held", fleet.get(i), critical, 41).kind() == Kind.OFFER) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(7);
    assertThat(store.read("held").stream().filter(e -> e instanceof JournalEntry.Admitted x && x.ringIndex() == 2))
        .hasSize(7);
  }

  @Test
  void haltOnOneReplica_stopsOffersOnTheOtherAtItsNextTick() {
    Set<String> exposed = offered(a, fleet);
    a.rollout("r").halt("bad content");
    b.tick();
    assertThat(b.rollout("r").state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(offered(b, fleet)).isEmpty();
    String one = exposed.iterator().next();
    assertThat(b.decide("r", one, Fixtures.WINDOWS, 42).kind()).isEqualTo(Kind.REVERT);
  }

  @Test
  void replicaThatHasNotCaughtUp_holdsInsteadOfOffering_onceItsViewIsStale() {
    String exposed = offered(a, fleet.subList(0, 1_000)).iterator().next(); // about 10 of the cap of 50
    a.rollout("r").pause("looking into it");
    // b has not ticked since; within the staleness bound it still serves its view (RUNNING)...
    clock.advance(Duration.ofSeconds(4));
    assertThat(offered(b, fleet.subList(1_000, 20_000))).isNotEmpty();
    // ...past the bound it holds rather than risk offering a halted candidate.
    clock.advance(Duration.ofSeconds(2));
    assertThat(offered(b, fleet)).isEmpty();
    assertThat(b.decide("r", exposed, Fixtures.WINDOWS, 42).reason()).contains("has not seen the shared store");
  }

  @Test
  void haltOnOneReplica_theSharedStoreRefusesTheOthersAdmissions_beforeItCatchesUp() {
    a.rollout("r").halt("bad content");
    // b has not ticked since, and its view is fresh: it still says RUNNING, but the store knows better.
    assertThat(b.rollout("r").state()).isEqualTo(RolloutState.RUNNING);
    assertThat(offered(b, fleet)).isEmpty();
  }

  @Test
  void sharedStoreDown_replicaHoldsOnceStale_andCatchesUpWhenItReturns() {
    store.down(true);
    clock.advance(Duration.ofSeconds(10));
    b.tick(); // cannot refresh
    assertThat(offered(b, fleet)).isEmpty();
    store.down(false);
    b.tick();
    assertThat(offered(b, fleet)).isNotEmpty();
  }

  @Test
  void pauseRacingAnotherReplicasPause_catchesUp_andIsPaused() {
    offered(a, fleet);
    a.rollout("r").pause("stop-all through replica a"); // b has not seen this transition yet
    b.rollout("r").pause("stop-all through replica b"); // conflicts on sequence, catches up: paused already
    assertThat(b.rollout("r").state()).isEqualTo(RolloutState.PAUSED);
    assertThat(store.read("r").stream().filter(e -> e instanceof JournalEntry.Transitioned t
        && t.to() == RolloutState.PAUSED)).as("one pause journaled, not two").hasSize(1);
  }

  @Test
  void pauseRacingAnotherReplicasHalt_catchesUp_andIsRefusedAsATransition() {
    offered(a, fleet);
    a.rollout("r").halt("operator on replica a"); // b has not seen this transition yet
    assertThatThrownBy(() -> b.rollout("r").pause("looking at a ticket"))
        .isInstanceOf(IllegalStateTransitionException.class);
    assertThat(b.rollout("r").state()).isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void haltRacingAnotherReplicasTransition_stillHalts() {
    offered(a, fleet);
    a.rollout("r").pause("looking at a ticket"); // b has not seen this transition yet
    b.rollout("r").halt("operator on replica b"); // conflicts on sequence, catches up, halts
    assertThat(b.rollout("r").state()).isEqualTo(RolloutState.ROLLING_BACK);
    a.tick();
    assertThat(a.rollout("r").state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThatThrownBy(() -> a.rollout("r").resume("no")).isInstanceOf(IllegalStateTransitionException.class);
  }
}
