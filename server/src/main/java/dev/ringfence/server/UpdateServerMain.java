package dev.ringfence.server;

import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CountDownLatch;

/**
 * Command line of the update server, without a CLI library so that any front end can call
 * {@link #run(String[])} (the {@code ringfence server} subcommand does). Runs until the process is told
 * to stop (SIGTERM, Ctrl-C).
 *
 * <pre>
 * --data DIR                 data directory (default ./ringfence-data)
 * --bind ADDRESS             default 127.0.0.1 (loopback only)
 * --port N                   default 8080; 0 picks a free port
 * --jdbc-url URL             keep the journal in PostgreSQL (password from RINGFENCE_JDBC_PASSWORD)
 * --jdbc-user USER
 * --heartbeat-interval ISO   agents' heartbeat interval, e.g. PT1M (silence deadline = 3 intervals)
 * --tick-interval ISO        how often the engine is ticked, e.g. PT1S
 * </pre>
 */
public final class UpdateServerMain {

  private UpdateServerMain() {}

  /**
   * @param args the options above
   */
  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * A client that stalls inside its request headers holds a JDK HttpServer worker before any handler runs, so
   * {@code requestTimeout} cannot reach it; only the JDK's own {@code sun.net.httpserver.maxReqTime} (seconds,
   * JVM-wide, read once when the first server starts) does. This process is the server, so it sets it to the
   * request timeout unless the operator set it already.
   */
  static void limitHeaderTime(UpdateServerConfig config) {
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      long seconds = Math.max(1, (config.requestTimeout().toMillis() + 999) / 1000);
      System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(seconds));
    }
  }

  /**
   * Parses the options, starts the server and blocks until the JVM shuts down.
   *
   * @param args the options
   * @return 0 after a clean stop, 2 for bad options, 1 when the server cannot start
   */
  public static int run(String[] args) {
    UpdateServerConfig config;
    try {
      config = parse(args, System.getenv("RINGFENCE_JDBC_PASSWORD"));
    } catch (InvalidInputException e) {
      System.err.println("ringfence server: " + e.getMessage());
      usage(System.err);
      return 2;
    }
    if (config == null) {
      usage(System.out);
      return 0;
    }
    UpdateServer server;
    try {
      limitHeaderTime(config);
      server = UpdateServer.start(config);
    } catch (IOException | RuntimeException e) {
      System.err.println("ringfence server: cannot start: " + e.getMessage());
      return 1;
    }
    System.out.println("Ringfence update server on " + server.uri() + " (status page: " + server.uri() + "status)");
    System.out.println("Admin token: " + server.adminTokenFile() + " (mode 0600)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "ringfence-server-stop"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return 0;
  }

  /**
   * @param args the options
   * @param jdbcPassword the PostgreSQL password, or null
   * @return the configuration, or null when help was asked for
   * @throws InvalidInputException naming the option at fault
   */
  static UpdateServerConfig parse(String[] args, String jdbcPassword) {
    Path data = Path.of("ringfence-data");
    String bind = UpdateServerConfig.DEFAULT_BIND;
    int port = UpdateServerConfig.DEFAULT_PORT;
    String jdbcUrl = null;
    String jdbcUser = null;
    Duration heartbeat = null;
    Duration tick = null;
    TrustStore.Builder keys = TrustStore.builder();
    boolean anyKey = false;
    Integer threshold = null;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new InvalidInputException(option, "needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--data" -> data = Path.of(value);
        case "--bind" -> bind = value;
        case "--port" -> port = integer(option, value);
        case "--jdbc-url" -> jdbcUrl = value;
        case "--jdbc-user" -> jdbcUser = value;
        case "--heartbeat-interval" -> heartbeat = duration(option, value);
        case "--tick-interval" -> tick = duration(option, value);
        case "--release-key" -> {
          releaseKey(keys, option, value);
          anyKey = true;
        }
        case "--release-threshold" -> threshold = integer(option, value);
        default -> throw new InvalidInputException(option, "is not an option");
      }
    }
    UpdateServerConfig.Builder b = UpdateServerConfig.custom(data).bindAddress(bind).port(port);
    if (jdbcUrl != null) {
      b.jdbc(jdbcUrl, jdbcUser, jdbcPassword);
    }
    if (heartbeat != null) {
      b.heartbeatInterval(heartbeat);
    }
    if (tick != null) {
      b.tickInterval(tick);
    }
    if (threshold != null && !anyKey) {
      throw new InvalidInputException("--release-threshold", "needs --release-key options to count");
    }
    if (anyKey) {
      if (threshold != null) {
        keys.threshold(threshold);
      }
      b.releaseKeys(keys.build());
    }
    return b.build();
  }

  /** {@code ID=BASE64}: the key id and its Ed25519 public key, X.509-encoded, in Base64. */
  private static void releaseKey(TrustStore.Builder keys, String option, String value) {
    int eq = value.indexOf('=');
    if (eq < 1) {
      throw new InvalidInputException(option, "'" + value + "' is not ID=BASE64 (a key id, '=', the Ed25519 public"
          + " key in Base64 X.509)");
    }
    try {
      byte[] encoded = java.util.Base64.getDecoder().decode(value.substring(eq + 1));
      keys.key(value.substring(0, eq), TrustStore.ed25519PublicKey(encoded));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(option, "key '" + value.substring(0, eq) + "' is not Base64: " + e.getMessage());
    } catch (InvalidInputException e) {
      throw new InvalidInputException(option, "key '" + value.substring(0, eq) + "': " + e.getMessage());
    }
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(option, "'" + value + "' is not a whole number");
    }
  }

  private static Duration duration(String option, String value) {
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(option, "'" + value + "' is not an ISO-8601 duration such as PT1S");
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: ringfence server [--data DIR] [--bind ADDRESS] [--port N] [--jdbc-url URL --jdbc-user USER]"
        + " [--heartbeat-interval PT1M] [--tick-interval PT1S] [--release-key ID=BASE64]... [--release-threshold K]");
    out.println("  --release-key: a release signing key (Ed25519 public key, Base64 X.509) that publications must be"
        + " signed with; repeat for k-of-n with --release-threshold. Without one the server publishes nothing.");
  }
}
