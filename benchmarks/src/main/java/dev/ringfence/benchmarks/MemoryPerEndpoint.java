package dev.ringfence.benchmarks;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.core.RolloutEngineConfig;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.health.IngestResult;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Plan;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.protocol.Decision;
import dev.ringfence.protocol.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * Bytes the engine keeps per tracked endpoint, measured with JOL on the live object graph.
 *
 * <p>For N endpoints: a rollout whose last ring (100%) is open, every endpoint decided once (OFFER: it is
 * admitted, with its ring and silence deadline) and sent one heartbeat (its last sequence and health
 * status). Then {@code GraphLayout.parseInstance(engine)} minus the same for an engine whose rollout
 * tracks nobody, divided by N. The endpoint id strings are the caller's (it passes them in and keeps
 * them), so they are subtracted from the graph. The engine's store is measured apart: the default
 * in-memory store keeps every journal entry (one per admission) on the heap, whereas a file or
 * PostgreSQL store keeps them on disk, so "tracked state" is the engine graph without the store.
 *
 * <p>Usage: {@code java -Xmx16g -Djdk.attach.allowAttachSelf=true -cp benchmarks.jar
 * dev.ringfence.benchmarks.MemoryPerEndpoint 1000000 10000000}
 */
public final class MemoryPerEndpoint {

  private static final EndpointAttributes ATTRIBUTES = EndpointAttributes.builder().os("windows").build();

  private MemoryPerEndpoint() {
  }

  /**
   * Measures each endpoint count given.
   *
   * @param args endpoint counts
   */
  public static void main(String[] args) {
    int[] counts = args.length == 0 ? new int[] {1_000_000} : new int[args.length];
    for (int i = 0; i < args.length; i++) {
      counts[i] = Integer.parseInt(args[i]);
    }
    System.out.printf(Locale.ROOT, "java %s, %s, max heap %d MiB%n", System.getProperty("java.version"),
        System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() >> 20);
    Setup empty = setUp(new String[0]);
    Sizes base = measure(empty, new String[0]);
    System.out.printf(Locale.ROOT, "empty engine: %,d B tracked state, %,d B store%n", base.tracked, base.store);
    for (int count : counts) {
      String[] ids = new String[count];
      for (int i = 0; i < count; i++) {
        ids[i] = "endpoint-" + i;
      }
      Setup setup = setUp(ids);
      Sizes sizes = measure(setup, ids);
      System.out.printf(Locale.ROOT, "%,d endpoints: %,d B tracked state -> %.1f B per endpoint;"
              + " in-memory store journal %.1f B per endpoint more; ids (the caller's, excluded) %.1f B per endpoint%n",
          count, sizes.tracked - base.tracked, (double) (sizes.tracked - base.tracked) / count,
          (double) (sizes.store - base.store) / count, (double) sizes.ids / count);
      if (Boolean.getBoolean("footprint")) {
        System.out.println(sizes.footprint);
      }
      setup = null;
      System.gc();
    }
  }

  private record Setup(RolloutEngine engine, RolloutStore store) {
  }

  private record Sizes(long tracked, long store, long ids, String footprint) {
  }

  private static Setup setUp(String[] ids) {
    MemoryBenchmarkClock clock = new MemoryBenchmarkClock(Instant.parse("2026-11-23T10:00:00Z"));
    RolloutEngineConfig config = RolloutEngineConfig.custom().clock(clock).build();
    RolloutEngine engine = RolloutEngine.create(config);
    Plan plan = Plan.builder("memory")
        .ring(Ring.named("canary").share(100).cap(10_000).bakeTime(Duration.ofMinutes(30)).gate(GateSpec.timeAndSample()).build())
        .ring(Ring.named("early").share(1000).bakeTime(Duration.ofMinutes(30)).gate(GateSpec.timeAndSample()).build())
        .ring(Ring.named("all").share(10_000).bakeTime(Duration.ZERO).gate(GateSpec.timeAndSample()).build())
        .build();
    Rollout rollout = engine.createRollout(RolloutSpec.builder("memory").channel("memory").baseline(1).candidate(2)
        .plan(plan).build());
    rollout.start();
    for (int ring = 1; ring <= 2; ring++) {
      clock.now = clock.now.plus(Duration.ofMinutes(31));
      engine.tick();
      if (rollout.status().ringIndex() != ring) {
        throw new IllegalStateException("ring " + ring + " did not open: " + rollout.status());
      }
    }
    for (String id : ids) {
      // Every endpoint is tracked: admitted ones in the candidate arm, the holdback's (1% of the cohort
      // buckets, kept on the baseline) in the control arm.
      Decision decision = rollout.decide(id, ATTRIBUTES, 1);
      long running;
      if (decision.kind() == Decision.Kind.OFFER) {
        running = 2;
      } else if (decision.kind() == Decision.Kind.STAY) {
        running = 1;
      } else {
        throw new IllegalStateException(id + ": " + decision);
      }
      if (rollout.ingest(new Heartbeat(id, 1, 1, running, 0)) != IngestResult.ACCEPTED) {
        throw new IllegalStateException(id + ": heartbeat not accepted");
      }
    }
    return new Setup(engine, config.store());
  }

  private static Sizes measure(Setup setup, String[] ids) {
    GraphLayout idsLayout = GraphLayout.parseInstance((Object[]) ids);
    GraphLayout storeLayout = GraphLayout.parseInstance(setup.store());
    GraphLayout engineLayout = GraphLayout.parseInstance(setup.engine());
    GraphLayout tracked = engineLayout.subtract(storeLayout).subtract(idsLayout);
    // The store's own share, without the ids it references.
    GraphLayout store = storeLayout.subtract(idsLayout);
    long idBytes = idsLayout.totalSize() - VM.current().sizeOf(ids);
    return new Sizes(tracked.totalSize(), store.totalSize(), idBytes, tracked.toFootprint());
  }

  /** A clock the setup moves by hand. */
  static final class MemoryBenchmarkClock extends java.time.Clock {
    Instant now;

    MemoryBenchmarkClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
