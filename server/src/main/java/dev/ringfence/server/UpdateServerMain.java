package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.core.Durations;
import dev.ringfence.protocol.InvalidInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * The update server's settings, from a strict config file and options, and the loop that runs it until the
 * process is told to stop (SIGTERM, Ctrl-C). The {@code ringfence server} command declares the options
 * (picocli, with {@code --help}) and hands them here; {@link #main} takes the same {@code --name value}
 * pairs without a CLI library.
 *
 * <p>Every setting has one name, used as {@code --name} on the command line and as a key of the config
 * file ({@code --config FILE}, a JSON object; a key that is not a setting is refused, naming the file and
 * the key). Options given on the command line override the file.
 */
public final class UpdateServerMain {

  /** Every setting, with its default and meaning, in the order {@code --help} lists them. */
  public static final Map<String, String> SETTINGS = settings();

  private static Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("data", "data folder: journal, releases, enrollments, admin.token (default ./ringfence-data)");
    m.put("bind", "address to bind (default " + UpdateServerConfig.DEFAULT_BIND + ", loopback only)");
    m.put("port", "port (default " + UpdateServerConfig.DEFAULT_PORT + "; 0 picks a free one)");
    m.put("jdbc-url", "jdbc:postgresql://...: rollouts, releases and enrollments in PostgreSQL, shared by replicas"
        + " (password from RINGFENCE_JDBC_PASSWORD)");
    m.put("jdbc-user", "PostgreSQL user");
    m.put("heartbeat-interval", "the agents' heartbeat interval, e.g. 1m or PT1M (default 1m; silence deadline 3 of them)");
    m.put("tick-interval", "how often the engine is ticked (default 1s)");
    m.put("release-key", "ID=BASE64: a release signing key (Ed25519 public key, Base64 X.509); repeat for k-of-n."
        + " Without one the server publishes nothing");
    m.put("release-threshold", "how many release keys must sign a publication (default 1)");
    m.put("trust-root", "FILE: a trust root (JSON, from 'ringfence keys init-root'): release keys come from its"
        + " release role, agents fetch it and its rotations; instead of --release-key");
    m.put("timestamp-key", "FILE: the online Ed25519 key (from 'ringfence keys generate') that signs each channel's"
        + " freshness timestamp; required when the trust root has a timestamp role");
    m.put("timestamp-validity", "how long a signed timestamp stays valid; re-signed after half (default 1h)");
    m.put("signal-burst", "signal batches an endpoint may send at once (default 60)");
    m.put("signal-rate-per-minute", "signal batches per endpoint and minute, sustained (default 120)");
    m.put("request-timeout", "time from a request's start until its answer is ready (default 10s)");
    m.put("threads", "HTTP worker threads (default 8)");
    m.put("max-connections", "open connections at most; past it new ones wait (default 1024)");
    m.put("max-json-bytes", "largest JSON body (default 262144)");
    m.put("max-release-bytes", "largest release payload (default 16777216)");
    m.put("signature-window", "how old a signed signal batch may be (default 5m)");
    m.put("notify", "a webhook sink for transitions and verdict changes, as a JSON object: {\"name\": ..., \"url\":"
        + " \"https://...\", \"secretFile\": FILE (mode 0600), \"format\": \"cloudevents\"|\"slack\","
        + " \"types\": [...]}; repeat for several. In --config, the objects themselves");
    m.put("notify-lease", "how long a replica's claim on a sink lasts without renewal (default 1m)");
    m.put("notify-retry-wait", "the wait before a notification's first retry, doubled for each next one (default 1s)");
    m.put("notify-timeout", "how long one notification attempt waits for an answer (default 10s)");
    m.put("notify-attempts", "attempts per notification before its sink pauses (default 4)");
    return Collections.unmodifiableMap(m);
  }

  private UpdateServerMain() {}

  /**
   * @param args {@code --name value} pairs of {@link #SETTINGS}, {@code --config FILE}, or {@code --help}
   */
  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Parses {@code --name value} pairs, starts the server and blocks until the JVM shuts down.
   *
   * @param args the options
   * @return 0 after a clean stop, 2 for bad options, 1 when the server cannot start
   */
  public static int run(String[] args) {
    UpdateServerConfig config;
    try {
      Map<String, List<String>> given = new LinkedHashMap<>();
      Path configFile = null;
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--help") || args[i].equals("-h")) {
          usage(System.out);
          return 0;
        }
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new InvalidInputException(args[i], i + 1 >= args.length ? "needs a value" : "is not an option");
        }
        String name = args[i].substring(2);
        String value = args[++i];
        if (name.equals("config")) {
          configFile = Path.of(value);
        } else {
          given.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
      config = configure(configFile, given, System.getenv("RINGFENCE_JDBC_PASSWORD"));
    } catch (InvalidInputException e) {
      System.err.println("ringfence server: " + e.getMessage());
      usage(System.err);
      return 2;
    }
    return serve(config);
  }

  /**
   * Starts the server and blocks until the JVM shuts down.
   *
   * @param config the settings
   * @return 0 after a clean stop, 1 when the server cannot start
   */
  public static int serve(UpdateServerConfig config) {
    UpdateServer server;
    try {
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
   * The settings of a config file, overridden by the options given.
   *
   * @param configFile a JSON object of settings, or null
   * @param given settings by name (without {@code --}), each with its values in order
   * @param jdbcPassword the PostgreSQL password, or null
   * @return the configuration
   * @throws InvalidInputException naming the file, the setting or the option at fault
   */
  public static UpdateServerConfig configure(@Nullable Path configFile, Map<String, List<String>> given,
      @Nullable String jdbcPassword) {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    if (configFile != null) {
      settings.putAll(readConfig(configFile));
    }
    for (Map.Entry<String, List<String>> e : given.entrySet()) {
      if (!SETTINGS.containsKey(e.getKey())) {
        throw new InvalidInputException("--" + e.getKey(), "is not an option; known: --" + String.join(", --",
            SETTINGS.keySet()) + ", --config");
      }
      settings.put(e.getKey(), e.getValue());
    }
    return apply(settings, jdbcPassword);
  }

  private static Map<String, List<String>> readConfig(Path file) {
    JsonNode root;
    try {
      root = ServerJson.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException("--config", file + ": not readable JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("--config", file + ": must be a JSON object of settings");
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String key = field.getKey();
      if (!SETTINGS.containsKey(key)) {
        throw new InvalidInputException("--config", file + ": '" + key + "' is not a setting; known: "
            + String.join(", ", SETTINGS.keySet()));
      }
      List<String> values = new ArrayList<>();
      JsonNode value = field.getValue();
      for (JsonNode item : value.isArray() ? value : List.of(value)) {
        if (key.equals("notify") && item.isObject()) {
          values.add(item.toString()); // read by notificationSink, as the option's value is
          continue;
        }
        if (!item.isTextual() && !item.isNumber()) { // true and false are no setting's value
          throw new InvalidInputException("--config", file + ": '" + key + "' must be a string or a number"
              + (key.equals("release-key") ? ", or an array of them" : "")
              + (key.equals("notify") ? ", an object, or an array of them" : ""));
        }
        values.add(item.asText());
      }
      if (values.size() != 1 && !key.equals("release-key") && !key.equals("notify")) {
        throw new InvalidInputException("--config", file + ": '" + key + "' takes one value");
      }
      out.put(key, values);
    }
    return out;
  }

  /** Builder and trust store fields whose option is not their name in kebab case. */
  private static final Map<String, String> OPTION_OF_FIELD = Map.of("bindAddress", "bind", "threshold",
      "release-threshold", "notificationLease", "notify-lease", "notificationAttempts", "notify-attempts",
      "notificationRetryWait", "notify-retry-wait", "notificationTimeout", "notify-timeout");

  /**
   * The configuration the settings say. A value the configuration's builder refuses is named by the setting that
   * gave it ({@code --tick-interval}), not by the builder's field ({@code tickInterval}).
   */
  private static UpdateServerConfig apply(Map<String, List<String>> settings, @Nullable String jdbcPassword) {
    try {
      return build(settings, jdbcPassword);
    } catch (InvalidInputException e) {
      String field = e.field();
      String option = OPTION_OF_FIELD.getOrDefault(field, field.replaceAll("([a-z])([A-Z])", "$1-$2")
          .toLowerCase(java.util.Locale.ROOT));
      if (field.startsWith("--") || field.startsWith("notify") || !SETTINGS.containsKey(option)) {
        // Named already, a sink's own field (notify.url), or not one setting's value.
        throw e;
      }
      throw new InvalidInputException("--" + option, e.getMessage().substring(field.length() + 2));
    }
  }

  private static UpdateServerConfig build(Map<String, List<String>> settings, @Nullable String jdbcPassword) {
    UpdateServerConfig.Builder b = UpdateServerConfig.custom(Path.of(one(settings, "data", "ringfence-data")));
    b.bindAddress(one(settings, "bind", UpdateServerConfig.DEFAULT_BIND));
    b.port(integer(settings, "port").orElse(UpdateServerConfig.DEFAULT_PORT));
    String jdbcUrl = one(settings, "jdbc-url", null);
    if (jdbcUrl != null) {
      b.jdbc(jdbcUrl, one(settings, "jdbc-user", null), jdbcPassword);
    } else if (settings.containsKey("jdbc-user")) {
      throw new InvalidInputException("--jdbc-user", "needs --jdbc-url");
    }
    duration(settings, "heartbeat-interval").ifPresent(b::heartbeatInterval);
    duration(settings, "tick-interval").ifPresent(b::tickInterval);
    duration(settings, "request-timeout").ifPresent(b::requestTimeout);
    duration(settings, "signature-window").ifPresent(b::signatureWindow);
    integer(settings, "signal-burst").ifPresent(b::signalBurst);
    integer(settings, "signal-rate-per-minute").ifPresent(b::signalRatePerMinute);
    integer(settings, "threads").ifPresent(b::threads);
    integer(settings, "max-connections").ifPresent(b::maxConnections);
    integer(settings, "max-json-bytes").ifPresent(b::maxJsonBytes);
    integer(settings, "max-release-bytes").ifPresent(b::maxReleaseBytes);
    String rootFile = one(settings, "trust-root", null);
    if (rootFile != null) {
      try {
        b.trustRoot(RootDocument.parse(Files.readAllBytes(Path.of(rootFile))));
      } catch (IOException e) {
        throw new InvalidInputException("--trust-root", "cannot read " + rootFile + ": " + e.getMessage());
      } catch (InvalidInputException e) {
        throw new InvalidInputException("--trust-root", rootFile + ": " + e.getMessage());
      }
    }
    String timestampKey = one(settings, "timestamp-key", null);
    if (timestampKey != null) {
      Path file = Path.of(timestampKey);
      b.timestampKey(keyId(file), readPrivateKey(file, "--timestamp-key"));
    }
    duration(settings, "timestamp-validity").ifPresent(b::timestampValidity);
    for (String sink : settings.getOrDefault("notify", List.of())) {
      b.notificationSink(notificationSink(sink));
    }
    duration(settings, "notify-lease").ifPresent(b::notificationLease);
    duration(settings, "notify-retry-wait").ifPresent(b::notificationRetryWait);
    duration(settings, "notify-timeout").ifPresent(b::notificationTimeout);
    integer(settings, "notify-attempts").ifPresent(b::notificationAttempts);
    List<String> keys = settings.getOrDefault("release-key", List.of());
    if (settings.containsKey("release-threshold") && keys.isEmpty()) {
      throw new InvalidInputException("--release-threshold", "needs --release-key options to count");
    }
    if (!keys.isEmpty()) {
      TrustStore.Builder trust = TrustStore.builder();
      for (String key : keys) {
        releaseKey(trust, "--release-key", key);
      }
      integer(settings, "release-threshold").ifPresent(trust::threshold);
      b.releaseKeys(trust.build());
    }
    return b.build();
  }

  private static final java.util.Set<String> SINK_KEYS = java.util.Set.of("name", "url", "secretFile", "format",
      "types");

  /**
   * A {@code --notify} value: a JSON object with {@code name}, {@code url}, {@code secretFile}, and optionally
   * {@code format} (default {@code cloudevents}) and {@code types} (an array; default every type).
   *
   * @param json the option's value
   * @return the sink
   * @throws InvalidInputException naming {@code notify} or {@code notify.FIELD} and the reason
   */
  static NotificationSink notificationSink(String json) {
    JsonNode root;
    try {
      root = ServerJson.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidInputException("notify", "is not a JSON object: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("notify", "must be a JSON object with name, url and secretFile");
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (!SINK_KEYS.contains(field.getKey())) {
        throw new InvalidInputException("notify." + field.getKey(), "is not a sink field; known: name, url,"
            + " secretFile, format, types");
      }
    }
    String name = text(root, "name", true);
    String url = text(root, "url", true);
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new InvalidInputException("notify.url", "'" + url + "' is not a URL: " + e.getReason());
    }
    String secretFile = text(root, "secretFile", true);
    String format = text(root, "format", false);
    java.util.Set<String> types = new java.util.LinkedHashSet<>();
    JsonNode typeList = root.get("types");
    if (typeList != null) {
      if (!typeList.isArray()) {
        throw new InvalidInputException("notify.types", "must be an array of event types");
      }
      for (JsonNode type : typeList) {
        if (!type.isTextual()) {
          throw new InvalidInputException("notify.types", "must be an array of event types (strings)");
        }
        types.add(type.asText());
      }
    }
    Path secret;
    try {
      secret = Path.of(secretFile);
    } catch (java.nio.file.InvalidPathException e) {
      throw new InvalidInputException("notify.secretFile", "'" + secretFile + "' is not a path: " + e.getReason());
    }
    return new NotificationSink(name, uri, secret,
        format == null ? NotificationSink.Format.CLOUDEVENTS : NotificationSink.Format.parse(format), types);
  }

  private static @Nullable String text(JsonNode root, String field, boolean required) {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new InvalidInputException("notify." + field, "is missing");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidInputException("notify." + field, "must be a non-blank string");
    }
    return value.asText();
  }

  private static @Nullable String one(Map<String, List<String>> settings, String name, @Nullable String fallback) {
    List<String> values = settings.get(name);
    if (values == null || values.isEmpty()) {
      return fallback;
    }
    if (values.size() > 1) {
      throw new InvalidInputException("--" + name, "given " + values.size() + " times; it takes one value");
    }
    return values.get(0);
  }

  private static java.util.OptionalInt integer(Map<String, List<String>> settings, String name) {
    String value = one(settings, name, null);
    if (value == null) {
      return java.util.OptionalInt.empty();
    }
    try {
      return java.util.OptionalInt.of(Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      throw new InvalidInputException("--" + name, "'" + value + "' is not a whole number");
    }
  }

  private static java.util.Optional<Duration> duration(Map<String, List<String>> settings, String name) {
    String value = one(settings, name, null);
    if (value == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(Durations.parse("--" + name, value));
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

  /**
   * The key id of a key file as {@code ringfence keys generate} names it: the file name without its extension.
   *
   * @param keyFile a key file
   * @return the key id
   */
  public static String keyId(Path keyFile) {
    String name = keyFile.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /**
   * Reads an Ed25519 private key file as {@code ringfence keys generate} writes it (Base64 of PKCS#8).
   *
   * @param keyFile the file
   * @param option the option that named it, for the message
   * @return the key
   * @throws InvalidInputException naming the option and the file when it cannot be read or is not such a key
   */
  public static PrivateKey readPrivateKey(Path keyFile, String option) {
    try {
      String text = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
      byte[] der = java.util.Base64.getDecoder().decode(text);
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IOException e) {
      throw new InvalidInputException(option, "cannot read " + keyFile + ": " + e.getMessage());
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new InvalidInputException(option, keyFile + " is not an Ed25519 private key written by 'ringfence keys"
          + " generate' (Base64 of PKCS#8): " + e.getMessage());
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: ringfence server [--config FILE] [--NAME VALUE]...");
    SETTINGS.forEach((name, meaning) -> out.println("  --" + name + ": " + meaning));
  }
}
