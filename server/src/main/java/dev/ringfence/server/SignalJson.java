package dev.ringfence.server;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.InvalidInputException;
import dev.ringfence.protocol.InvalidSignalException;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.Signal;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a batch of signals as the agent's HTTP sink writes them: a JSON array of objects with
 * {@code type} ({@code heartbeat}, {@code applyResult}, {@code probe}), {@code endpointId}, {@code bootId},
 * {@code sequence}, {@code version} and the type's own fields. The whole batch is read before any
 * signal is ingested; the first problem refuses it, named by its path ({@code signals[3].bootId}).
 */
final class SignalJson {

  /** Most signals in one batch. */
  static final int MAX_BATCH = 500;

  static final JsonBody<List<Body>> BATCH = JsonBody.of(new TypeReference<>() {}, "signals");

  private SignalJson() {}

  /**
   * @param body the batch, as authenticated (the signature covers these bytes, read before this)
   * @return its signals, in order
   * @throws HttpError 400 naming the first field at fault
   */
  static List<Signal> parse(byte[] body) {
    List<Body> bodies = BATCH.read(body);
    if (bodies.size() > MAX_BATCH) {
      throw HttpError.badField("signals", bodies.size() + " signals in one batch, above " + MAX_BATCH);
    }
    List<Signal> signals = new ArrayList<>(bodies.size());
    for (int i = 0; i < bodies.size(); i++) {
      if (bodies.get(i) == null) {
        throw HttpError.badField("signals[" + i + "]", "must be an object, not null");
      }
      try {
        signals.add(bodies.get(i).signal());
      } catch (InvalidSignalException e) {
        throw JsonRefusals.of("signals[" + i + "]", e);
      }
    }
    return signals;
  }

  /** One signal as sent; the protocol's records check the values. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({@JsonSubTypes.Type(value = HeartbeatBody.class, name = "heartbeat"),
      @JsonSubTypes.Type(value = ApplyResultBody.class, name = "applyResult"),
      @JsonSubTypes.Type(value = ProbeBody.class, name = "probe")})
  sealed interface Body permits HeartbeatBody, ApplyResultBody, ProbeBody {
    Signal signal();
  }

  record HeartbeatBody(String endpointId, Long bootId, Long sequence, Long version, Integer failedStarts)
      implements Body {

    HeartbeatBody {
      common(endpointId, bootId, sequence, version);
      required(failedStarts, "failedStarts");
    }

    @Override
    public Signal signal() {
      return new Heartbeat(endpointId, bootId, sequence, version, failedStarts);
    }
  }

  record ApplyResultBody(String endpointId, Long bootId, Long sequence, Long version, ApplyOutcome outcome,
      @Nullable String reason) implements Body {

    ApplyResultBody {
      common(endpointId, bootId, sequence, version);
      required(outcome, "outcome");
    }

    @Override
    public Signal signal() {
      return new ApplyResult(endpointId, bootId, sequence, version, outcome, reason == null ? "" : reason);
    }
  }

  record ProbeBody(String endpointId, Long bootId, Long sequence, Long version, String metric, Double value)
      implements Body {

    ProbeBody {
      common(endpointId, bootId, sequence, version);
      required(metric, "metric");
      required(value, "value");
    }

    @Override
    public Signal signal() {
      return new ProbeReading(endpointId, bootId, sequence, version, metric, value);
    }
  }

  private static void common(@Nullable String endpointId, @Nullable Long bootId, @Nullable Long sequence,
      @Nullable Long version) {
    required(endpointId, "endpointId");
    required(bootId, "bootId");
    required(sequence, "sequence");
    required(version, "version");
  }

  private static void required(@Nullable Object value, String field) {
    if (value == null) {
      throw new InvalidInputException(field, "is missing");
    }
  }
}
