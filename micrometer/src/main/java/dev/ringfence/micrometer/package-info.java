/**
 * Micrometer metrics for Ringfence: {@link dev.ringfence.micrometer.RingfenceMetrics} binds the rollout
 * engine's meters (dotted lowercase names under {@code ringfence.}, tagged with rollout and ring) to a
 * {@code MeterRegistry}. Kept out of {@code ringfence-core} so that the engine does not carry Micrometer.
 */
@NullMarked
package dev.ringfence.micrometer;

import org.jspecify.annotations.NullMarked;
