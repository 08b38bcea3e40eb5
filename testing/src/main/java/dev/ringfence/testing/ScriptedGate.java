package dev.ringfence.testing;

import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Gate} whose outcome the test sets, for driving a rollout through its states without signals:
 * register it as a factory for {@link #TYPE} ({@code RolloutEngineConfig.custom().gate(ScriptedGate.TYPE,
 * spec -> gate)}), then {@link #answer} PASS, FAIL, INCONCLUSIVE or ERROR, or make it {@link #throwOnEvaluate
 * throw}. Counts its evaluations. Thread safe.
 */
public final class ScriptedGate implements Gate {

  /** The gate type a plan names to use it. */
  public static final String TYPE = "scripted";

  private volatile Verdict.Outcome outcome = Verdict.Outcome.PASS;
  private volatile @Nullable RuntimeException toThrow;
  private final AtomicInteger evaluations = new AtomicInteger();

  /** A gate that answers PASS until told otherwise. */
  public ScriptedGate() {}

  /**
   * Sets the outcome of every later evaluation, and stops throwing.
   *
   * @param outcome the outcome
   */
  public void answer(Verdict.Outcome outcome) {
    this.outcome = outcome;
    this.toThrow = null;
  }

  /**
   * Makes every later evaluation throw, as a broken gate would.
   *
   * @param e what to throw
   */
  public void throwOnEvaluate(RuntimeException e) {
    this.toThrow = e;
  }

  /** @return how many times the engine has evaluated this gate */
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
