package dev.ringfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's exit codes and messages, and the scenario reader's errors through it. */
class RingfenceCliTest {

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return RingfenceCli.run(new PrintWriter(out), new PrintWriter(err), args);
  }

  @Test
  void planLint_exitCodes_ok_findings_invalid() throws Exception {
    Path ok = Path.of("../simulator/src/main/resources/scenarios/content-rings-plan.json");
    assertThat(run("plan", "lint", ok.toString())).isEqualTo(0);
    assertThat(out.toString()).contains("passes the lint");
    assertThat(run("plan", "lint", dir.resolve("missing.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("missing.json: no such file or folder");
    Path stale = Files.writeString(dir.resolve("stale.json"), "{\"schemaVersion\":1,\"name\":\"stale\",\"rings\":["
        + "{\"name\":\"canary\",\"share\":100,\"cap\":50,\"bakeTime\":\"30m\",\"gate\":{\"type\":\"health\"}},"
        + "{\"name\":\"all\",\"share\":1000,\"bakeTime\":\"1h\",\"gate\":{\"type\":\"health\"}}],"
        + "\"overrides\":[{\"rule\":\"FIRST_RING_TOO_LARGE\",\"ring\":\"canary\",\"reason\":\"left from an old plan\"}]}");
    assertThat(run("plan", "lint", stale.toString())).isEqualTo(0);
    assertThat(out.toString()).contains("unused override: FIRST_RING_TOO_LARGE on ring 'canary' matches no finding");

    Path wide = Files.writeString(dir.resolve("wide.json"), "{\"schemaVersion\":1,\"name\":\"wide\",\"rings\":["
        + "{\"name\":\"all\",\"share\":10000,\"bakeTime\":\"PT0S\",\"gate\":{\"type\":\"health\"}}]}");
    assertThat(run("plan", "lint", wide.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("wide.json: rings[0] 'all': FIRST_RING").doesNotContain("rings[0]: rings[0]");

    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"schemaVersion\":1,\"name\":\"x\",\"rings\":["
        + "{\"name\":\"a\",\"share\":15000,\"bakeTime\":\"PT0S\"}]}");
    assertThat(run("plan", "lint", bad.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("rings[0].share");

    // The gates as an engine builds them: a parameter it refuses fails the lint too, a type it lacks is a note.
    String twoRings = "{\"schemaVersion\":1,\"name\":\"g\",\"rings\":["
        + "{\"name\":\"canary\",\"share\":100,\"cap\":50,\"bakeTime\":\"30m\",\"gate\":GATE},"
        + "{\"name\":\"all\",\"share\":1000,\"bakeTime\":\"1h\",\"gate\":{\"type\":\"health\"}}]}";
    Path explode = Files.writeString(dir.resolve("explode.json"), twoRings.replace("GATE",
        "{\"type\":\"health\",\"params\":{\"onFail\":\"explode\"}}"));
    assertThat(run("plan", "lint", explode.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("explode.json: rings[0].gate.params.onFail: must be \"rollback\"");
    Path custom = Files.writeString(dir.resolve("custom.json"), twoRings.replace("GATE",
        "{\"type\":\"datadog-monitor\",\"params\":{\"monitor\":42}}"));
    assertThat(run("plan", "lint", custom.toString())).isZero();
    assertThat(out.toString()).contains("note: ring 'canary': gate type 'datadog-monitor' is not built in")
        .contains("passes the lint");
  }

  @Test
  void auditVerify_intact_broken_missing() throws Exception {
    Path journal = dir.resolve("journal");
    dev.ringfence.core.store.FileRolloutStore store = dev.ringfence.core.store.RolloutStores.file(journal);
    dev.ringfence.core.RolloutEngine engine = dev.ringfence.core.RolloutEngine.create(
        dev.ringfence.core.RolloutEngineConfig.custom().store(store).build());
    dev.ringfence.core.Rollout rollout = engine.createRollout(dev.ringfence.core.RolloutSpec.builder("r1")
        .channel("c").baseline(1).candidate(2)
        .plan(dev.ringfence.core.plan.Plans.fromFile(Path.of("../simulator/src/main/resources/scenarios/content-rings-plan.json")))
        .build());
    rollout.start();
    rollout.by("alice").halt("test halt");
    store.close();
    assertThat(run("audit", "verify", journal.toString())).isEqualTo(0);
    assertThat(out.toString()).contains("intact");

    Path trail = journal.resolve("audit.jsonl");
    java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(trail));
    int halt = java.util.stream.IntStream.range(0, lines.size()).filter(k -> lines.get(k).contains("alice"))
        .findFirst().orElseThrow();
    lines.set(halt, lines.get(halt).replace("alice", "mallory"));
    Files.write(trail, lines);
    assertThat(run("audit", "verify", trail.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("BROKEN");

    Path missing = dir.resolve("nothing");
    assertThat(run("audit", "verify", missing.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no such audit trail");
  }

  @Test
  void simulate_badScenarioFile_namesFileLineAndField() throws Exception {
    String good = new String(getClass().getResourceAsStream("/scenarios/healthy.json").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    Path typo = Files.writeString(dir.resolve("typo.json"), good.replace("\"lossRate\"", "\"lossrate\""));
    assertThat(run("simulate", typo.toString(), "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("typo.json:").contains("lossrate");

    Path range = Files.writeString(dir.resolve("range.json"), good.replace("\"offlineShare\": 0.03",
        "\"offlineShare\": 1.5"));
    assertThat(run("simulate", range.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("range.json:").containsPattern(":\\d+:\\d+: ")
        .contains("fleet.offlineShare: 1.5 is outside 0..1");

    assertThat(run("simulate", dir.resolve("none.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no such file");
    assertThat(run("simulate", "healthy", "--endpoints", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--endpoints: 0 is outside");
    assertThat(run("simulate")).isEqualTo(2);
    assertThat(run("nonsense")).isEqualTo(2);
    assertThat(run("plan")).isEqualTo(2);
    assertThat(err.toString()).contains("plan: name a subcommand, e.g. 'plan lint plan.json'");
  }

  @Test
  void simulate_writesReportAndCharts_andPrintsTheSummary() throws Exception {
    assertThat(run("simulate", "subset-crash", "--endpoints", "6000", "--seed", "5", "--out", dir.toString(),
        "--quiet")).isEqualTo(0);
    assertThat(out.toString()).contains("with Ringfence").contains("need hands-on repair");
    Path base = dir.resolve("subset-crash-seed5-6000");
    assertThat(Files.readString(Path.of(base + ".json"))).contains("\"withRingfence\"").contains("\"seed\" : 5");
    assertThat(Files.size(Path.of(base + ".png"))).isGreaterThan(10_000);
    assertThat(Files.readString(Path.of(base + ".svg"))).startsWith("<?xml").contains("<svg");
    java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(Path.of(base + ".png").toFile());
    assertThat(png.getHeight()).as("the whole run above, the first hour below").isGreaterThan(900);
    assertThat(Files.readString(Path.of(base + "-first-hour.svg"))).contains("<svg").contains("height=\"360px\"");
  }

  @Test
  void simulate_summarySaysWhyTheRunPausedAndResumed() throws Exception {
    String good = new String(getClass().getResourceAsStream("/scenarios/healthy.json").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    Files.write(dir.resolve("content-rings-plan.json"),
        getClass().getResourceAsStream("/scenarios/content-rings-plan.json").readAllBytes());
    Path outage = Files.writeString(dir.resolve("outage.json"), good.replace("\"bootTime\": \"90s\"",
        "\"bootTime\": \"90s\", \"outages\": [{\"from\": \"10m\", \"duration\": \"15m\"}]"));
    assertThat(run("simulate", outage.toString(), "--endpoints", "4000", "--seed", "3", "--out", dir.toString(),
        "--quiet")).as(err.toString()).isEqualTo(0);
    // The outage pauses and resumes; 38 endpoints of 4,000 never fill the canary's sample of 50, which pauses
    // the run for good: both reasons are in the summary, not only in the JSON report.
    assertThat(out.toString()).containsPattern("paused after \\d+m \\d+s \\(ring canary\\): reports from .* fell")
        .containsPattern("resumed after \\d+m \\d+s \\(ring canary\\): reports recovered")
        .containsPattern("paused after 2h 30m \\(ring canary\\): ring 'canary' is still INCONCLUSIVE");
  }

  @Test
  void help_listsTheCommands() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out.toString()).contains("simulate").contains("plan").contains("audit");
  }

  /**
   * The release walk-through without openssl: a key pair from 'keys generate', an envelope from 'release
   * sign' that the agents' trust store verifies, and 'release publish' to a server that trusts the key;
   * a payload that does not match its envelope, and an envelope signed by a key the server does not
   * trust, are refused with the server's reason.
   */
  @Test
  void keysGenerate_releaseSign_releasePublish() throws Exception {
    Path keys = dir.resolve("keys");
    assertThat(run("keys", "generate", "--id", "release-1", "--out", keys.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("--release-key release-1=");
    assertThat(java.nio.file.Files.getPosixFilePermissions(keys.resolve("release-1.key")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(run("keys", "generate", "--id", "release-1", "--out", keys.toString())).as("never overwrites")
        .isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("never overwritten");
    assertThat(run("keys", "generate", "--id", "other", "--out", keys.toString())).isZero();

    java.security.PublicKey trusted = dev.ringfence.agent.TrustStore.ed25519PublicKey(java.util.Base64.getDecoder()
        .decode(Files.readString(keys.resolve("release-1.pub")).trim()));
    dev.ringfence.agent.TrustStore trust = dev.ringfence.agent.TrustStore.builder().key("release-1", trusted)
        .threshold(1).build();
    Path payload = Files.writeString(dir.resolve("rules-v1.bin"), "rules v1\n");
    assertThat(run("release", "sign", "--channel", "rules", "--version", "1", "--payload", payload.toString(),
        "--key", keys.resolve("release-1.key").toString())).as(err.toString()).isZero();
    Path envelopeFile = dir.resolve("rules-v1.bin.envelope.json");
    dev.ringfence.agent.Envelope envelope = dev.ringfence.agent.Envelope.parse(Files.readAllBytes(envelopeFile));
    trust.verify(envelope, "rules", java.time.Instant.now()); // throws if the signature does not hold
    assertThat(envelope.version()).isEqualTo(1);

    Path forged = dir.resolve("forged.json");
    assertThat(run("release", "sign", "--channel", "rules", "--version", "1", "--payload", payload.toString(),
        "--key", keys.resolve("other.key").toString(), "--out", forged.toString())).isZero();
    assertThat(run("release", "sign", "--channel", "rules", "--version", "0", "--payload", payload.toString(),
        "--key", keys.resolve("other.key").toString())).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("--version: 0 must be at least 1");

    try (dev.ringfence.server.UpdateServer server = server(trust)) {
      String base = server.uri().toString();
      String token = server.adminTokenFile().toString();
      Path tampered = Files.writeString(dir.resolve("tampered.bin"), "rules v1, changed\n");
      assertThat(run("release", "publish", "--server", base, "--token-file", token, "--envelope",
          envelopeFile.toString(), "--payload", tampered.toString(), "--general")).isEqualTo(1);
      assertThat(err.toString()).contains("refused").contains("payloadBase64");
      assertThat(run("release", "publish", "--server", base, "--token-file", token, "--envelope", forged.toString(),
          "--payload", payload.toString(), "--general")).isEqualTo(1);
      assertThat(err.toString()).contains("other");
      assertThat(run("release", "publish", "--server", base, "--token-file", token, "--envelope",
          envelopeFile.toString(), "--payload", payload.toString(), "--general")).as(err.toString()).isZero();
      assertThat(out.toString()).contains("published").contains("\"version\":1");
    }
  }

  /** @return an update server on 127.0.0.1 at an ephemeral port, its data under the test's directory */
  private dev.ringfence.server.UpdateServer server(dev.ringfence.agent.TrustStore releaseKeys) throws Exception {
    return dev.ringfence.server.UpdateServer.start(dev.ringfence.server.UpdateServerConfig.custom(dir.resolve("server"))
        .port(0).releaseKeys(releaseKeys).build());
  }

  /** An operator steers a rollout from the command line: create, start, status, halt; refusals exit 1. */
  @Test
  void rolloutCommands_createStartStatusHalt() throws Exception {
    dev.ringfence.server.ReleaseSigner signer = new dev.ringfence.server.ReleaseSigner(java.util.List.of("k1"), 1);
    try (dev.ringfence.server.UpdateServer server = server(signer.trustStore())) {
      dev.ringfence.server.AdminClient admin = new dev.ringfence.server.AdminClient(server.uri(),
          server.adminTokenFile(), java.net.http.HttpClient.newHttpClient());
      for (long v = 1; v <= 2; v++) {
        byte[] content = ("rules v" + v).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        admin.publish(signer.sign("rules", v, content, java.time.Instant.now().plusSeconds(3600)), content, v == 1);
      }
      Path plan = Files.writeString(dir.resolve("plan.json"), dev.ringfence.server.AdminClient.labThenEveryonePlan(2));
      java.util.function.Function<String[], Integer> rollout = args -> rolloutAt(server, args);

      assertThat(rollout.apply(new String[] {"create", "r1", "--channel", "rules", "--baseline", "1", "--candidate",
          "2", "--plan", plan.toString()})).as(err.toString()).isZero();
      assertThat(out.toString()).contains("r1: PLANNED");
      assertThat(rollout.apply(new String[] {"start", "r1"})).as(err.toString()).isZero();
      assertThat(rollout.apply(new String[] {"status", "r1"})).isZero();
      assertThat(out.toString()).contains("r1: RUNNING, ring 'canary', exposed 0");
      assertThat(rollout.apply(new String[] {"pause", "r1"})).as("a pause needs a reason")
          .isEqualTo(RingfenceCli.EXIT_USAGE);
      assertThat(err.toString()).contains("--reason");
      assertThat(rollout.apply(new String[] {"halt", "r1", "--reason", "crash reports from the lab"})).isZero();
      assertThat(admin.rollout("r1").get("state").asText()).isIn("HALTED", "ROLLING_BACK", "ROLLED_BACK");
      assertThat(rollout.apply(new String[] {"status", "nope"})).as("unknown rollout").isEqualTo(1);
      assertThat(err.toString()).contains("refused").contains("404");
      assertThat(rollout.apply(new String[] {"create", "r2", "--channel", "rules", "--baseline", "1", "--candidate",
          "2", "--plan", dir.resolve("missing.json").toString()})).isEqualTo(RingfenceCli.EXIT_USAGE);
      assertThat(err.toString()).contains("--plan").contains("no such file");
      // A broken plan file is named with its problem's place, before anything is sent.
      Path broken = Files.writeString(dir.resolve("broken.json"), "{\"name\": \"p\", \"rings\": [}");
      assertThat(rollout.apply(new String[] {"create", "r2", "--channel", "rules", "--baseline", "1", "--candidate",
          "2", "--plan", broken.toString()})).isEqualTo(RingfenceCli.EXIT_USAGE);
      assertThat(err.toString()).contains("--plan " + broken + ": not a valid plan: $: not valid JSON at line 1, column ");
      assertThat(err.toString()).doesNotContain("JsonParseException").doesNotContain("Unexpected character");
      // An id the URL path would drop ('..') is refused, so no rollout is left that no command can reach.
      assertThat(rollout.apply(new String[] {"create", "..", "--channel", "rules", "--baseline", "1", "--candidate",
          "2", "--plan", plan.toString()})).isEqualTo(1);
      assertThat(err.toString()).contains("id: '..' must be 1 to 128 of").contains("not start with '.'");
      assertThat(admin.call("GET", "admin/v1/rollouts", null).toString()).doesNotContain("\"..\"");
    }
  }

  @Test
  void anAdminCommandWhoseServerIsNotThere_exits3NamingTheUrl() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path token = Files.writeString(dir.resolve("admin.token"), "x".repeat(43));
    assertThat(run("rollout", "halt", "r1", "--reason", "crash reports", "--server", "http://127.0.0.1:" + port + "/",
        "--token-file", token.toString())).isEqualTo(RingfenceCli.EXIT_UNREACHABLE);
    assertThat(err.toString()).contains("POST http://127.0.0.1:" + port + "/admin/v1/rollouts/r1/halt: cannot connect")
        .contains("nothing was sent");
  }

  /**
   * An operator approves a ring that awaits approval, is refused (exit 1, the server's reason) where there is nothing
   * to approve or the gate has not passed, and skips a gate with a written reason; a blank reason is a usage error
   * (exit 2). The server's ticker is idle: the test ticks the engine itself, on a manual clock.
   */
  @Test
  void rolloutCommands_approvePromoteSkipGate() throws Exception {
    dev.ringfence.server.ReleaseSigner signer = new dev.ringfence.server.ReleaseSigner(java.util.List.of("k1"), 1);
    dev.ringfence.testing.ManualClock clock = dev.ringfence.testing.ManualClock.at("2026-12-01T09:00:00Z");
    try (dev.ringfence.server.UpdateServer server = dev.ringfence.server.UpdateServer.start(
        dev.ringfence.server.UpdateServerConfig.custom(dir.resolve("server")).port(0).clock(clock)
            .tickInterval(java.time.Duration.ofHours(1)).releaseKeys(signer.trustStore()).build())) {
      dev.ringfence.server.AdminClient admin = new dev.ringfence.server.AdminClient(server.uri(),
          server.adminTokenFile(), java.net.http.HttpClient.newHttpClient());
      for (long v = 1; v <= 2; v++) {
        byte[] content = ("rules v" + v).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        admin.publish(signer.sign("rules", v, content, clock.instant().plusSeconds(3600)), content, v == 1);
      }
      Path plan = Files.writeString(dir.resolve("plan.json"), """
          {"schemaVersion":1,"name":"approved","rollbackTimeout":"PT2M",
           "rings":[
             {"name":"canary","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":2,
              "bakeTime":"PT0S","gate":{"type":"approval"}},
             {"name":"middle","selector":[{"attribute":"tier","op":"in","values":["lab"]}],"share":10000,"cap":2,
              "bakeTime":"PT1H","gate":{"type":"time-and-sample"}},
             {"name":"everyone","share":10000,"bakeTime":"PT0S","gate":{"type":"health"}}],
           "overrides":[
             {"rule":"FIRST_RING_TOO_LARGE","ring":"canary","reason":"the lab tier, capped at 2"},
             {"rule":"ZERO_BAKE_TIME","ring":"canary","reason":"a person looks at the lab before approving"},
             {"rule":"SHARE_DOES_NOT_GROW","ring":"middle","reason":"rings are chosen by tier"},
             {"rule":"SHARE_DOES_NOT_GROW","ring":"everyone","reason":"rings are chosen by tier"}]}
          """);
      java.util.function.Function<String[], Integer> rollout = args -> rolloutAt(server, args);
      assertThat(rollout.apply(new String[] {"create", "r1", "--channel", "rules", "--baseline", "1", "--candidate",
          "2", "--plan", plan.toString()})).as(err.toString()).isZero();
      assertThat(rollout.apply(new String[] {"start", "r1"})).as(err.toString()).isZero();
      server.engine().tick(); // the approval gate passes at once (no bake time, no minimum sample)

      assertThat(rollout.apply(new String[] {"status", "r1"})).isZero();
      assertThat(out.toString()).contains("r1: RUNNING, ring 'canary'")
          .contains("awaits approval since " + clock.instant());
      assertThat(rollout.apply(new String[] {"approve", "r1", "--reason", "lab looks clean"})).as(err.toString())
          .isZero();
      assertThat(out.toString()).contains("ring approved at " + clock.instant());
      server.engine().tick();
      assertThat(admin.rollout("r1").get("ringName").asText()).isEqualTo("middle");

      assertThat(rollout.apply(new String[] {"approve", "r1"})).as("nothing to approve").isEqualTo(1);
      assertThat(err.toString()).contains("refused").contains("409").contains("nothing to approve")
          .contains("ring 'middle'");
      server.engine().tick();
      assertThat(rollout.apply(new String[] {"promote", "r1"})).as("the gate has not passed").isEqualTo(1);
      assertThat(err.toString()).contains("ring 'middle' has not passed its gate").contains("INCONCLUSIVE");
      assertThat(rollout.apply(new String[] {"promote", "r1", "--skip-gate", " "})).as("a blank reason")
          .isEqualTo(RingfenceCli.EXIT_USAGE);
      assertThat(err.toString()).contains("--skip-gate").contains("written reason");
      assertThat(rollout.apply(new String[] {"promote", "r1", "--skip-gate", "typo fix, no bake needed"}))
          .as(err.toString()).isZero();
      assertThat(out.toString()).contains("r1: RUNNING, ring 'everyone'");
      assertThat(admin.rollout("r1").get("transitions").findValuesAsText("cause"))
          .anySatisfy(c -> assertThat(c).startsWith("gate skipped by ").contains(": typo fix, no bake needed"));
    }
  }

  /**
   * An admin makes an operator token with 'token create --out' (a 0600 file), lists it and revokes it; the
   * operator stops everything with 'stop-all' and cannot lift it (exit 1, the role needed on stderr); the admin
   * lifts it; a revoked token's stop-all is refused (exit 1, 401).
   */
  @Test
  void tokenAndStopAllCommands_createListStopLiftRevoke() throws Exception {
    dev.ringfence.server.ReleaseSigner signer = new dev.ringfence.server.ReleaseSigner(java.util.List.of("k1"), 1);
    try (dev.ringfence.server.UpdateServer server = server(signer.trustStore())) {
      String url = server.uri().toString();
      String adminFile = server.adminTokenFile().toString();
      Path oncall = dir.resolve("tokens/oncall.token");
      assertThat(run("token", "create", "oncall", "--role", "operator", "--out", oncall.toString(), "--server", url,
          "--token-file", adminFile)).as(err.toString()).isZero();
      assertThat(out.toString()).contains("token 'oncall' (operator) created; written to " + oncall);
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(oncall)))
          .isEqualTo("rw-------");
      assertThat(run("token", "create", "oncall", "--role", "viewer", "--server", url, "--token-file", adminFile))
          .as("a name is taken").isEqualTo(1);
      assertThat(err.toString()).contains("409");
      assertThat(run("token", "list", "--server", url, "--token-file", adminFile)).isZero();
      assertThat(out.toString()).containsPattern("oncall +operator +created ")
          .doesNotContain(Files.readString(oncall).trim());

      assertThat(run("stop-all", "--reason", "incident 7", "--server", url, "--token-file", oncall.toString()))
          .as(err.toString()).isZero();
      assertThat(out.toString()).contains("stop-all in force since").contains("by oncall: incident 7");
      assertThat(run("stop-all", "--lift", "--reason", "over", "--server", url, "--token-file", oncall.toString()))
          .as("an operator cannot lift").isEqualTo(1);
      assertThat(err.toString()).contains("403").contains("needs role admin");
      assertThat(run("stop-all", "--lift", "--server", url, "--token-file", adminFile)).as("a lift needs a reason")
          .isEqualTo(RingfenceCli.EXIT_USAGE);
      assertThat(run("stop-all", "--lift", "--reason", "over", "--server", url, "--token-file", adminFile)).isZero();
      assertThat(out.toString()).contains("stop-all lifted").contains("by oncall");

      assertThat(run("token", "revoke", "oncall", "--server", url, "--token-file", adminFile)).isZero();
      assertThat(out.toString()).contains("token 'oncall' revoked at");
      assertThat(run("stop-all", "--reason", "again", "--server", url, "--token-file", oncall.toString()))
          .as("a revoked token").isEqualTo(1);
      assertThat(err.toString()).contains("401");
    }
  }

  /** 'server --help' lists every setting the config file takes; bad settings exit 2 naming them. */
  @Test
  void serverHelp_listsEverySetting_andBadSettingsExit2() throws Exception {
    assertThat(run("server", "--help")).isZero();
    for (String setting : dev.ringfence.server.UpdateServerMain.SETTINGS.keySet()) {
      assertThat(out.toString()).contains("--" + setting);
    }
    assertThat(out.toString()).contains("--config").contains("default 8080");
    assertThat(run("server", "--port", "eighty")).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("--port: 'eighty' is not a whole number");
    Path config = Files.writeString(dir.resolve("server.json"), "{\"port\": 0, \"colour\": \"red\"}");
    assertThat(run("server", "--config", config.toString())).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("'colour' is not a setting");
    // A value the configuration refuses is named by its option, not by a builder's field.
    assertThat(run("server", "--data", dir.resolve("d").toString(), "--tick-interval", "0s"))
        .isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("--tick-interval: PT0S must be a positive duration")
        .doesNotContain("tickInterval");
    Path key = dir.resolve("keys");
    assertThat(run("keys", "generate", "--id", "release-1", "--out", key.toString())).isZero();
    String publicKey = Files.readString(key.resolve("release-1.pub")).strip();
    assertThat(run("server", "--data", dir.resolve("d").toString(), "--release-key", "release-1=" + publicKey,
        "--release-threshold", "0")).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("--release-threshold: 0 must be at least 1");
    Path bool = Files.writeString(dir.resolve("bool.json"), "{\"bind\": false}");
    assertThat(run("server", "--config", bool.toString())).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains(bool + ": 'bind' must be a string or a number");
    assertThat(run("demo", "--help")).as("help, not 'needs a value'").isZero();
    Path used = Files.createDirectories(dir.resolve("used-demo"));
    Files.writeString(used.resolve("left-over"), "from an earlier run");
    assertThat(run("demo", "--dir", used.toString())).as("a folder an earlier run left").isEqualTo(2);
    assertThat(err.toString()).contains("--dir " + used + ": is not empty");
    assertThat(out.toString()).contains("--agents").contains("Default: 10");
  }

  /** Runs {@code ringfence rollout ARGS} against {@code server} with its generated admin token. */
  private int rolloutAt(dev.ringfence.server.UpdateServer server, String... args) {
    String[] at = {"--server", server.uri().toString(), "--token-file", server.adminTokenFile().toString()};
    String[] all = new String[args.length + at.length + 1];
    all[0] = "rollout";
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(at, 0, all, 1 + args.length, at.length);
    return run(all);
  }
}
