package dev.ringfence.core.internal;

import dev.ringfence.core.Durations;
import dev.ringfence.core.gate.AsyncGate;
import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.gate.Verdict;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Gate} around an {@link AsyncGate}: one measurement at a time on the injected executor; each
 * evaluation takes the one that finished, judges it, starts the next and returns at once. Timeouts are read on
 * the engine's clock ({@link GateContext#now()}), never on a wall clock, so the verdicts are a function of the
 * finished measurements and the clock the engine was given.
 *
 * <p>Thread safety: evaluations are serialized on this object; the lock is never held while a measurement runs.
 *
 * @param <T> what one measurement yields
 */
public final class PollingGate<T> implements Gate {

  private static final Logger LOG = LoggerFactory.getLogger(PollingGate.class);

  private final AsyncGate<T> gate;
  private final AsyncGateConfig config;
  private final String type;

  // Guarded by this.
  private @Nullable FutureTask<T> inFlight;
  private @Nullable GateQuery inFlightQuery;
  private @Nullable Instant lastStartedAt;
  private @Nullable Verdict current;
  private int consecutivePasses;
  private int consecutiveErrors;

  /**
   * Wraps a gate; use {@link AsyncGate#polling}.
   *
   * @param gate the asynchronous gate
   * @param config its executor and counts
   */
  public PollingGate(AsyncGate<T> gate, AsyncGateConfig config) {
    this.gate = Objects.requireNonNull(gate, "gate");
    this.config = Objects.requireNonNull(config, "config");
    this.type = gate.type();
  }

  @Override
  public synchronized Verdict evaluate(GateContext context) {
    Instant now = context.now();
    Verdict before = current;
    FutureTask<T> task = inFlight;
    GateQuery asked = inFlightQuery;
    if (task != null && asked != null) {
      if (task.isDone()) {
        inFlight = null;
        current = finished(asked, task);
      } else if (!now.isBefore(asked.at().plus(config.timeout()))) {
        inFlight = null;
        task.cancel(true); // frees the executor's thread if the measurement honours interrupts
        current = failed(asked, "no answer within " + Durations.format(config.timeout()) + " of the query at "
            + asked.at() + " (timed out on the engine's clock)");
      }
    }
    if (inFlight == null && isDue(now)) {
      start(GateQuery.of(context));
    }
    Verdict verdict = current;
    if (verdict == null) {
      Map<String, Double> evidence = new LinkedHashMap<>();
      evidence.put("minSamples", (double) config.minSamples());
      return Verdict.inconclusive(type, type + ": waiting for the first answer"
          + (lastStartedAt == null ? "" : " to the query at " + lastStartedAt) + "; no answer is never a pass",
          evidence);
    }
    if (verdict == before && verdict.outcome() == Verdict.Outcome.ERROR) {
      // An ERROR is said once, by the measurement that crossed the limit: it paused the rollout. Repeating it
      // until the next answer would pause again at once a rollout an operator has just resumed.
      return Verdict.inconclusive(verdict.test(), type + ": waiting for the next answer after "
          + consecutiveErrors + " failed measurements in a row (consecutiveErrorLimit " + config.consecutiveErrorLimit()
          + "); no answer is never a pass; was: " + verdict.reason(), verdict.evidence());
    }
    return verdict;
  }

  private boolean isDue(Instant now) {
    Instant last = lastStartedAt;
    // A clock set back before the last start does not stop the measurements: they start again at once.
    return last == null || now.isBefore(last) || !now.isBefore(last.plus(config.interval()));
  }

  private void start(GateQuery query) {
    FutureTask<T> task = new FutureTask<>(() -> gate.measure(query));
    lastStartedAt = query.at();
    try {
      config.executor().execute(task);
    } catch (RuntimeException e) {
      current = failed(query, "the executor refused the measurement: " + describe(e));
      return;
    }
    inFlight = task;
    inFlightQuery = query;
  }

  private Verdict finished(GateQuery query, FutureTask<T> task) {
    T measurement;
    try {
      measurement = task.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return failed(query, describe(cause));
    } catch (CancellationException e) {
      return failed(query, "the measurement was cancelled");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // cannot happen: the task is done
      return failed(query, "interrupted");
    }
    Verdict judged;
    try {
      judged = gate.judge(query, measurement);
    } catch (RuntimeException e) {
      LOG.warn("{} gate: judging the measurement of {} threw", type, query.at(), e);
      return failed(query, "judging the answer threw " + describe(e));
    }
    if (judged == null) {
      return failed(query, "judging the answer returned null");
    }
    if (judged.outcome() == Verdict.Outcome.ERROR) {
      return failed(query, judged.reason());
    }
    consecutiveErrors = 0;
    if (judged.outcome() != Verdict.Outcome.PASS) {
      consecutivePasses = 0;
      return new Verdict(judged.outcome(), judged.test(), judged.reason(), counted(judged.evidence(), query));
    }
    consecutivePasses = Math.min(consecutivePasses + 1, config.minSamples());
    Map<String, Double> evidence = counted(judged.evidence(), query);
    if (consecutivePasses < config.minSamples()) {
      return Verdict.inconclusive(judged.test(), judged.reason() + "; " + consecutivePasses + " of "
          + config.minSamples() + " passes in a row (minSamples), not yet a pass", evidence);
    }
    return Verdict.pass(judged.test(), judged.reason() + "; " + config.minSamples() + " of " + config.minSamples()
        + " passes in a row (minSamples)", evidence);
  }

  /** A measurement that threw or timed out: INCONCLUSIVE up to the error limit, ERROR past it. */
  private Verdict failed(GateQuery query, String what) {
    consecutivePasses = 0;
    consecutiveErrors = (int) Math.min((long) consecutiveErrors + 1, Integer.MAX_VALUE);
    int limit = config.consecutiveErrorLimit();
    Map<String, Double> evidence = counted(Map.of(), query);
    if (consecutiveErrors > limit) {
      LOG.warn("{} gate: {} failed measurements in a row, over the limit of {}: {}", type, consecutiveErrors, limit,
          what);
      return new Verdict(Verdict.Outcome.ERROR, type, type + ": " + consecutiveErrors
          + " failed measurements in a row, over the consecutiveErrorLimit of " + limit + "; last: " + what, evidence);
    }
    LOG.info("{} gate: measurement failed ({} of {} in a row tolerated): {}", type, consecutiveErrors, limit, what);
    return Verdict.inconclusive(type, type + ": measurement failed (" + consecutiveErrors + " of " + limit
        + " in a row tolerated by consecutiveErrorLimit): " + what + "; no answer is never a pass", evidence);
  }

  private Map<String, Double> counted(Map<String, Double> judged, GateQuery query) {
    Map<String, Double> evidence = new LinkedHashMap<>(judged);
    evidence.put("queryTimeMillis", (double) Times.millis(query.at()));
    evidence.put("consecutivePasses", (double) consecutivePasses);
    evidence.put("minSamples", (double) config.minSamples());
    evidence.put("consecutiveErrors", (double) consecutiveErrors);
    evidence.put("consecutiveErrorLimit", (double) config.consecutiveErrorLimit());
    return evidence;
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
