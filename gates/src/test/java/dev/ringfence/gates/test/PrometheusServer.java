package dev.ringfence.gates.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus for the gate tests: Debian's {@code prometheus} and {@code promtool} (package {@code
 * prometheus}), loaded with the test's own OpenMetrics data through {@code promtool tsdb create-blocks-from
 * openmetrics}, started on 127.0.0.1 on a free port with a temporary storage directory and no scrape targets. The
 * data carry their own timestamps, and the gates ask with {@code time=} from the engine's clock, so nothing waits
 * for a scrape or reads the wall clock. One per test class; {@link #close} stops it and deletes its directory.
 *
 * <p>The binaries are looked up under {@code -D}{@value #BIN_PROPERTY} when set, else on the {@code PATH}. When
 * they are missing the tests fail, with a message that says to run {@code ./test.sh} (which installs the package);
 * they are never skipped.
 */
public final class PrometheusServer implements AutoCloseable {

  /** A directory holding {@code prometheus} and {@code promtool}, instead of the {@code PATH}. */
  public static final String BIN_PROPERTY = "ringfence.test.prometheusBin";

  private final Process process;
  private final Path dir;
  private final URI url;

  private PrometheusServer(Process process, Path dir, URI url) {
    this.process = process;
    this.dir = dir;
    this.url = url;
  }

  /**
   * Loads the data and starts the server.
   *
   * @param openMetrics the data, in the OpenMetrics text format, ending in {@code # EOF}
   * @return the running server
   * @throws IllegalStateException if the binaries are missing or the server does not start
   */
  public static PrometheusServer start(String openMetrics) {
    Path prometheus = binary("prometheus");
    Path promtool = binary("promtool");
    try {
      Path dir = Files.createTempDirectory("ringfence-prometheus-");
      Path data = dir.resolve("data");
      Path input = Files.writeString(dir.resolve("data.om"), openMetrics, StandardCharsets.UTF_8);
      exec(dir, List.of(promtool.toString(), "tsdb", "create-blocks-from", "openmetrics", input.toString(),
          data.toString()));
      Path config = Files.writeString(dir.resolve("prometheus.yml"), "global: {}\n", StandardCharsets.UTF_8);
      Path log = dir.resolve("prometheus.log");
      IllegalStateException last = null;
      for (int attempt = 0; attempt < 3; attempt++) { // a free port may be taken before the server binds it
        int port = freePort();
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
            "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=100y",
            "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
            .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, dir, URI.create("http://127.0.0.1:" + port));
        // Also when a test run ends without @AfterAll (a killed fork): no Prometheus outlives its JVM.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "ringfence-test-prometheus-stop"));
        try {
          server.awaitReady(log);
          return server;
        } catch (IllegalStateException e) {
          server.stop();
          last = e;
        }
      }
      delete(dir);
      throw last;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test Prometheus: " + e.getMessage(), e);
    }
  }

  /** @return the base URL, {@code http://127.0.0.1:port} */
  public URI url() {
    return url;
  }

  private void awaitReady(Path log) throws IOException {
    // Waits on the process, not a sleep: an exit (a port taken, a bad flag) ends the wait at once.
    for (int i = 0; i < 300; i++) {
      try {
        if (!process.isAlive()) {
          break;
        }
        HttpURLConnection c = (HttpURLConnection) url.resolve("/-/ready").toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(1000);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the test Prometheus did not become ready on " + url + ":\n"
        + Files.readString(log));
  }

  private void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    delete(dir);
  }

  private static Path binary(String name) {
    List<Path> dirs = new ArrayList<>();
    String configured = System.getProperty(BIN_PROPERTY, "");
    if (!configured.isBlank()) {
      dirs.add(Path.of(configured));
    } else {
      for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
        if (!entry.isEmpty()) {
          dirs.add(Path.of(entry));
        }
      }
    }
    for (Path d : dirs) {
      Path candidate = d.resolve(name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("The Prometheus gate tests need a real Prometheus, and '" + name + "' is not"
        + " found (" + (configured.isBlank() ? "on the PATH" : "in -D" + BIN_PROPERTY + "=" + configured) + ")."
        + " Run ./test.sh at the repository root (it installs Debian's prometheus package when missing), or install"
        + " it: sudo apt-get install -y --no-install-recommends prometheus; or point -D" + BIN_PROPERTY
        + " at a directory holding prometheus and promtool (2.x).");
  }

  private static void exec(Path dir, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish:\n" + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + p.exitValue() + ":\n"
          + output);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
