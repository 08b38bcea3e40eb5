package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidSignalException;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a batch of signals as the agent's HTTP sink writes them: a JSON array of objects with
 * {@code type} ({@code heartbeat}, {@code applyResult}, {@code probe}), {@code endpointId}, {@code bootId},
 * {@code sequence}, {@code version} and the type's own fields. The whole batch is read before any
 * signal is ingested; the first problem refuses it, named by its path ({@code signals[3].bootId}).
 */
final class SignalJson {

  /** Most signals in one batch. */
  static final int MAX_BATCH = 500;

  private static final Set<String> COMMON = Set.of("type", "endpointId", "bootId", "sequence", "version");

  private SignalJson() {}

  static List<Signal> parse(byte[] body) {
    JsonNode tree = JsonFields.parse(body);
    if (!tree.isArray()) {
      throw HttpError.badField("signals", "must be a JSON array of signals");
    }
    if (tree.size() > MAX_BATCH) {
      throw HttpError.badField("signals", tree.size() + " signals in one batch, above " + MAX_BATCH);
    }
    List<Signal> signals = new ArrayList<>();
    for (int i = 0; i < tree.size(); i++) {
      signals.add(signal(tree.get(i), "signals[" + i + "]"));
    }
    return signals;
  }

  private static Signal signal(JsonNode node, String path) {
    if (!node.isObject()) {
      throw HttpError.badField(path, "must be an object");
    }
    String type = text(node, path, "type");
    Set<String> own = switch (type) {
      case "heartbeat" -> Set.of("failedStarts");
      case "applyResult" -> Set.of("outcome", "reason");
      case "probe" -> Set.of("metric", "value");
      default -> throw HttpError.badField(path + ".type", "'" + type + "' is not heartbeat, applyResult or probe");
    };
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!COMMON.contains(name) && !own.contains(name)) {
        throw HttpError.badField(path + "." + name, "unknown field for a " + type);
      }
    }
    String endpointId = text(node, path, "endpointId");
    long bootId = whole(node, path, "bootId");
    long sequence = whole(node, path, "sequence");
    long version = whole(node, path, "version");
    try {
      switch (type) {
        case "heartbeat":
          long failed = whole(node, path, "failedStarts");
          if (failed > Integer.MAX_VALUE) {
            throw HttpError.badField(path + ".failedStarts", failed + " is too large");
          }
          return new Heartbeat(endpointId, bootId, sequence, version, (int) failed);
        case "applyResult":
          String outcome = text(node, path, "outcome");
          ApplyOutcome parsed;
          try {
            parsed = ApplyOutcome.valueOf(outcome);
          } catch (IllegalArgumentException e) {
            throw HttpError.badField(path + ".outcome", "'" + outcome + "' is not one of "
                + java.util.Arrays.toString(ApplyOutcome.values()));
          }
          JsonNode reason = node.get("reason");
          if (reason != null && !reason.isNull() && !reason.isTextual()) {
            throw HttpError.badField(path + ".reason", "must be a string");
          }
          return new ApplyResult(endpointId, bootId, sequence, version, parsed,
              reason == null || reason.isNull() ? "" : reason.asText());
        default:
          JsonNode value = node.get("value");
          if (value == null || !value.isNumber()) {
            throw HttpError.badField(path + ".value", "must be a number");
          }
          return new ProbeReading(endpointId, bootId, sequence, version, text(node, path, "metric"), value.asDouble());
      }
    } catch (InvalidSignalException e) {
      // The exception reads "signal.<field>: <reason>"; the batch names the field by its path in the body.
      String prefix = "signal." + e.field() + ": ";
      String reason = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
      throw HttpError.badField(path + "." + e.field(), reason);
    }
  }

  private static String text(JsonNode node, String path, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw HttpError.badField(path + "." + field, value == null ? "is missing" : "must be a string");
    }
    return value.asText();
  }

  private static long whole(JsonNode node, String path, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw HttpError.badField(path + "." + field, value == null ? "is missing" : "must be a whole number");
    }
    return value.asLong();
  }
}
