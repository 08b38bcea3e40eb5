package dev.ringfence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.server.AdminClient;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringfence stop-all --reason R}: pauses every running rollout on every channel and refuses new ones until
 * {@code ringfence stop-all --lift --reason R} (an admin token). Exit codes: 0 done, 1 the server refused (its
 * reason on stderr), 2 bad arguments.
 */
@Command(name = "stop-all", mixinStandardHelpOptions = true,
    description = {"Pauses every running rollout on every channel and refuses new rollouts until lifted.",
        "With --lift (admin token): lifts the switch; paused rollouts stay paused until resumed one by one."})
final class StopAllCommand extends AdminCall {

  @Option(names = "--reason", required = true, description = "why, for every paused rollout's journal")
  @SuppressWarnings("NullAway.Init")
  String reason;

  @Option(names = "--lift", description = "lift the switch instead")
  boolean lift;

  @Override
  void run(AdminClient admin, PrintWriter out) throws IOException {
    if (lift) {
      JsonNode lifted = admin.liftStopAll(reason).get("lifted");
      out.println("stop-all lifted (it was switched on at " + lifted.get("at").asText() + " by "
          + lifted.get("actor").asText() + "); paused rollouts stay paused: resume each with 'ringfence rollout"
          + " resume'");
      return;
    }
    JsonNode stopped = admin.stopAll(reason);
    JsonNode stop = stopped.get("stop");
    out.println((stopped.get("alreadyInForce").asBoolean() ? "stop-all was in force already" : "stop-all in force")
        + " since " + stop.get("at").asText() + " by " + stop.get("actor").asText() + ": " + stop.get("reason").asText());
    out.println("paused: " + (stopped.get("paused").isEmpty() ? "none running" : stopped.get("paused").toString()));
  }
}
