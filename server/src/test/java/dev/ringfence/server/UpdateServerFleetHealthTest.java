package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.UpdateProtocol;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health across update-server replicas on one real PostgreSQL, under polling load: one replica owns every lab
 * endpoint whose candidate crashes, the others own the healthy ones. No replica alone has the canary's 30
 * reports the catastrophe guard waits for (replica 0 has only the crashes, the others only healthy reports);
 * merged through {@code ringfence_replica_health} on each tick they are 30 with half crashed. The test ticks
 * the servers itself, round by round, and counts: the halt comes in the same round as with one server that gets
 * every request, and every replica answers REVERT to every exposed endpoint.
 */
class UpdateServerFleetHealthTest {

  private static final String CHANNEL = "rules";
  private static final int CAP = 30;
  private static final int LAB = 40;
  private static final int MAX_ROUNDS = 10;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<UpdateServer> servers = new ArrayList<>();
  private ReleaseSigner signer;
  private final SplittableRandom nonces = new SplittableRandom(16);

  @AfterEach
  void stop() {
    servers.forEach(UpdateServer::close);
  }

  /** Even lab endpoints crash on the candidate; all of them talk to replica 0 only. */
  private static int owner(int endpoint, int replicas) {
    return replicas == 1 || endpoint % 2 == 0 ? 0 : 1 + endpoint % (replicas - 1);
  }

  /** What one run measured. */
  private record Run(int[] haltedInRound, Verdict verdict) {}

  private Run run(int replicas) throws Exception {
    signer = new ReleaseSigner(List.of("release-1"), 1);
    PostgresServer.Database db = PostgresServer.newDatabase("fleet_health_" + replicas);
    List<UpdateServer> fleet = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      // Ticks an hour apart: this test ticks them itself, and counts.
      UpdateServer server = UpdateServer.start(UpdateServerConfig.custom(dir.resolve(replicas + "-" + r)).port(0)
          .tickInterval(Duration.ofHours(1)).jdbc(db.url(), db.user(), db.password())
          .releaseKeys(signer.trustStore()).build());
      servers.add(server);
      fleet.add(server);
    }
    UpdateServer first = fleet.get(0);
    AdminClient admin = new AdminClient(first.uri(), first.adminTokenFile(), http);
    List<EndpointCredentials> lab = new ArrayList<>();
    for (int i = 0; i < LAB; i++) {
      lab.add(admin.enroll("lab-" + i, "lab", i % 2 == 0 ? "eu-west" : "us-east"));
    }
    TestServers.publishVersions(admin, signer, CHANNEL, 2);
    admin.createRollout("r", CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(CAP));
    admin.command("r", "start", null);
    fleet.forEach(UpdateServer::tickNow); // every replica learns of the endpoints, releases and rollout

    boolean[] exposed = new boolean[LAB];
    int crashing = 0;
    for (int i = 0; i < LAB; i++) {
      exposed[i] = decision(fleet.get(owner(i, replicas)), lab.get(i), 1).equals("OFFER");
      crashing += exposed[i] && i % 2 == 0 ? 1 : 0;
    }
    assertThat(countTrue(exposed)).as("the cap").isEqualTo(CAP);
    assertThat(crashing).as("replica 0 alone has fewer reports than the guard waits for").isLessThan(CAP);

    // Load: two clients poll every replica (each endpoint its owner) until the halt reached every replica.
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong polls = new AtomicLong();
    ExecutorService load = Executors.newFixedThreadPool(2);
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      int offset = c;
      clients.add(CompletableFuture.runAsync(() -> {
        for (int n = offset; !done.get() && n < 100_000; n += 2) {
          int i = n % LAB;
          try {
            decision(fleet.get(owner(i, replicas)), lab.get(i), exposed[i] ? 2 : 1);
            polls.incrementAndGet();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }, load));
    }
    for (int i = 0; i < LAB; i++) {
      if (exposed[i]) {
        heartbeat(fleet.get(owner(i, replicas)), lab.get(i), i % 2 == 0 ? 1 : 0);
      }
    }
    int[] halted = new int[replicas];
    Verdict verdict = null;
    for (int round = 1; round <= MAX_ROUNDS && java.util.Arrays.stream(halted).anyMatch(h -> h == 0); round++) {
      for (int r = 0; r < replicas; r++) {
        UpdateServer server = fleet.get(r);
        server.tickNow();
        if (halted[r] == 0 && server.engine().rollout("r").state().isHalted()) {
          halted[r] = round;
          if (verdict == null) {
            verdict = server.engine().rollout("r").status().lastVerdict();
          }
        }
      }
    }
    done.set(true);
    for (CompletableFuture<Void> client : clients) {
      client.get(1, TimeUnit.MINUTES);
    }
    load.shutdown();
    assertThat(polls.get()).as("the load ran").isPositive();
    for (UpdateServer server : fleet) {
      for (int i = 0; i < LAB; i++) {
        if (exposed[i]) {
          assertThat(decision(server, lab.get(i), 2)).as("lab-" + i + " on " + server.uri()).isEqualTo("REVERT");
        }
      }
    }
    return new Run(halted, verdict);
  }

  private static int countTrue(boolean[] values) {
    int n = 0;
    for (boolean v : values) {
      n += v ? 1 : 0;
    }
    return n;
  }

  private String decision(UpdateServer at, EndpointCredentials c, long current) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(at.uri().resolve("v1/channels/" + CHANNEL
        + "/envelope")).header(UpdateProtocol.ENDPOINT_HEADER, c.endpointId()).header("Authorization", c.authorization())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, Long.toString(current)).timeout(Duration.ofSeconds(20))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    return response.headers().firstValue(UpdateProtocol.DECISION_HEADER).orElse("none (" + response.statusCode() + ")");
  }

  private void heartbeat(UpdateServer at, EndpointCredentials c, int failedStarts) throws Exception {
    String body = "[{\"type\":\"heartbeat\",\"endpointId\":\"" + c.endpointId() + "\",\"bootId\":1,\"sequence\":1,"
        + "\"version\":2,\"failedStarts\":" + failedStarts + "}]";
    String answer = TestServers.sendSignals(http, at, CHANNEL, c, body, Instant.now().toEpochMilli(), nonces);
    assertThat(answer).as("counted by the owner").contains("\"accepted\" : 1");
  }

  @Test
  void crashesOnOneReplica_haltTwoAndThreeReplicas_inTheSameRoundAsOneServer() throws Exception {
    Run single = run(1);
    assertThat(single.haltedInRound()[0]).as("one server halts").isPositive();
    for (int replicas = 2; replicas <= 3; replicas++) {
      Run fleet = run(replicas);
      System.out.printf(Locale.ROOT, "fleet health over PostgreSQL: one server halted in tick round %d; %d replicas"
          + " in rounds %s (%s)%n", single.haltedInRound()[0], replicas,
          java.util.Arrays.toString(fleet.haltedInRound()), fleet.verdict().reason());
      for (int r = 0; r < replicas; r++) {
        assertThat(fleet.haltedInRound()[r]).as("replica %d of %d", r, replicas).isPositive()
            .isLessThanOrEqualTo(single.haltedInRound()[0] + 1);
      }
      assertThat(fleet.verdict().evidence().get("candidateReported")).as("the fleet's reports, not one replica's")
          .isEqualTo((double) CAP);
    }
  }
}
