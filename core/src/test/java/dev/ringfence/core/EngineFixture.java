package dev.ringfence.core;

import dev.ringfence.core.testing.Fixtures;
import dev.ringfence.core.testing.FlakyStore;
import dev.ringfence.testing.ManualClock;
import dev.ringfence.testing.ScriptedGate;

/**
 * What the engine's own tests start from: a manual clock at 2026-11-23T10:00Z, an in-memory store that refuses on
 * demand, a scripted gate and an engine over them. A test class extends it; JUnit makes an instance for every test,
 * so every test gets fresh ones.
 */
abstract class EngineFixture {

  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final FlakyStore store = FlakyStore.inMemory();
  final ScriptedGate gate = new ScriptedGate();
  final RolloutEngine engine = Fixtures.engine(clock, store, gate);

  /** @return a new engine over the same clock, store and gate: this one after a restart, replaying the journal */
  final RolloutEngine restarted() {
    return Fixtures.engine(clock, store, gate);
  }
}
