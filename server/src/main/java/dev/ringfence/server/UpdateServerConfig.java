package dev.ringfence.server;

import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.function.LongSupplier;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of an {@link UpdateServer}, built with {@link #custom(Path)}; every setter checks its
 * argument at once and names it. Secure by default: loopback only, the admin token generated at first
 * start into a 0600 file, bounded request bodies.
 */
public final class UpdateServerConfig {

  /** Default bind address: loopback only. */
  public static final String DEFAULT_BIND = "127.0.0.1";
  /** Default port. */
  public static final int DEFAULT_PORT = 8080;

  private final Path dataDirectory;
  private final String bindAddress;
  private final int port;
  private final @Nullable String jdbcUrl;
  private final @Nullable String jdbcUser;
  private final @Nullable String jdbcPassword;
  private final Duration heartbeatInterval;
  private final Duration tickInterval;
  private final Duration signatureWindow;
  private final int maxJsonBytes;
  private final int maxReleaseBytes;
  private final int threads;
  private final int maxConnections;
  private final int signalBurst;
  private final int signalRatePerMinute;
  private final Duration requestTimeout;
  private final Clock clock;
  private final LongSupplier ticker;
  private final Path adminTokenFile;
  private final @Nullable TrustStore releaseKeys;
  private final @Nullable RootDocument trustRoot;
  private final @Nullable String timestampKeyId;
  private final @Nullable PrivateKey timestampKey;
  private final Duration timestampValidity;
  private final java.util.List<NotificationSink> notificationSinks;
  private final Duration notificationLease;
  private final Duration notificationRetryWait;
  private final Duration notificationTimeout;
  private final int notificationAttempts;

  private UpdateServerConfig(Builder b) {
    this.dataDirectory = b.dataDirectory;
    this.bindAddress = b.bindAddress;
    this.port = b.port;
    this.jdbcUrl = b.jdbcUrl;
    this.jdbcUser = b.jdbcUser;
    this.jdbcPassword = b.jdbcPassword;
    this.heartbeatInterval = b.heartbeatInterval;
    this.tickInterval = b.tickInterval;
    this.signatureWindow = b.signatureWindow;
    this.maxJsonBytes = b.maxJsonBytes;
    this.maxReleaseBytes = b.maxReleaseBytes;
    this.threads = b.threads;
    this.maxConnections = b.maxConnections;
    this.signalBurst = b.signalBurst;
    this.signalRatePerMinute = b.signalRatePerMinute;
    this.requestTimeout = b.requestTimeout;
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.adminTokenFile = b.adminTokenFile == null ? b.dataDirectory.resolve("admin.token") : b.adminTokenFile;
    this.releaseKeys = b.releaseKeys;
    this.trustRoot = b.trustRoot;
    this.timestampKeyId = b.timestampKeyId;
    this.timestampKey = b.timestampKey;
    this.timestampValidity = b.timestampValidity;
    this.notificationSinks = java.util.List.copyOf(b.notificationSinks);
    this.notificationLease = b.notificationLease;
    this.notificationRetryWait = b.notificationRetryWait;
    this.notificationTimeout = b.notificationTimeout;
    this.notificationAttempts = b.notificationAttempts;
  }

  /**
   * @param dataDirectory where the journal, releases, enrollments and the admin token live
   * @return a builder with every other setting at its default
   */
  public static Builder custom(Path dataDirectory) {
    return new Builder(dataDirectory);
  }

  /** @return where the journal (unless PostgreSQL), releases, enrollments and the admin token live */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** @return the address to bind; default {@value #DEFAULT_BIND} */
  public String bindAddress() {
    return bindAddress;
  }

  /** @return the port; 0 picks a free one; default {@value #DEFAULT_PORT} */
  public int port() {
    return port;
  }

  /** @return the PostgreSQL JDBC URL, or null for the file journal */
  public @Nullable String jdbcUrl() {
    return jdbcUrl;
  }

  /** @return the PostgreSQL user, or null */
  public @Nullable String jdbcUser() {
    return jdbcUser;
  }

  /** @return the PostgreSQL password, or null */
  public @Nullable String jdbcPassword() {
    return jdbcPassword;
  }

  /** @return the agents' heartbeat interval the engine's silence deadline is based on; default 1 min */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** @return how often the engine is ticked; default 1 s */
  public Duration tickInterval() {
    return tickInterval;
  }

  /** @return how far a signal batch's timestamp may be from the server's clock; default 5 min */
  public Duration signatureWindow() {
    return signatureWindow;
  }

  /** @return the largest JSON body accepted on most routes; default 256 KiB */
  public int maxJsonBytes() {
    return maxJsonBytes;
  }

  /**
   * @return the largest release payload, in bytes, that a publication may carry (its body may be larger: the payload
   *     travels as base64 beside the envelope); default 16 MiB
   */
  public int maxReleaseBytes() {
    return maxReleaseBytes;
  }

  /** @return HTTP worker threads; default 8 */
  public int threads() {
    return threads;
  }

  /** @return open connections at most; past it the server stops accepting until one closes; default 1024 */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * @return signal batches one endpoint may send at once, the size of its token bucket; default 60. Beyond it,
   *     and beyond {@link #signalRatePerMinute()}, batches get 429 with {@code Retry-After}
   */
  public int signalBurst() {
    return signalBurst;
  }

  /** @return signal batches per minute one endpoint may send on average (its bucket's refill); default 120 */
  public int signalRatePerMinute() {
    return signalRatePerMinute;
  }

  /**
   * @return how long a request may take from the moment a worker picks it up until its body has been read in
   *     full and its answer is ready; a client that stalls or trickles its body is disconnected then, and its
   *     worker freed. The answer's own transfer is not limited by it. Default 10 s
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** @return the engine's and the signature check's clock */
  public Clock clock() {
    return clock;
  }

  /**
   * @return the nanosecond ticker of the connection guard's header deadlines and the log intervals: elapsed
   *     time on the HTTP side, apart from the engine's clock (a test may stop that one); default {@code
   *     System::nanoTime}
   */
  public LongSupplier ticker() {
    return ticker;
  }

  /** @return the admin token file; default {@code <dataDirectory>/admin.token} */
  public Path adminTokenFile() {
    return adminTokenFile;
  }

  /**
   * @return the release signing keys a publication must be signed with (their threshold of them), or null when
   *     none are configured: the server then publishes nothing, since it cannot check what it would offer
   */
  public @Nullable TrustStore releaseKeys() {
    return releaseKeys;
  }

  /**
   * @return the trust root the server started with (release keys come from the newest stored root), or null
   *     when a fixed set of release keys is used
   */
  public @Nullable RootDocument trustRoot() {
    return trustRoot;
  }

  /** @return the id of the online key that signs freshness timestamps, or null */
  public @Nullable String timestampKeyId() {
    return timestampKeyId;
  }

  /** @return the online key that signs freshness timestamps, or null */
  public @Nullable PrivateKey timestampKey() {
    return timestampKey;
  }

  /** @return how long a signed timestamp stays valid; it is re-signed after half of it */
  public Duration timestampValidity() {
    return timestampValidity;
  }

  /** @return where transitions and verdict changes are sent, in order; empty for none (the default) */
  public java.util.List<NotificationSink> notificationSinks() {
    return notificationSinks;
  }

  /**
   * @return how long a replica's claim on a notification sink lasts without renewal: after a replica dies, another
   *     takes the sink over this long after its last renewal; default 1 min
   */
  public Duration notificationLease() {
    return notificationLease;
  }

  /** @return the wait before a notification's first retry, doubled for each next one; default 1 s */
  public Duration notificationRetryWait() {
    return notificationRetryWait;
  }

  /** @return how long one notification attempt waits for the receiver's answer; default 10 s */
  public Duration notificationTimeout() {
    return notificationTimeout;
  }

  /** @return attempts per notification before its sink pauses, the first included; default 4 */
  public int notificationAttempts() {
    return notificationAttempts;
  }

  /** Builds an {@link UpdateServerConfig}. */
  public static final class Builder {
    private final Path dataDirectory;
    private String bindAddress = DEFAULT_BIND;
    private int port = DEFAULT_PORT;
    private @Nullable String jdbcUrl;
    private @Nullable String jdbcUser;
    private @Nullable String jdbcPassword;
    private Duration heartbeatInterval = Duration.ofMinutes(1);
    private Duration tickInterval = Duration.ofSeconds(1);
    private Duration signatureWindow = Duration.ofMinutes(5);
    private int maxJsonBytes = 256 * 1024;
    private int maxReleaseBytes = 16 * 1024 * 1024;
    private int threads = 8;
    private int maxConnections = 1024;
    private int signalBurst = 60;
    private int signalRatePerMinute = 120;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private LongSupplier ticker = System::nanoTime;
    private @Nullable Path adminTokenFile;
    private @Nullable TrustStore releaseKeys;
    private @Nullable RootDocument trustRoot;
    private @Nullable String timestampKeyId;
    private @Nullable PrivateKey timestampKey;
    private Duration timestampValidity = Duration.ofHours(1);
    private final java.util.List<NotificationSink> notificationSinks = new java.util.ArrayList<>();
    private Duration notificationLease = Duration.ofMinutes(1);
    private Duration notificationRetryWait = Duration.ofSeconds(1);
    private Duration notificationTimeout = Duration.ofSeconds(10);
    private int notificationAttempts = 4;

    private Builder(Path dataDirectory) {
      this.dataDirectory = given("dataDirectory", dataDirectory);
    }

    // The settings come from the server's config file and command line as often as from code, so a bad one is
    // refused as input (InvalidInputException, naming the setting), which the launcher prints as it is.

    private static void check(boolean ok, String field, String reason) {
      if (!ok) {
        throw new InvalidInputException(field, reason);
      }
    }

    private static <T> T given(String field, @Nullable T value) {
      check(value != null, field, "is null");
      return value;
    }

    private static Duration positive(String field, @Nullable Duration value) {
      check(value != null && !value.isNegative() && !value.isZero(), field, value + " must be a positive duration");
      return value;
    }

    private static Duration within(String field, @Nullable Duration value, Duration min, Duration max, String range) {
      positive(field, value);
      check(value.compareTo(min) >= 0 && value.compareTo(max) <= 0, field, value + " is outside " + range);
      return value;
    }

    /**
     * @param address an IP address or host name; anything but loopback exposes the server to the network
     * @return this builder
     */
    public Builder bindAddress(String address) {
      check(address != null && !address.isBlank(), "bindAddress", "is blank");
      this.bindAddress = address;
      return this;
    }

    /**
     * @param port 0 to 65535; 0 picks a free port
     * @return this builder
     */
    public Builder port(int port) {
      check(port >= 0 && port <= 65_535, "port", port + " is outside 0..65535");
      this.port = port;
      return this;
    }

    /**
     * @param url a {@code jdbc:postgresql://} URL; the journal then lives in PostgreSQL
     * @param user the user, or null
     * @param password the password, or null
     * @return this builder
     */
    public Builder jdbc(String url, @Nullable String user, @Nullable String password) {
      check(url != null && url.startsWith("jdbc:postgresql:"), "jdbcUrl",
          "'" + url + "' must start with jdbc:postgresql:");
      this.jdbcUrl = url;
      this.jdbcUser = user;
      this.jdbcPassword = password;
      return this;
    }

    /**
     * @param interval positive
     * @return this builder
     */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /**
     * @param interval positive
     * @return this builder
     */
    public Builder tickInterval(Duration interval) {
      this.tickInterval = positive("tickInterval", interval);
      return this;
    }

    /**
     * @param window positive
     * @return this builder
     */
    public Builder signatureWindow(Duration window) {
      this.signatureWindow = positive("signatureWindow", window);
      return this;
    }

    /**
     * @param bytes 1 KiB to 64 MiB
     * @return this builder
     */
    public Builder maxJsonBytes(int bytes) {
      check(bytes >= 1024 && bytes <= 64 << 20, "maxJsonBytes", bytes + " is outside 1 KiB..64 MiB");
      this.maxJsonBytes = bytes;
      return this;
    }

    /**
     * @param bytes 1 KiB to 1 GiB
     * @return this builder
     */
    public Builder maxReleaseBytes(int bytes) {
      check(bytes >= 1024 && bytes <= 1 << 30, "maxReleaseBytes", bytes + " is outside 1 KiB..1 GiB");
      this.maxReleaseBytes = bytes;
      return this;
    }

    /**
     * @param count open connections at most, 8..1000000; past it the server stops accepting until one closes
     * @return this builder
     */
    public Builder maxConnections(int count) {
      check(count >= 8 && count <= 1_000_000, "maxConnections", count + " is outside 8..1000000");
      this.maxConnections = count;
      return this;
    }

    /**
     * @param count 1 to 256
     * @return this builder
     */
    public Builder threads(int count) {
      check(count >= 1 && count <= 256, "threads", count + " is outside 1..256");
      this.threads = count;
      return this;
    }

    /**
     * @param batches 1 to 100,000: signal batches one endpoint may send at once (its token bucket's size)
     * @return this builder
     */
    public Builder signalBurst(int batches) {
      check(batches >= 1 && batches <= 100_000, "signalBurst", batches + " is outside 1..100000");
      this.signalBurst = batches;
      return this;
    }

    /**
     * @param batches 1 to 1,000,000: signal batches per minute one endpoint may send on average
     * @return this builder
     */
    public Builder signalRatePerMinute(int batches) {
      check(batches >= 1 && batches <= 1_000_000, "signalRatePerMinute", batches + " is outside 1..1000000");
      this.signalRatePerMinute = batches;
      return this;
    }

    /**
     * @param timeout 100 ms to 10 min: how long reading a request and preparing its answer may take
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = within("requestTimeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(10),
          "PT0.1S..PT10M");
      return this;
    }

    /**
     * @param keys the release signing keys (the same the agents trust) and how many of them must sign; every
     *     publication is verified against them, and refused unless it passes
     * @return this builder
     */
    public Builder releaseKeys(TrustStore keys) {
      this.releaseKeys = given("releaseKeys", keys);
      return this;
    }

    /**
     * Serves a trust root and takes its rotations: publications are verified against the newest root's release
     * role, agents fetch roots from {@code GET /v1/roots/{version}}.
     *
     * @param root the root to start from, signed by its own root keys
     * @return this builder
     */
    public Builder trustRoot(RootDocument root) {
      this.trustRoot = given("trustRoot", root);
      return this;
    }

    /**
     * The online key that signs each channel's freshness timestamp; required when the trust root has a
     * timestamp role. Keep it apart from the release keys, which stay offline.
     *
     * @param keyId its id in the root's timestamp role
     * @param key its Ed25519 private key
     * @return this builder
     */
    public Builder timestampKey(String keyId, PrivateKey key) {
      check(keyId != null && !keyId.isBlank(), "timestampKeyId", "is null or blank");
      check(key != null && (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA")),
          "timestampKey", "must be an Ed25519 private key");
      this.timestampKeyId = keyId;
      this.timestampKey = key;
      return this;
    }

    /**
     * @param validity how long a timestamp stays valid, PT1M..P7D; default PT1H. Agents detect a frozen server
     *     within this time; the server re-signs after half of it
     * @return this builder
     */
    public Builder timestampValidity(Duration validity) {
      this.timestampValidity = within("timestampValidity", validity, Duration.ofMinutes(1), Duration.ofDays(7),
          "PT1M..P7D");
      return this;
    }

    /**
     * @param source the clock
     * @return this builder
     */
    public Builder clock(Clock source) {
      this.clock = given("clock", source);
      return this;
    }

    /**
     * @param nanoTime the ticker of the HTTP side's deadlines and log intervals, in nanoseconds
     * @return this builder
     */
    public Builder ticker(LongSupplier nanoTime) {
      this.ticker = given("ticker", nanoTime);
      return this;
    }

    /**
     * @param file where the admin token is kept
     * @return this builder
     */
    public Builder adminTokenFile(Path file) {
      this.adminTokenFile = given("adminTokenFile", file);
      return this;
    }

    /**
     * Adds a notification sink: every transition and verdict change is sent to it, signed, in order, once across
     * replicas ({@code docs/update-server.md}, "Notifications").
     *
     * @param sink the sink, its fields already checked; its name must differ from every other sink's
     * @return this builder
     */
    public Builder notificationSink(NotificationSink sink) {
      given("notify", sink);
      check(notificationSinks.stream().noneMatch(other -> other.name().equals(sink.name())), "notify.name",
          "'" + sink.name() + "' names two sinks; each needs its own name, which keys its delivery cursor");
      notificationSinks.add(sink);
      return this;
    }

    /**
     * @param lease 1 s to 1 h: how long a replica's claim on a sink lasts without renewal; longer than
     *     {@link #notificationTimeout}, so that a slow answer does not hand the sink to another replica mid-send
     * @return this builder
     */
    public Builder notificationLease(Duration lease) {
      this.notificationLease = within("notificationLease", lease, Duration.ofSeconds(1), Duration.ofHours(1),
          "PT1S..PT1H");
      return this;
    }

    /**
     * @param wait 1 ms to 10 min: the wait before a notification's first retry, doubled for each next one
     * @return this builder
     */
    public Builder notificationRetryWait(Duration wait) {
      this.notificationRetryWait = within("notificationRetryWait", wait, Duration.ofMillis(1), Duration.ofMinutes(10),
          "PT0.001S..PT10M");
      return this;
    }

    /**
     * @param timeout 100 ms to 5 min: how long one attempt waits for the receiver's answer
     * @return this builder
     */
    public Builder notificationTimeout(Duration timeout) {
      this.notificationTimeout = within("notificationTimeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(5),
          "PT0.1S..PT5M");
      return this;
    }

    /**
     * @param attempts 1 to 10: attempts per notification before its sink pauses, the first included
     * @return this builder
     */
    public Builder notificationAttempts(int attempts) {
      check(attempts >= 1 && attempts <= 10, "notificationAttempts", attempts + " is outside 1..10");
      this.notificationAttempts = attempts;
      return this;
    }

    /** @return the configuration */
    public UpdateServerConfig build() {
      check(notificationSinks.isEmpty() || notificationLease.compareTo(notificationTimeout) > 0, "notificationLease",
          notificationLease + " must be longer than notificationTimeout (" + notificationTimeout + "), or a slow"
          + " answer hands the sink to another replica mid-send");
      check(trustRoot == null || releaseKeys == null, "releaseKeys", "and trustRoot are both set; with a trust root"
          + " the release keys are its release role");
      check(timestampKey == null || trustRoot != null, "timestampKey", "needs a trust root with a timestamp role"
          + " naming it");
      return new UpdateServerConfig(this);
    }
  }
}
