package dev.ringfence.core.testing;

import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A gate whose outcome the test sets; counts its evaluations. */
public final class ScriptedGate implements Gate {

  public static final String TYPE = "scripted";

  private volatile Verdict.Outcome outcome = Verdict.Outcome.PASS;
  private volatile RuntimeException toThrow;
  private final AtomicInteger evaluations = new AtomicInteger();

  public void answer(Verdict.Outcome outcome) {
    this.outcome = outcome;
    this.toThrow = null;
  }

  public void throwOnEvaluate(RuntimeException e) {
    this.toThrow = e;
  }

  public int evaluations() {
    return evaluations.get();
  }

  @Override
  public Verdict evaluate(GateContext context) {
    evaluations.incrementAndGet();
    if (toThrow != null) {
      throw toThrow;
    }
    String reason = "scripted " + outcome + " for ring " + context.ringIndex() + " with " + context.exposedInRing()
        + " exposed";
    return new Verdict(outcome, TYPE, reason, Map.of("exposed", (double) context.exposedInRing()));
  }
}
