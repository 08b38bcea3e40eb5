package dev.ringfence.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.server.AdminClient;
import dev.ringfence.server.ReleaseSigner;
import dev.ringfence.server.UpdateServer;
import dev.ringfence.server.UpdateServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The update server under load on loopback: decision requests and HMAC-signed signal batches over kept-alive
 * HTTP/1.1, at 8 and 64 connections, with p50 and p99. The load client (the JDK's {@code HttpClient}, one
 * synchronous sender per connection) runs on the same two cores, so its own ceiling is measured first
 * against trivial handlers that answer a decision-sized JSON body: a Jetty handler like the server's, and
 * the JDK {@code HttpServer} as the update server ran it before (Nagle on). The server's rows run on the
 * file journal and then on PostgreSQL (a throwaway cluster, as the tests start). Every load loop is bounded
 * by time and count.
 *
 * <pre>
 * benchmarks/run.sh server [--seconds 15] [--warmup 5] [--file-only]
 * </pre>
 */
public final class ServerLoad {

  private static final int ENDPOINTS = 2_000;
  private static final int MAX_SAMPLES_PER_SENDER = 2_000_000;
  /** What the trivial handlers answer: about the size of a decision. */
  private static final byte[] BODY = ("{\"decision\":\"STAY\",\"version\":1,\"reason\":\"general release of"
      + " 'rules'\",\"rollout\":null,\"ring\":\"\"}").getBytes(StandardCharsets.UTF_8);

  private ServerLoad() {}

  /** One measured row. */
  record Row(String target, int connections, long requests, double seconds, double p50Millis, double p99Millis,
      long errors) {
    double perSecond() {
      return requests / seconds;
    }
  }

  /**
   * @param args {@code [--seconds N] [--warmup N]}
   * @throws Exception when a server cannot start
   */
  public static void main(String[] args) throws Exception {
    int seconds = 15;
    int warmup = 5;
    boolean fileOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--file-only" -> fileOnly = true;
        default -> throw new IllegalArgumentException(args[i] + ": not an option; --seconds N, --warmup N, --file-only");
      }
    }
    List<Row> rows = new ArrayList<>();
    int[] connections = {8, 64};

    Server jetty = trivialJetty();
    URI jettyUri = URI.create("http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/");
    // Not recorded: compiles the client's and Jetty's paths before the first measured row.
    run("(warm-up of the client)", 16, 0, Math.max(2, warmup), sender -> HttpRequest.newBuilder(jettyUri).GET().build());
    for (int c : connections) {
      rows.add(run("client ceiling: trivial Jetty handler", c, warmup, seconds,
          sender -> HttpRequest.newBuilder(jettyUri).GET().build()));
    }
    jetty.stop();
    HttpServer jdk = trivialJdk();
    URI jdkUri = URI.create("http://127.0.0.1:" + jdk.getAddress().getPort() + "/");
    for (int c : connections) {
      rows.add(run("trivial JDK HttpServer, as the update server ran it before", c, warmup, seconds,
          sender -> HttpRequest.newBuilder(jdkUri).GET().build()));
    }
    jdk.stop(0);

    serverRows(rows, connections, warmup, seconds, null);
    if (!fileOnly) {
      PostgresServer.Database database;
      try {
        database = PostgresServer.newDatabase("server_load");
      } catch (IllegalStateException e) {
        throw new IllegalStateException("no PostgreSQL for the shared-store rows (" + e.getMessage()
            + "); --file-only skips them", e);
      }
      serverRows(rows, connections, warmup, seconds, database);
    }
    print(rows, seconds, warmup);
  }

  /** Decision requests, each sender walking the endpoints in its own stride. */
  private static IntFunction<HttpRequest> decisions(URI decision, EndpointCredentials[] endpoints, int senders) {
    long[] next = new long[senders];
    return sender -> {
      EndpointCredentials e = endpoints[(int) Math.floorMod(next[sender]++ * 7919 + sender, (long) endpoints.length)];
      return HttpRequest.newBuilder(decision).header(UpdateProtocol.ENDPOINT_HEADER, e.endpointId())
          .header("Authorization", e.authorization()).header(UpdateProtocol.CURRENT_VERSION_HEADER, "1").GET().build();
    };
  }

  /** Keeps {@code count} connections open, each having sent part of a request header; bounded by the flag. */
  private static void slowloris(int port, int count, java.util.concurrent.atomic.AtomicBoolean running,
      java.util.concurrent.atomic.AtomicLong opened) {
    List<java.net.Socket> open = new ArrayList<>();
    try {
      while (running.get()) {
        open.removeIf(socket -> {
          try {
            socket.setSoTimeout(1);
            return socket.getInputStream().read() == -1;
          } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
          } catch (java.io.IOException closed) {
            return true;
          }
        });
        while (open.size() < count && running.get()) {
          java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
          socket.getOutputStream().write(("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + opened.get()
              + ": a").getBytes(StandardCharsets.ISO_8859_1));
          socket.getOutputStream().flush();
          open.add(socket);
          opened.incrementAndGet();
        }
        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
      }
    } catch (java.io.IOException e) {
      System.err.println("slowloris stopped: " + e);
    } finally {
      for (java.net.Socket socket : open) {
        try {
          socket.close();
        } catch (java.io.IOException ignored) {
          // closing
        }
      }
    }
  }

  /** The update server's rows on one store: the file journal, or PostgreSQL when {@code database} is given. */
  private static void serverRows(List<Row> rows, int[] connections, int warmup, int seconds,
      PostgresServer.@org.jspecify.annotations.Nullable Database database) throws Exception {
    Path dir = Files.createTempDirectory("ringfence-server-load");
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1"), 1);
    UpdateServerConfig.Builder config = UpdateServerConfig.custom(dir).port(0).threads(8).signalBurst(100_000)
        .signalRatePerMinute(1_000_000).releaseKeys(signer.trustStore());
    if (database != null) {
      config.jdbc(database.url(), database.user(), database.password());
    }
    String store = database == null ? "file journal" : "PostgreSQL";
    try (UpdateServer server = UpdateServer.start(config.build())) {
      HttpClient setup = HttpClient.newHttpClient();
      AdminClient admin = new AdminClient(server.uri(), server.adminTokenFile(), setup);
      for (long v = 1; v <= 2; v++) {
        byte[] content = ("rules v" + v).getBytes(StandardCharsets.UTF_8);
        admin.publish(signer.sign("rules", v, content, Instant.now().plus(Duration.ofDays(1))), content, v == 1);
      }
      EndpointCredentials[] endpoints = new EndpointCredentials[ENDPOINTS];
      for (int i = 0; i < ENDPOINTS; i++) {
        endpoints[i] = admin.enroll("host-" + i, i < 20 ? "lab" : "general", i % 2 == 0 ? "eu" : "us");
      }
      admin.createRollout("r1", "rules", 1, 2, AdminClient.labThenEveryonePlan(20));
      admin.command("r1", "start", null);
      URI decision = server.uri().resolve("v1/channels/rules/decision");
      URI signals = server.uri().resolve("v1/channels/rules/signals");
      for (int c : connections) {
        rows.add(run("update server (" + store + "): decision", c, warmup, seconds,
            decisions(decision, endpoints, c)));
      }
      // Slowloris: 300 connections that send part of a header and stall, opened again as the server closes
      // them (its header deadline is the request timeout, 10 s), while 8 clients ask for decisions.
      java.util.concurrent.atomic.AtomicBoolean attacking = new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicLong opened = new java.util.concurrent.atomic.AtomicLong();
      Thread attacker = new Thread(() -> slowloris(server.port(), 300, attacking, opened), "slowloris");
      attacker.setDaemon(true);
      attacker.start();
      rows.add(run("update server (" + store + "): decision, 300 slow-header connections open", 8, warmup, seconds,
          decisions(decision, endpoints, 8)));
      attacking.set(false);
      attacker.join(30_000);
      System.err.printf(Locale.ROOT, "slowloris: %,d attack connections opened during the row%n", opened.get());
      long[] sequence = new long[ENDPOINTS];
      long[] nonce = {0};
      for (int c : connections) {
        int perSender = ENDPOINTS / c;
        long[] turn = new long[c];
        rows.add(run("update server (" + store + "): signal batch (HMAC)", c, warmup, seconds, sender -> {
          int index;
          long seq;
          String id;
          synchronized (sequence) {
            index = sender * perSender + (int) (turn[sender]++ % perSender);
            seq = ++sequence[index];
            nonce[0]++;
            id = String.format(Locale.ROOT, "%032x", nonce[0]);
          }
          EndpointCredentials e = endpoints[index];
          byte[] body = ("[{\"type\":\"heartbeat\",\"endpointId\":\"" + e.endpointId() + "\",\"bootId\":1,"
              + "\"sequence\":" + seq + ",\"version\":1,\"failedStarts\":0}]").getBytes(StandardCharsets.UTF_8);
          long millis = System.currentTimeMillis();
          return HttpRequest.newBuilder(signals).header(UpdateProtocol.ENDPOINT_HEADER, e.endpointId())
              .header("Authorization", e.authorization()).header(UpdateProtocol.TIMESTAMP_HEADER, Long.toString(millis))
              .header(UpdateProtocol.NONCE_HEADER, id)
              .header(UpdateProtocol.SIGNATURE_HEADER, EndpointCredentials.sign(e.hmacKey(), e.endpointId(), millis, id,
                  body))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        }));
      }
    }
  }

  private static Server trivialJetty() throws Exception {
    QueuedThreadPool pool = new QueuedThreadPool(14, 4);
    pool.setDaemon(true);
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
          org.eclipse.jetty.util.Callback callback) {
        response.setStatus(200);
        response.getHeaders().put("Content-Type", "application/json");
        response.write(true, java.nio.ByteBuffer.wrap(BODY), callback);
        return true;
      }
    });
    server.start();
    return server;
  }

  /** The JDK server as the update server ran it: 8 workers, Nagle on (sun.net.httpserver.nodelay unset). */
  private static HttpServer trivialJdk() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    server.setExecutor(Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "jdk-http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, BODY.length);
      exchange.getResponseBody().write(BODY);
      exchange.close();
    });
    server.start();
    return server;
  }

  /** Runs {@code connections} synchronous senders for warmup + measure seconds; records the measured part. */
  private static Row run(String target, int connections, int warmupSeconds, int seconds,
      IntFunction<HttpRequest> request) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(2, r -> {
          Thread t = new Thread(r, "load-client");
          t.setDaemon(true);
          return t;
        })).build();
    ExecutorService senders = Executors.newFixedThreadPool(connections);
    long warmupEnd = System.nanoTime() + Duration.ofSeconds(warmupSeconds).toNanos();
    long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
    List<Future<long[]>> results = new ArrayList<>();
    for (int s = 0; s < connections; s++) {
      int sender = s;
      results.add(senders.submit(() -> {
        long[] latencies = new long[MAX_SAMPLES_PER_SENDER];
        int n = 0;
        long errors = 0;
        while (true) {
          long start = System.nanoTime();
          if (start >= end || n >= latencies.length) {
            break;
          }
          HttpRequest r = request.apply(sender);
          int status;
          try {
            status = client.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
          } catch (java.io.IOException e) {
            status = -1;
          }
          long done = System.nanoTime();
          if (start >= warmupEnd) {
            if (status >= 400 || status < 0) {
              errors++;
            }
            latencies[n++] = done - start;
          }
        }
        long[] out = Arrays.copyOf(latencies, n + 1);
        out[n] = errors;
        return out;
      }));
    }
    List<long[]> all = new ArrayList<>();
    long errors = 0;
    for (Future<long[]> f : results) {
      long[] r = f.get();
      errors += r[r.length - 1];
      all.add(Arrays.copyOf(r, r.length - 1));
    }
    senders.shutdownNow();
    long total = all.stream().mapToLong(a -> a.length).sum();
    long[] merged = new long[(int) total];
    int at = 0;
    for (long[] a : all) {
      System.arraycopy(a, 0, merged, at, a.length);
      at += a.length;
    }
    Arrays.sort(merged);
    double p50 = merged.length == 0 ? Double.NaN : merged[(int) (merged.length * 0.50)] / 1e6;
    double p99 = merged.length == 0 ? Double.NaN : merged[Math.min(merged.length - 1, (int) (merged.length * 0.99))] / 1e6;
    Row row = new Row(target, connections, total, seconds, p50, p99, errors);
    System.err.printf(Locale.ROOT, "%-55s %3d connections: %,10.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors%n",
        target, connections, row.perSecond(), p50, p99, errors);
    return row;
  }

  private static void print(List<Row> rows, int seconds, int warmup) {
    System.out.println("| target | connections | requests/s | p50 ms | p99 ms | errors | vs client ceiling |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      Row ceiling = rows.stream().filter(x -> x.target().startsWith("client ceiling") && x.connections() == r.connections())
          .findFirst().orElse(r);
      System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f | %d | %.2f |%n", r.target(), r.connections(),
          r.perSecond(), r.p50Millis(), r.p99Millis(), r.errors(), r.perSecond() / ceiling.perSecond());
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "%d s measured after %d s of warm-up per row, on loopback; the load client shares"
        + " the machine's cores with the server.%n", seconds, warmup);
  }
}
