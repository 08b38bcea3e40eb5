/**
 * Ringfence's test kit, for applications that embed it and for implementations of its SPIs: a
 * {@link dev.ringfence.testing.ManualClock}, a {@link dev.ringfence.testing.ScriptedGate} whose verdict
 * the test sets, and the conformance suite every {@link dev.ringfence.core.store.RolloutStore} must pass
 * ({@link dev.ringfence.testing.RolloutStoreConformanceKit}: extend it and return a fresh store).
 */
@NullMarked
package dev.ringfence.testing;

import org.jspecify.annotations.NullMarked;
