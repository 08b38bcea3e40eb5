package dev.ringfence.postgresql.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL server of the store tests: one per JVM, started lazily, with a fresh database per test
 * class ({@link #newDatabase}).
 *
 * <p>With {@code -Dringfence.test.jdbcUrl=jdbc:postgresql://host:port/db} (and {@code -Dringfence.test.user},
 * {@code -Dringfence.test.password}) it uses that server: the user needs {@code CREATEDB}; the databases it
 * creates are dropped when the JVM exits. Otherwise it starts a throwaway cluster from Debian's PostgreSQL
 * binaries ({@code /usr/lib/postgresql/<newest>/bin/initdb, pg_ctl}) in a temporary directory, listening on
 * 127.0.0.1 only, on a free port, with durability off for speed ({@code fsync=off}); a shutdown hook stops it
 * and deletes the directory. PostgreSQL refuses to run as root, so as root the binaries run as the system
 * user {@value #OS_USER} (created if missing) through {@code runuser}.
 *
 * <p>No binaries and no URL: every test that asks for a database fails with a message that says to run
 * {@code ./test.sh}. The PostgreSQL tests are never skipped.
 */
public final class PostgresServer {

  public static final String URL_PROPERTY = "ringfence.test.jdbcUrl";
  public static final String USER_PROPERTY = "ringfence.test.user";
  public static final String PASSWORD_PROPERTY = "ringfence.test.password";

  /** The unprivileged system user that runs the throwaway cluster when the tests run as root. */
  static final String OS_USER = "ringfence-pg";
  private static final Path DEBIAN_POSTGRESQL = Path.of("/usr/lib/postgresql");
  private static final String SUPERUSER = "ringfence";
  private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/?]*)(?:/([^?]*))?(\\?.*)?");
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static Server server;
  private static String failure;

  private PostgresServer() {}

  /**
   * A fresh, empty database on the test server.
   *
   * @param label a short name for the test class, part of the database's name
   * @return the database
   * @throws IllegalStateException if there is no server, with what to do about it
   */
  public static Database newDatabase(String label) {
    Server s = server();
    String name = ("rf_" + label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_") + "_"
        + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
    if (name.length() > 63) {
      name = "rf_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    }
    try (Connection c = s.admin().dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test database " + name + " on " + s.admin().url()
          + ": " + e.getMessage(), e);
    }
    s.created(name);
    return new Database(name, s.urlOf(name), s.admin().user(), s.admin().password());
  }

  /**
   * A cluster of its own, which the test may stop and start again (same data directory, same port), unlike
   * the shared server of {@link #newDatabase}. Commits are synchronous ({@code synchronous_commit=on}), so
   * whatever a commit acknowledged survives {@code pg_ctl stop -m immediate}; {@code fsync} stays off, since
   * the machine does not crash. Needs the Debian binaries even when {@code -D}{@value #URL_PROPERTY} is set.
   *
   * @param label a short name for the test, part of the directory's name
   * @return the running cluster; close it to stop it and delete its directory
   */
  public static Cluster newCluster(String label) {
    return Cluster.create(label);
  }

  /** @return a JDBC URL of this host where nothing listens (a database that is down) */
  public static String closedPortUrl(String database) {
    int port = freePort();
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=5";
  }

  private static synchronized Server server() {
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    if (server == null) {
      try {
        server = System.getProperty(URL_PROPERTY, "").isBlank() ? Throwaway.start() : External.open();
      } catch (RuntimeException e) {
        failure = e.getMessage();
        throw e;
      }
    }
    return server;
  }

  /** A database of the test server and how to reach it. */
  public record Database(String name, String url, String user, String password) {

    /** @return a new non-pooling data source of the database (its URL may be changed by a test) */
    public PGSimpleDataSource dataSource() {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(url);
      ds.setUser(user);
      ds.setPassword(password);
      return ds;
    }

    /** @return a new connection, auto-commit on */
    public Connection connect() throws SQLException {
      return dataSource().getConnection();
    }

    /** Runs statements, each in its own auto-committed transaction. */
    public void execute(String... sql) {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        for (String statement : sql) {
          s.execute(statement);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("on " + name + ": " + e.getMessage(), e);
      }
    }
  }

  private interface Server {
    Database admin();

    String urlOf(String database);

    void created(String database);
  }

  /** A server someone else runs: databases are created on it and dropped again at exit. */
  private static final class External implements Server {
    private final Database admin;
    private final Matcher url;
    private final List<String> created = new ArrayList<>();

    private External(Database admin, Matcher url) {
      this.admin = admin;
      this.url = url;
    }

    static External open() {
      String jdbcUrl = System.getProperty(URL_PROPERTY).strip();
      Matcher m = URL.matcher(jdbcUrl);
      if (!m.matches()) {
        throw new IllegalStateException("-D" + URL_PROPERTY + "=" + jdbcUrl + " is not a jdbc:postgresql://host:port/"
            + "database URL");
      }
      Database admin = new Database(m.group(2) == null ? "postgres" : m.group(2), jdbcUrl,
          System.getProperty(USER_PROPERTY, ""), System.getProperty(PASSWORD_PROPERTY, ""));
      External external = new External(admin, m);
      Runtime.getRuntime().addShutdownHook(new Thread(external::dropAll, "ringfence-test-db-cleanup"));
      return external;
    }

    @Override
    public Database admin() {
      return admin;
    }

    @Override
    public String urlOf(String database) {
      return url.group(1) + "/" + database + (url.group(3) == null ? "" : url.group(3));
    }

    @Override
    public synchronized void created(String database) {
      created.add(database);
    }

    private synchronized void dropAll() {
      try (Connection c = admin.connect(); Statement s = c.createStatement()) {
        for (String database : created) {
          s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
      } catch (SQLException e) {
        System.err.println("could not drop the test databases " + created + ": " + e.getMessage());
      }
    }
  }

  /** A cluster of our own, in a temporary directory, gone when the JVM exits. */
  private static final class Throwaway implements Server {
    private final Database admin;
    private final int port;

    private Throwaway(Database admin, int port) {
      this.admin = admin;
      this.port = port;
    }

    @Override
    public Database admin() {
      return admin;
    }

    @Override
    public String urlOf(String database) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void created(String database) {}

    /**
     * Runs {@code initdb} in {@code dir/data}, owned by the server's OS user when running as root.
     *
     * @return the superuser's random password
     */
    static String initialize(Path bin, boolean root, Path dir) throws IOException {
      if (root) {
        ensureOsUser();
      }
      Path data = dir.resolve("data");
      byte[] secret = new byte[16];
      new SecureRandom().nextBytes(secret);
      String password = HexFormat.of().formatHex(secret);
      Path pwfile = Files.writeString(dir.resolve("pwfile"), password + "\n", StandardCharsets.UTF_8);
      if (root) {
        UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
        Files.setOwner(dir, owner);
        Files.setOwner(pwfile, owner);
      }
      run(root, dir, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
          "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync");
      Files.delete(pwfile);
      return password;
    }

    static Throwaway start() {
      Path bin = findBinaries();
      try {
        boolean root = isRoot();
        Path dir = Files.createTempDirectory("ringfence-pg-");
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(bin, root, dir, data), "ringfence-test-pg-stop"));
        String password = initialize(bin, root, dir);
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a free port may be taken before the server binds it
          int port = freePort();
          String options = String.join(" ", "-c listen_addresses=127.0.0.1", "-p " + port, "-k " + dir,
              "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=100",
              "-c shared_buffers=32MB", "-c log_min_messages=warning");
          try {
            run(root, dir, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(), "-w",
                "-t", "60", "-o", options, "start");
            Database admin = new Database("postgres", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                SUPERUSER, password);
            return new Throwaway(admin, port);
          } catch (IllegalStateException e) {
            last = new IllegalStateException(e.getMessage() + "\nserver log:\n" + readQuietly(log), e);
          }
        }
        throw last;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot set up the throwaway PostgreSQL cluster: " + e.getMessage(), e);
      }
    }

    private static Path findBinaries() {
      List<Path> candidates = new ArrayList<>();
      if (Files.isDirectory(DEBIAN_POSTGRESQL)) {
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(DEBIAN_POSTGRESQL)) {
          for (Path version : versions) {
            Path bin = version.resolve("bin");
            if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))) {
              candidates.add(bin);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return candidates.stream().max(Comparator.comparingDouble(PostgresServer::version)).orElseThrow(() ->
          new IllegalStateException("The PostgreSQL store tests need a PostgreSQL server, and there is none:"
              + " no initdb and pg_ctl under " + DEBIAN_POSTGRESQL + "/*/bin, and no -D" + URL_PROPERTY + "."
              + " Run ./test.sh at the repository root (it installs Debian's postgresql package when missing,"
              + " then runs ./mvnw -B verify), or point the tests at a server with -D" + URL_PROPERTY
              + "=jdbc:postgresql://host:5432/postgres -D" + USER_PROPERTY + "=... -D" + PASSWORD_PROPERTY
              + "=... (see docs/postgresql.md)."));
    }

    private static void stop(Path bin, boolean root, Path dir, Path data) {
      try {
        if (Files.exists(data.resolve("postmaster.pid"))) {
          run(root, dir, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        }
      } catch (RuntimeException e) {
        System.err.println("could not stop the test PostgreSQL in " + dir + ": " + e.getMessage());
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        System.err.println("could not delete " + dir + ": " + e.getMessage());
      }
    }

    private static boolean isRoot() throws IOException {
      // /proc/self belongs to the effective user of this process.
      Path self = Path.of("/proc/self");
      String user = Files.exists(self) ? Files.getOwner(self).getName() : System.getProperty("user.name");
      return "root".equals(user);
    }

    private static void ensureOsUser() {
      try {
        Process id = new ProcessBuilder("id", "-u", OS_USER).redirectErrorStream(true).start();
        id.getInputStream().readAllBytes();
        if (id.waitFor() == 0) {
          return;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      exec(Path.of("/"), List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
          OS_USER));
    }

    private static void run(boolean root, Path dir, String... command) {
      List<String> line = new ArrayList<>();
      if (root) {
        line.addAll(List.of("runuser", "-u", OS_USER, "--"));
      }
      line.addAll(List.of(command));
      exec(dir, line);
    }

    private static void exec(Path dir, List<String> command) {
      try {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " did not finish:\n" + output);
        }
        if (p.exitValue() != 0) {
          throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + p.exitValue()
              + ":\n" + output);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private static String readQuietly(Path file) {
      try {
        return Files.exists(file) ? Files.readString(file) : "(none)";
      } catch (IOException e) {
        return "(unreadable: " + e.getMessage() + ")";
      }
    }
  }

  /** A throwaway cluster a test stops and starts: see {@link #newCluster}. */
  public static final class Cluster implements AutoCloseable {
    private final Path bin;
    private final boolean root;
    private final Path dir;
    private final Path data;
    private final Path log;
    private final int port;
    private final Database admin;
    private volatile boolean running;

    private Cluster(Path bin, boolean root, Path dir, int port, String password) {
      this.bin = bin;
      this.root = root;
      this.dir = dir;
      this.data = dir.resolve("data");
      this.log = dir.resolve("server.log");
      this.port = port;
      this.admin = new Database("postgres", url("postgres"), SUPERUSER, password);
    }

    static Cluster create(String label) {
      Path bin = Throwaway.findBinaries();
      try {
        boolean root = Throwaway.isRoot();
        Path dir = Files.createTempDirectory("ringfence-pg-" + label.replaceAll("[^A-Za-z0-9]+", "-") + "-");
        String password = Throwaway.initialize(bin, root, dir);
        Cluster cluster = new Cluster(bin, root, dir, freePort(), password);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          if (Files.exists(dir)) { // not closed by the test
            Throwaway.stop(bin, root, dir, cluster.data);
          }
        }, "ringfence-test-pg-cluster-stop"));
        cluster.start();
        return cluster;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot set up a PostgreSQL cluster: " + e.getMessage(), e);
      }
    }

    private String url(String database) {
      // A stopped server refuses connections at once; the timeouts bound a server that hangs instead.
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=5&socketTimeout=30";
    }

    /** Starts the server (again) on its data directory and port, after crash recovery if it was killed. */
    public void start() {
      String options = String.join(" ", "-c listen_addresses=127.0.0.1", "-p " + port, "-k " + dir,
          "-c fsync=off", "-c synchronous_commit=on", "-c max_connections=40", "-c shared_buffers=16MB",
          "-c log_min_messages=warning");
      try {
        Throwaway.run(root, dir, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(),
            "-w", "-t", "60", "-o", options, "start");
      } catch (IllegalStateException e) {
        throw new IllegalStateException(e.getMessage() + "\nserver log:\n" + Throwaway.readQuietly(log), e);
      }
      running = true;
    }

    /**
     * Stops the server process.
     *
     * @param immediate {@code pg_ctl stop -m immediate} (the postmaster and every backend quit at once, without
     *     a checkpoint: the next start runs crash recovery) if true, else {@code -m fast} (clients are
     *     disconnected, then a clean shutdown)
     */
    public void stop(boolean immediate) {
      running = false;
      Throwaway.run(root, dir, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
          immediate ? "immediate" : "fast", "-w", "-t", "60", "stop");
    }

    /** @return whether the server was started and not stopped since */
    public boolean isRunning() {
      return running;
    }

    /** @return the process id of the postmaster, from its pid file */
    public long postmasterPid() throws IOException {
      return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
    }

    /**
     * Creates a database in this cluster (it must be running).
     *
     * @param name the database's name
     * @return the database
     */
    public Database newDatabase(String name) {
      try (Connection c = admin.dataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + name);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
      }
      return new Database(name, url(name), admin.user(), admin.password());
    }

    @Override
    public void close() {
      running = false;
      Throwaway.stop(bin, root, dir, data);
    }
  }

  private static double version(Path bin) {
    try {
      return Double.parseDouble(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
