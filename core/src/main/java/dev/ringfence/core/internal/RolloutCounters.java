package dev.ringfence.core.internal;

import dev.ringfence.core.gate.Verdict;
import java.util.concurrent.atomic.LongAdder;

/** Counts of what a rollout did, for metrics: every gate evaluation by outcome, and halts. */
final class RolloutCounters {

  private final LongAdder[] verdicts = new LongAdder[Verdict.Outcome.values().length];
  private final LongAdder halts = new LongAdder();

  RolloutCounters() {
    for (int i = 0; i < verdicts.length; i++) {
      verdicts[i] = new LongAdder();
    }
  }

  void verdict(Verdict.Outcome outcome) {
    verdicts[outcome.ordinal()].increment();
  }

  void halted() {
    halts.increment();
  }

  long verdicts(Verdict.Outcome outcome) {
    return verdicts[outcome.ordinal()].sum();
  }

  long halts() {
    return halts.sum();
  }
}
