package dev.ringfence.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.core.Trigger;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.AuditRecord;
import dev.ringfence.core.store.JournalEntry;
import dev.ringfence.core.store.JournalFormat;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns the journal's audited lines into notifications: a transition or a verdict becomes one CloudEvents 1.0
 * event (structured JSON), or a Slack-compatible {@code {"text": ...}}; a creation becomes none. Everything comes
 * from the line itself (and the rollout's spec, for names), so every replica and every restart makes the same
 * event with the same {@code id} from the same line.
 *
 * <p>The {@code id} is {@code <rolloutId>:<line>}, where line is the audit trail's sequence number: the journal's
 * one numbering of every transition and verdict of every rollout, in commit order, the same on every replica. A
 * receiver drops a repeat by it.
 */
final class NotificationEvents {

  /** The CloudEvents {@code source} of every event. */
  static final String SOURCE = "urn:ringfence:update-server";
  /** The content type of a structured CloudEvent. */
  static final String CLOUDEVENTS_TYPE = "application/cloudevents+json; charset=utf-8";

  private static final Set<Trigger> OPERATOR = EnumSet.of(Trigger.START, Trigger.PAUSE, Trigger.RESUME, Trigger.HALT,
      Trigger.ABORT, Trigger.APPROVE, Trigger.PROMOTE, Trigger.SKIP_GATE);
  /**
   * "halted by alice@example.org: crash reports", "gate skipped by bob: …": the engine's wording of an operator's
   * command.
   */
  private static final Pattern ACTOR = Pattern.compile("^[a-z]+(?: [a-z]+)? by (.+?)(?:: |; |$)", Pattern.DOTALL);

  /**
   * One notification, in both formats' terms.
   *
   * @param id the CloudEvents id
   * @param type the CloudEvents type
   * @param rolloutId the rollout, the event's subject
   * @param line the audit line it came from
   * @param event the CloudEvent, as a tree
   * @param text the one-line summary the Slack format sends
   */
  record Notification(String id, String type, String rolloutId, long line, ObjectNode event, String text) {

    /**
     * @param format the body's format
     * @return the body's bytes
     */
    byte[] body(NotificationSink.Format format) {
      ObjectNode root = event;
      if (format == NotificationSink.Format.SLACK) {
        root = ServerJson.MAPPER.createObjectNode().put("text", text);
      }
      try {
        return ServerJson.MAPPER.writeValueAsBytes(root);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e); // a tree of strings and numbers
      }
    }

    /**
     * @param format the body's format
     * @return its content type
     */
    static String contentType(NotificationSink.Format format) {
      return format == NotificationSink.Format.SLACK ? "application/json; charset=utf-8" : CLOUDEVENTS_TYPE;
    }
  }

  private final Function<String, Optional<RolloutSpec>> specs;

  /**
   * @param specs a rollout's spec by its id, for the channel, versions and ring names; empty when unknown
   */
  NotificationEvents(Function<String, Optional<RolloutSpec>> specs) {
    this.specs = specs;
  }

  /**
   * @param line an audit line
   * @return its notification, or empty for a line that makes none (a creation)
   */
  Optional<Notification> of(AuditRecord line) {
    JournalEntry entry = JournalFormat.decode(line.entryJson().getBytes(StandardCharsets.UTF_8));
    if (entry instanceof JournalEntry.Transitioned) {
      return Optional.of(transition(line.seq(), (JournalEntry.Transitioned) entry));
    }
    if (entry instanceof JournalEntry.VerdictRecorded) {
      return Optional.of(verdict(line.seq(), (JournalEntry.VerdictRecorded) entry));
    }
    return Optional.empty();
  }

  private Notification transition(long line, JournalEntry.Transitioned t) {
    Optional<RolloutSpec> spec = specs.apply(t.rolloutId());
    ObjectNode event = envelope(t, line, NotificationSink.TRANSITION);
    ObjectNode data = event.putObject("data");
    rollout(data, t.rolloutId(), spec);
    data.put("sequence", t.sequence());
    data.put("from", t.from().name());
    data.put("to", t.to().name());
    data.put("trigger", t.trigger().name());
    data.put("actor", actor(t));
    data.put("reason", t.cause());
    ring(data, t.ringIndex(), spec);
    if (t.verdict() != null) {
      verdict(data.putObject("verdict"), t.verdict());
    } else {
      data.putNull("verdict");
    }
    String text = "Ringfence rollout " + t.rolloutId() + channel(spec) + ": " + t.from() + " -> " + t.to() + " ("
        + t.trigger() + ", by " + actor(t) + "): " + t.cause();
    return new Notification(event.get("id").asText(), NotificationSink.TRANSITION, t.rolloutId(), line, event, text);
  }

  private Notification verdict(long line, JournalEntry.VerdictRecorded v) {
    Optional<RolloutSpec> spec = specs.apply(v.rolloutId());
    ObjectNode event = envelope(v, line, NotificationSink.VERDICT);
    ObjectNode data = event.putObject("data");
    rollout(data, v.rolloutId(), spec);
    ring(data, v.ringIndex(), spec);
    verdict(data.putObject("verdict"), v.verdict());
    String text = "Ringfence rollout " + v.rolloutId() + channel(spec) + ": ring " + ringLabel(v.ringIndex(), spec)
        + " verdict " + v.verdict().outcome() + " (" + v.verdict().test() + "): " + v.verdict().reason();
    return new Notification(event.get("id").asText(), NotificationSink.VERDICT, v.rolloutId(), line, event, text);
  }

  private static ObjectNode envelope(JournalEntry entry, long line, String type) {
    ObjectNode event = ServerJson.MAPPER.createObjectNode();
    event.put("specversion", "1.0");
    event.put("id", entry.rolloutId() + ":" + line);
    event.put("source", SOURCE);
    event.put("type", type);
    event.put("subject", entry.rolloutId());
    event.put("time", entry.at().toString());
    event.put("datacontenttype", "application/json");
    return event;
  }

  private static void rollout(ObjectNode data, String rolloutId, Optional<RolloutSpec> spec) {
    data.put("rollout", rolloutId);
    if (spec.isPresent()) {
      data.put("channel", spec.get().channel());
      data.put("baseline", spec.get().baselineVersion());
      data.put("candidate", spec.get().candidateVersion());
    }
  }

  private static void ring(ObjectNode data, int index, Optional<RolloutSpec> spec) {
    if (index < 0) {
      data.putNull("ring"); // before START
      return;
    }
    ObjectNode ring = data.putObject("ring");
    ring.put("index", index);
    String name = ringName(index, spec);
    if (name != null) {
      ring.put("name", name);
    }
  }

  private static @Nullable String ringName(int index, Optional<RolloutSpec> spec) {
    if (spec.isEmpty() || index < 0) {
      return null;
    }
    List<Ring> rings = spec.get().plan().allRings();
    return index < rings.size() ? rings.get(index).name() : null;
  }

  private static String ringLabel(int index, Optional<RolloutSpec> spec) {
    String name = ringName(index, spec);
    return name == null ? "#" + index : "'" + name + "'";
  }

  private static String channel(Optional<RolloutSpec> spec) {
    return spec.map(s -> " (" + s.channel() + " v" + s.baselineVersion() + " -> v" + s.candidateVersion() + ")")
        .orElse("");
  }

  private static void verdict(ObjectNode node, Verdict verdict) {
    node.put("outcome", verdict.outcome().name());
    node.put("test", verdict.test());
    node.put("reason", verdict.reason());
    ObjectNode evidence = node.putObject("evidence");
    for (Map.Entry<String, Double> e : verdict.evidence().entrySet()) {
      double value = e.getValue();
      if (Double.isFinite(value)) {
        evidence.put(e.getKey(), value);
      } else {
        evidence.putNull(e.getKey()); // JSON has no NaN or infinity
      }
    }
  }

  /** The operator who gave the command, as the engine wrote it into the cause, or {@code engine}. */
  static String actor(JournalEntry.Transitioned t) {
    if (OPERATOR.contains(t.trigger())) {
      Matcher m = ACTOR.matcher(t.cause());
      if (m.find()) {
        return m.group(1);
      }
    }
    return "engine";
  }
}
