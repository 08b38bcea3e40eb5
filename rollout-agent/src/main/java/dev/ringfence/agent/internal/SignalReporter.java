package dev.ringfence.agent.internal;

import dev.ringfence.agent.AgentEvent;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.protocol.Heartbeat;
import dev.ringfence.protocol.ProbeReading;
import dev.ringfence.protocol.RingfenceException;
import dev.ringfence.protocol.Signal;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's reporting side: numbers every signal of this process in one sequence, hands it to the sink, and
 * publishes {@link AgentEvent}s to the listener. Neither a sink nor a listener can break the activation
 * protocol: their failures are logged and dropped.
 */
final class SignalReporter {

  private static final Logger LOG = LoggerFactory.getLogger(SignalReporter.class);

  private final AgentSettings settings;
  private final AtomicLong sequence = new AtomicLong();

  SignalReporter(AgentSettings settings) {
    this.settings = settings;
  }

  void heartbeat(long bootId, long version, int failedStarts) {
    send(new Heartbeat(settings.endpointId(), bootId, sequence.getAndIncrement(), version, failedStarts));
  }

  void applyResult(long bootId, long version, ApplyOutcome outcome, String reason) {
    send(new ApplyResult(settings.endpointId(), bootId, sequence.getAndIncrement(), version, outcome,
        truncate(reason)));
  }

  void probe(long bootId, long version, String metric, double value) {
    // Built before the sequence moves, so a bad reading is refused without a gap in the order.
    ProbeReading reading = new ProbeReading(settings.endpointId(), bootId, sequence.get(), version, metric, value);
    sequence.incrementAndGet();
    send(reading);
  }

  /** Reports a refusal to the server (as a validation failure of {@code version}) and to the listener. */
  void refused(long bootId, long version, RingfenceException refusal) {
    String message = refusal.getMessage();
    applyResult(bootId, version, ApplyOutcome.VALIDATION_FAILED, "refused: " + message);
    emit(new AgentEvent(AgentEvent.Type.REFUSED, version, message, refusal));
  }

  void emit(AgentEvent.Type type, long version, String detail) {
    emit(new AgentEvent(type, version, detail));
  }

  private void emit(AgentEvent event) {
    try {
      settings.listener().accept(event);
    } catch (RuntimeException e) {
      LOG.warn("event listener failed on {} v{}; ignored", event.type(), event.version(), e);
    }
  }

  private void send(Signal signal) {
    try {
      settings.sink().send(signal);
    } catch (RuntimeException e) {
      // A sink must never break the protocol; the signal is lost and the next heartbeat follows.
      LOG.warn("signal sink failed; signal dropped: {}", signal, e);
    }
  }

  /** At most {@link ApplyResult#MAX_REASON} chars, never half a surrogate pair (the server refuses a lone one). */
  static String truncate(String reason) {
    if (reason.length() <= ApplyResult.MAX_REASON) {
      return reason;
    }
    int end = ApplyResult.MAX_REASON;
    return reason.substring(0, Character.isHighSurrogate(reason.charAt(end - 1)) ? end - 1 : end);
  }
}
