package dev.ringfence.core.gate;

import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.Ring;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in gate of type {@value GateSpec#TIME_AND_SAMPLE}: PASS once the ring has been open for
 * its bake time and has at least its minimum sample exposed, INCONCLUSIVE before. It never fails: it
 * judges time and volume, not health. Pair it with a health gate for real rollouts.
 */
public final class TimeAndSampleGate implements Gate {

  /** The shared instance. */
  public static final TimeAndSampleGate INSTANCE = new TimeAndSampleGate();

  /** A factory that refuses parameters, for registration under {@value GateSpec#TIME_AND_SAMPLE}. */
  public static final GateFactory FACTORY = spec -> {
    if (!spec.params().isEmpty()) {
      throw new dev.ringfence.core.plan.InvalidPlanException(java.util.List.of(
          "gate.params: " + spec.params().keySet() + " are not parameters of " + GateSpec.TIME_AND_SAMPLE
              + ", which takes none"));
    }
    return INSTANCE;
  };

  private TimeAndSampleGate() {}

  @Override
  public Verdict evaluate(GateContext context) {
    Ring ring = context.ring();
    long openSeconds = context.openFor().getSeconds();
    long bakeSeconds = ring.bakeTime().getSeconds();
    Map<String, Double> evidence = new LinkedHashMap<>();
    evidence.put("openSeconds", (double) openSeconds);
    evidence.put("bakeSeconds", (double) bakeSeconds);
    evidence.put("exposed", (double) context.exposedInRing());
    evidence.put("minSample", (double) ring.minSample());
    boolean baked = context.openFor().compareTo(ring.bakeTime()) >= 0;
    boolean sampled = context.exposedInRing() >= ring.minSample();
    String numbers = "open " + openSeconds + "s of " + bakeSeconds + "s bake, " + context.exposedInRing()
        + " exposed of " + ring.minSample() + " minimum";
    if (baked && sampled) {
      return Verdict.pass(GateSpec.TIME_AND_SAMPLE, numbers + ": PASS", evidence);
    }
    return Verdict.inconclusive(GateSpec.TIME_AND_SAMPLE, numbers + ": waiting for "
        + (baked ? "sample" : sampled ? "bake time" : "bake time and sample"), evidence);
  }
}
