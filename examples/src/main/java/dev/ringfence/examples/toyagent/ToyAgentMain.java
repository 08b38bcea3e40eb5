package dev.ringfence.examples.toyagent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.ActiveContent;
import dev.ringfence.agent.BufferedSignalSink;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.FetchConfig;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.SignalSinks;
import dev.ringfence.agent.StartResult;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.agent.UpdateCheck;
import dev.ringfence.protocol.SignalSink;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * One endpoint of the end-to-end demo, in its own JVM: {@code rollout-agent} in front of a toy consumer
 * that loads the active content with {@link ToyContent#load}. A poisoned file makes the load throw, and
 * the process dies, like a host that crashes while loading its content; the demo's supervisor starts it
 * again, and the agent's failed-start counter takes it back to the last-known-good after 3 starts.
 *
 * <p>Argument: a JSON config file (mode 0600: it holds the enrollment token and HMAC key). The process
 * prints one {@code EVENT ...} line per step on stdout and exits when its stdin closes, so it never
 * outlives the demo.
 */
public final class ToyAgentMain {

  private ToyAgentMain() {}

  /**
   * @param args the config file
   * @throws Exception when loading crashes: the process exits abnormally
   */
  public static void main(String[] args) throws Exception {
    JsonNode config = new ObjectMapper().readTree(Path.of(args[0]).toFile());
    Thread watcher = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() != -1) {
          // the supervisor writes nothing; EOF means "stop"
        }
      } catch (IOException e) {
        // closed: stop
      }
      System.out.println("EVENT stop");
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }, "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();

    EndpointCredentials credentials = new EndpointCredentials(config.get("endpointId").asText(),
        config.get("token").asText(), Base64.getDecoder().decode(config.get("hmacKey").asText()));
    URI server = URI.create(config.get("server").asText());
    String channel = config.get("channel").asText();

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    BufferedSignalSink sink = SignalSinks.http(server.resolve("v1/channels/" + channel + "/signals"), 1_000, http,
        credentials);
    RolloutAgent.Builder builder = RolloutAgent.builder();
    if (config.has("trustRoot")) {
      // A trust root: release keys from its release role, rotations followed, fresh timestamps required.
      builder.trustRoot(RootDocument.parse(config.get("trustRoot").toString().getBytes(StandardCharsets.UTF_8)));
    } else {
      TrustStore.Builder trust = TrustStore.builder();
      for (Map.Entry<String, JsonNode> key : config.get("trustedKeys").properties()) {
        trust.key(key.getKey(), TrustStore.ed25519PublicKey(Base64.getDecoder().decode(key.getValue().asText())));
      }
      builder.trustStore(trust.threshold(config.get("threshold").asInt()).build());
    }
    RolloutAgent agent = builder.stateDirectory(Path.of(config.get("stateDirectory").asText()))
        .endpointId(credentials.endpointId()).channel(channel).credentials(credentials)
        .updateServer(server).signalSink(sink)
        .fetchConfig(FetchConfig.custom().attemptTimeout(Duration.ofSeconds(10)).maxAttempts(2)
            .initialBackoff(Duration.ofMillis(200)).breakerOpenDuration(Duration.ofSeconds(2)).build())
        .build();
    long pollMillis = config.get("pollMillis").asLong();

    StartResult start = agent.onStart();
    event("start " + start.action() + " v" + start.activeContent().map(ActiveContent::version).orElse(0L) + " "
        + start.reason());
    sink.flush(); // the start heartbeat (and a revert) must reach the server before a crash can lose it
    load(start.activeContent());
    if (agent.confirmHealthy()) {
      event("confirmed v" + start.activeContent().orElseThrow().version());
      sink.flush();
    }
    while (true) {
      UpdateCheck check = agent.checkForUpdate();
      sink.flush();
      switch (check.outcome()) {
        case ACTIVATED -> {
          event("activated v" + check.version());
          load(agent.activeContent());
          agent.confirmHealthy();
          event("confirmed v" + check.version());
          sink.flush();
        }
        case REVERTED -> {
          event("server-revert v" + check.version() + " " + check.reason());
          load(agent.activeContent());
        }
        case REFUSED -> event("refused v" + check.version() + " " + check.reason());
        default -> { }
      }
      Thread.sleep(pollMillis);
    }
  }

  private static void load(Optional<ActiveContent> content) throws IOException {
    if (content.isEmpty()) {
      return;
    }
    long version = content.get().version();
    event("loading v" + version);
    try {
      int rules = ToyContent.load(content.get().path());
      event("loaded v" + version + " " + rules + " rules");
    } catch (RuntimeException e) {
      event("crash v" + version + " " + e);
      throw e;
    }
  }

  private static void event(String text) {
    System.out.println("EVENT " + text.replace('\n', ' '));
    System.out.flush();
  }
}
