package dev.ringfence.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.cli.OwnerOnlyFile;
import dev.ringfence.core.RolloutEngine;
import dev.ringfence.examples.toyagent.ToyContent;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.server.AdminClient;
import dev.ringfence.server.ReleaseSigner;
import dev.ringfence.server.UpdateServer;
import dev.ringfence.server.UpdateServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The bad push, end to end, with real processes: an update server on loopback, {@code agents} agent JVMs
 * (the first {@code canaries} in the {@code lab} tier, the canary ring), a good release, then a poisoned
 * one. The canaries crash while loading it, are restarted by the supervisor, and go back to the good
 * release by themselves after 3 failed starts; the server halts the rollout on their crash reports and
 * rolls it back; the other agents are never offered the poisoned file. Ends on its own and prints what
 * happened; exit code 0 when every one of those claims held.
 */
public final class EndToEndDemo {

  static final String CHANNEL = "sensor-rules";
  static final String ROLLOUT = "channel-file-291";

  /**
   * @param agents agent processes, 2 to 32
   * @param canaries of which in the canary ring, 1 to agents - 1
   * @param workDirectory where the server's data and the agents' state go; null for a new temporary directory
   * @param timeout how long each phase may take before the demo gives up
   */
  public record Options(int agents, int canaries, @Nullable Path workDirectory, Duration timeout, boolean keep) {
    /** Checks the bounds. */
    public Options {
      if (agents < 2 || agents > 32) {
        throw new InvalidInputException("agents", agents + " is outside 2..32");
      }
      if (canaries < 1 || canaries >= agents) {
        throw new InvalidInputException("canaries", canaries + " is outside 1.." + (agents - 1));
      }
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new InvalidInputException("timeout", timeout + " must be positive");
      }
    }

    /** @return 10 agents, 2 canaries, a temporary directory, 60 s per phase */
    public static Options defaults() {
      return new Options(10, 2, null, Duration.ofSeconds(60), false);
    }
  }

  /**
   * What happened.
   *
   * @param ok every claim held
   * @param finalState the rollout's state at the end
   * @param haltReason the journaled cause of the halt, or null
   * @param crashes abnormal exits per agent
   * @param selfReverted agents whose own failed-start counter took them back
   * @param candidateDownloads agents that downloaded the poisoned release
   * @param finalVersions the version each agent last reported to the server
   * @param elapsed wall time
   * @param problems claims that did not hold
   */
  public record Result(boolean ok, String finalState, @Nullable String haltReason, Map<String, Integer> crashes,
      Set<String> selfReverted, Set<String> candidateDownloads, Map<String, Long> finalVersions, Duration elapsed,
      List<String> problems) {}

  private final PrintStream out;
  private final Options options;
  private final long started = System.nanoTime();
  private final Map<String, Long> loaded = new ConcurrentHashMap<>();
  private final Set<String> selfReverted = ConcurrentHashMap.newKeySet();
  private final Set<String> canaries = new TreeSet<>();

  private EndToEndDemo(PrintStream out, Options options) {
    this.out = out;
    this.options = options;
  }

  /**
   * @param args {@code [--agents N] [--canaries N] [--dir DIR] [--timeout PT60S]}
   */
  public static void main(String[] args) {
    System.exit(run(System.out, args));
  }

  /**
   * Runs the demo with options from the command line; for the {@code ringfence demo} subcommand.
   *
   * @param out where the story is printed
   * @param args {@code [--agents N] [--canaries N] [--dir DIR] [--timeout PT60S]}
   * @return 0 when every claim held, 1 when one did not, 2 for bad options
   */
  public static int run(PrintStream out, String... args) {
    Options options;
    try {
      options = parse(args);
    } catch (InvalidInputException e) {
      out.println("ringfence demo: " + e.getMessage());
      out.println("usage: ringfence demo [--agents 10] [--canaries 2] [--dir DIR] [--timeout PT60S]");
      return 2;
    }
    try {
      return run(out, options).ok() ? 0 : 1;
    } catch (Exception e) {
      out.println("ringfence demo failed: " + e);
      return 1;
    }
  }

  static Options parse(String[] args) {
    Options d = Options.defaults();
    int agents = d.agents();
    int canaries = d.canaries();
    Path dir = null;
    Duration timeout = d.timeout();
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        throw new InvalidInputException(option, "needs a value");
      }
      String value = args[++i];
      try {
        switch (option) {
          case "--agents" -> agents = Integer.parseInt(value);
          case "--canaries" -> canaries = Integer.parseInt(value);
          case "--dir" -> dir = Path.of(value);
          case "--timeout" -> timeout = dev.ringfence.core.Durations.parse("--timeout", value);
          default -> throw new InvalidInputException(option, "is not an option");
        }
      } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
        throw new InvalidInputException(option, "'" + value + "' is not valid: " + e.getMessage());
      }
    }
    return new Options(agents, canaries, dir, timeout, false);
  }

  /**
   * Runs the demo.
   *
   * @param out where the story is printed
   * @param options the options
   * @return what happened
   * @throws Exception when the server or an agent cannot be started
   */
  public static Result run(PrintStream out, Options options) throws Exception {
    return new EndToEndDemo(out, options).run();
  }

  private synchronized void say(String who, String what) {
    double seconds = (System.nanoTime() - started) / 1e9;
    out.printf(Locale.ROOT, "[%5.1fs] %-8s %s%n", seconds, who, what);
  }

  /**
   * Runs the story in the work folder, then says where its files are: a folder given with {@code --dir}, or
   * a temporary one with {@code --keep}, stays (journal, audit trail, agents' state); any other temporary
   * folder is removed.
   */
  private Result run() throws Exception {
    boolean temporary = options.workDirectory() == null;
    Path work = temporary ? Files.createTempDirectory("ringfence-e2e-")
        : Files.createDirectories(options.workDirectory());
    try {
      return runIn(work);
    } finally {
      if (temporary && !options.keep()) {
        MoreFiles.deleteRecursively(work, RecursiveDeleteOption.ALLOW_INSECURE);
        out.println("work folder " + work + " removed (--keep keeps it)");
      } else {
        out.println("work folder " + work + " kept: check its audit trail with 'ringfence audit verify "
            + work.resolve("server").resolve("journal") + "'");
      }
    }
  }

  private Result runIn(Path work) throws Exception {
    List<AgentProcess> agents = new ArrayList<>();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1", "release-2"), 2);
    KeyPair timestampKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    RootDocument root = trustRoot(signer, timestampKey);
    try (UpdateServer server = UpdateServer.start(UpdateServerConfig.custom(work.resolve("server")).port(0)
        .heartbeatInterval(Duration.ofSeconds(2)).tickInterval(Duration.ofMillis(200))
        .trustRoot(root).timestampKey("timestamp-1", timestampKey.getPrivate()).build())) {
      say("server", "listening on " + server.uri() + " (loopback; file journal in "
          + work.resolve("server").resolve("journal") + ")");
      say("server", "status page " + server.uri() + "status; admin token in " + server.adminTokenFile());
      say("server", "trust root v1: root keys 2-of-3 (offline), release keys " + root.release().keyIds() + " 2-of-2"
          + " (offline), timestamp key 'timestamp-1' (online, here): agents require a fresh signed timestamp");
      RolloutEngine engine = server.engine();
      engine.events().onTransition(t -> say("server", "rollout " + t.rolloutId() + ": " + t.from() + " -> " + t.to()
          + " (" + t.trigger() + ") " + t.cause()));
      AdminClient admin = new AdminClient(server.uri(), server.adminTokenFile(), http);

      List<String> ids = new ArrayList<>();
      Map<String, EndpointCredentials> credentials = new TreeMap<>();
      for (int i = 1; i <= options.agents(); i++) {
        boolean canary = i <= options.canaries();
        String id = canary ? String.format(Locale.ROOT, "lab-%d", i)
            : String.format(Locale.ROOT, "host-%02d", i - options.canaries());
        if (canary) {
          canaries.add(id);
        }
        ids.add(id);
        credentials.put(id, admin.enroll(id, canary ? "lab" : "standard", i % 2 == 0 ? "eu-west" : "us-east"));
      }
      say("admin", "enrolled " + ids.size() + " endpoints, each with its own token and HMAC key: " + canaries
          + " in tier 'lab' (the canary ring), the rest in tier 'standard'");

      byte[] good = ToyContent.generate(1, false);
      admin.publish(signer.sign(CHANNEL, 1, good, Instant.now().plus(Duration.ofDays(7))), good, true);
      say("admin", "published " + CHANNEL + " v1 (good, " + good.length + " bytes, signed 2-of-2) as the general release");

      for (String id : ids) {
        Path dir = Files.createDirectories(work.resolve("agents").resolve(id));
        Path config = writeConfig(dir, credentials.get(id), server, root);
        AgentProcess agent = new AgentProcess(id, config, dir.resolve("agent.log"), 8, this::onAgentEvent);
        agents.add(agent);
        agent.start();
      }
      say("fleet", "started " + agents.size() + " agent JVMs, each with its own state directory, polling every 400 ms");
      await("every agent runs v1", () -> ids.stream().allMatch(id -> loaded.getOrDefault(id, 0L) == 1L));
      say("fleet", "all " + ids.size() + " agents loaded v1");

      byte[] poisoned = ToyContent.generate(2, true);
      admin.publish(signer.sign(CHANNEL, 2, poisoned, Instant.now().plus(Duration.ofDays(7))), poisoned, false);
      say("admin", "published " + CHANNEL + " v2 (poisoned: rule r37 has " + (ToyContent.TEMPLATE_FIELDS + 1)
          + " fields for a " + ToyContent.TEMPLATE_FIELDS + "-field template)");
      JsonNode created = admin.createRollout(ROLLOUT, CHANNEL, 1, 2, AdminClient.labThenEveryonePlan(options.canaries()));
      say("admin", "created rollout " + ROLLOUT + " v1 -> v2; lint overrides accepted with their reasons: "
          + created.get("acceptedLintOverrides").size());
      admin.command(ROLLOUT, "start", null);

      await("the rollout is halted and rolled back", () -> {
        try {
          return "ROLLED_BACK".equals(admin.rollout(ROLLOUT).get("state").asText());
        } catch (IOException e) {
          return false;
        }
      });
      await("every canary runs v1 again", () -> canaries.stream().allMatch(id -> loaded.getOrDefault(id, 0L) == 1L));

      JsonNode rollout = admin.rollout(ROLLOUT);
      Map<String, Long> finalVersions = new TreeMap<>();
      Set<String> downloads = new TreeSet<>();
      for (JsonNode e : admin.endpoints()) {
        String id = e.get("endpointId").asText();
        finalVersions.put(id, e.path("versions").path(CHANNEL).asLong(-1));
        e.path("downloads").forEach(d -> {
          if (d.asText().equals(CHANNEL + ":2")) {
            downloads.add(id);
          }
        });
      }
      agents.forEach(AgentProcess::stop);
      Map<String, Integer> crashes = new TreeMap<>();
      agents.forEach(a -> crashes.put(a.endpointId(), a.abnormalExits().size()));
      return report(rollout, crashes, downloads, finalVersions, ids);
    } finally {
      agents.forEach(AgentProcess::stop);
    }
  }

  private void onAgentEvent(String line) {
    String[] parts = line.split(" ", 3);
    String id = parts[0];
    String kind = parts.length > 1 ? parts[1] : "";
    String rest = parts.length > 2 ? parts[2] : "";
    boolean canary = canaries.contains(id);
    switch (kind) {
      case "loaded" -> {
        long version = Long.parseLong(rest.split(" ")[0].substring(1));
        Long before = loaded.put(id, version);
        if (canary || before == null || before != version) {
          say(id, "loaded v" + version);
        }
      }
      case "start" -> {
        if (rest.startsWith("REVERTED")) {
          selfReverted.add(id);
          say(id, "reverted BY ITSELF: " + rest.substring(rest.indexOf(' ', rest.indexOf(' ') + 1) + 1));
        } else if (canary && rest.startsWith("TRIAL")) {
          say(id, "restarted: " + rest.substring(rest.indexOf(' ', rest.indexOf(' ') + 1) + 1));
        }
      }
      case "crash" -> say(id, "CRASHED while loading " + rest);
      case "exit" -> say(id, "process exited with code " + rest + "; the supervisor starts it again");
      case "activated", "server-revert", "refused", "gave-up", "could-not-start" -> say(id, kind + " " + rest);
      default -> { }
    }
  }

  private Result report(JsonNode rollout, Map<String, Integer> crashes, Set<String> downloads,
      Map<String, Long> finalVersions, List<String> ids) {
    String state = rollout.get("state").asText();
    String haltReason = rollout.path("haltReason").isNull() ? null : rollout.path("haltReason").asText(null);
    List<String> problems = new ArrayList<>();
    if (!state.equals("ROLLED_BACK")) {
      problems.add("the rollout ended " + state + ", not ROLLED_BACK");
    }
    if (haltReason == null) {
      problems.add("no halt was journaled");
    }
    for (String id : canaries) {
      if (crashes.getOrDefault(id, 0) == 0) {
        problems.add(id + " never crashed on the poisoned release");
      }
      if (!selfReverted.contains(id)) {
        problems.add(id + " did not revert by itself");
      }
    }
    for (String id : ids) {
      if (!canaries.contains(id) && downloads.contains(id)) {
        problems.add(id + " (outside the canary ring) downloaded the poisoned release");
      }
      if (!canaries.contains(id) && crashes.getOrDefault(id, 0) > 0) {
        problems.add(id + " (outside the canary ring) crashed");
      }
      if (finalVersions.getOrDefault(id, -1L) != 1L) {
        problems.add(id + " last reported v" + finalVersions.get(id) + ", not v1");
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    out.println();
    out.println("What happened");
    out.println("  halt:      " + (haltReason == null ? "none" : haltReason));
    out.println("  rollout:   " + state + ", " + rollout.get("exposedTotal").asLong() + " exposed, "
        + rollout.get("revertedCount").asLong() + " back on v1");
    for (String id : canaries) {
      out.println("  " + id + ":     crashed " + crashes.get(id) + " times loading v2, "
          + (selfReverted.contains(id) ? "went back to v1 by itself (failed-start counter)" : "did NOT revert by itself")
          + ", now on v" + finalVersions.get(id));
    }
    int others = ids.size() - canaries.size();
    long clean = ids.stream().filter(id -> !canaries.contains(id) && !downloads.contains(id)).count();
    out.println("  others:    " + clean + " of " + others + " never received v2; poisoned file downloaded only by "
        + downloads);
    out.println("  elapsed:   " + String.format(Locale.ROOT, "%.1f s", elapsed.toMillis() / 1000.0));
    out.println(problems.isEmpty() ? "OK: the bad push stopped at the canary ring." : "NOT OK: " + problems);
    return new Result(problems.isEmpty(), state, haltReason, crashes, Set.copyOf(selfReverted), downloads,
        finalVersions, elapsed, problems);
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + options.timeout() + " waiting until " + what);
      }
      Thread.sleep(100);
    }
  }

  /**
   * Trust root v1 of the demo: three root keys (two must sign a rotation; generated here and dropped, as they
   * would be kept offline), the signer's release keys with its threshold, and the server's online timestamp key.
   */
  private static RootDocument trustRoot(ReleaseSigner signer, KeyPair timestampKey) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    Map<String, KeyPair> rootKeys = new TreeMap<>();
    for (String id : List.of("root-1", "root-2", "root-3")) {
      rootKeys.put(id, generator.generateKeyPair());
    }
    Map<String, PublicKey> keys = new TreeMap<>();
    rootKeys.forEach((id, pair) -> keys.put(id, pair.getPublic()));
    signer.publicKeys().forEach((id, x509) -> keys.put(id, TrustStore.ed25519PublicKey(x509)));
    keys.put("timestamp-1", timestampKey.getPublic());
    RootDocument root = new RootDocument(1, Instant.now().plus(Duration.ofDays(365)), keys,
        new RootDocument.Role(List.copyOf(rootKeys.keySet()), 2),
        new RootDocument.Role(List.copyOf(signer.publicKeys().keySet()), signer.threshold()),
        new RootDocument.Role(List.of("timestamp-1"), 1), Map.of(), Set.of(), List.of());
    for (String id : List.of("root-1", "root-2")) {
      root = root.signedBy(id, rootKeys.get(id).getPrivate());
    }
    return root;
  }

  private static Path writeConfig(Path dir, EndpointCredentials c, UpdateServer server, RootDocument root)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode config = mapper.createObjectNode();
    config.put("endpointId", c.endpointId());
    config.put("token", c.token());
    config.put("hmacKey", Base64.getEncoder().encodeToString(c.hmacKey()));
    config.put("server", server.uri().toString());
    config.put("channel", CHANNEL);
    config.put("stateDirectory", dir.resolve("state").toString());
    config.put("pollMillis", 400);
    config.set("trustRoot", mapper.readTree(root.toJson()));
    Path file = dir.resolve("agent.json");
    Files.deleteIfExists(file);
    OwnerOnlyFile.create(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(config),
        StandardCharsets.UTF_8);
    return file;
  }
}
