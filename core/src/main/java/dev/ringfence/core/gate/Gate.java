package dev.ringfence.core.gate;

/**
 * Judges whether the open ring is healthy enough for the next one to open. The SPI behind every
 * ring's {@code gate}.
 *
 * <p>The engine calls {@link #evaluate} on each {@code tick()} while the rollout is RUNNING or
 * PAUSED, from the thread that ticks. What the engine does with the verdict:
 *
 * <ul>
 *   <li>PASS opens the next ring, but only once the ring's bake time has passed and its minimum
 *       sample is exposed, whatever the gate says: a gate cannot make a ring open early.
 *   <li>FAIL halts the rollout at once, bake time or not, and starts the rollback.
 *   <li>INCONCLUSIVE changes nothing: no data is never good data.
 *   <li>A thrown exception becomes an ERROR verdict and pauses the rollout.
 * </ul>
 *
 * Implementations should be fast, deterministic functions of the context and their own inputs. A gate that must
 * ask another system (a metrics server, a webhook) implements {@link AsyncGate} instead and is wrapped with
 * {@link AsyncGate#polling}, so that the tick never waits on the network.
 */
@FunctionalInterface
public interface Gate {

  /**
   * Judges the ring.
   *
   * @param context what the gate may read
   * @return the verdict, never null
   */
  Verdict evaluate(GateContext context);
}
